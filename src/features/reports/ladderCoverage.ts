import { LONGEST_SHIFT_MS } from "../../config/rotaSettings";
import { coveredIntervals, totalMs, type Interval } from "../../kernel/intervals";
import type { OnCallStretch, RotaStretches } from "../../ports/rota";
import type { CommunityConfig } from "../../config/types";
import { allStaffOf, ladderOf } from "../../config/escalation";

/** Who a ladder step's target draws on, among the rota's stretches. */
function stretchesFor(target: string, stretches: OnCallStretch[]): Interval[] {
  if (target === "on_call_peers") return stretches.filter((s) => s.role === "peer" && !s.backup);
  if (target === "backup_peers") return stretches.filter((s) => s.role === "peer" && s.backup);
  if (target === "on_call_staff") return stretches.filter((s) => s.role === "staff");
  return [];
}

/**
 * Coverage of a community's ladder over [fromMs, toMs): for each step, how long someone is
 * on call for it. `all_staff` is covered whenever the community has any staff at all.
 * Read by the weekly report and by the metrics.
 */
export function ladderCoverage(rota: RotaStretches, c: CommunityConfig, fromMs: number, toMs: number, now: number) {
  const stretches = rota.stretchesStarting(c, fromMs - LONGEST_SHIFT_MS, toMs, now);
  return ladderOf(c).map((step, i) => {
    const covered =
      step.notify === "all_staff"
        ? allStaffOf(c).length > 0
          ? toMs - fromMs
          : 0
        : totalMs(coveredIntervals(stretchesFor(step.notify, stretches), fromMs, toMs));
    return { step: i + 1, target: step.notify, coveredMs: covered, uncoveredMs: toMs - fromMs - covered };
  });
}
