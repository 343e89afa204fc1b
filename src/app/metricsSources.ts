import { RotaService, LONGEST_SHIFT_MS } from "../features/rota/service";
import type { CommunityConfig } from "../config/types";
import { coveredIntervals, gaps, intersect, totalMs, type Interval } from "../features/rota/domain/coverage";
import { isOpenAt, nextTransition } from "../features/hours/domain/postingHours";
import { scheduleFor } from "../features/hours/schedules";
import type { ScrapeSources } from "../metrics/registry";
import { allStaffOf, ladderOf } from "../features/paging/ladder";
import { RotaStore } from "../features/rota/store/rota";
import type { AppContext } from "./context";
import type { OnCallStretch, RotaStretches } from "../ports/rota";
import { communityById } from "../config/communities";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** Who a ladder step's target draws on, among the rota's stretches. */
function stretchesFor(target: string, stretches: OnCallStretch[]): Interval[] {
  if (target === "on_call_peers") return stretches.filter((s) => s.role === "peer" && !s.backup);
  if (target === "backup_peers") return stretches.filter((s) => s.role === "peer" && s.backup);
  if (target === "on_call_staff") return stretches.filter((s) => s.role === "staff");
  return [];
}

/** When the community room is open within [fromMs, toMs): posting hours, or always without them. */
export function openIntervals(c: CommunityConfig, fromMs: number, toMs: number): Interval[] {
  const schedule = scheduleFor(c, "community");
  if (!schedule) return [{ startMs: fromMs, endMs: toMs }];
  const out: Interval[] = [];
  let at = fromMs;
  let open = isOpenAt(schedule, at);
  while (at < toMs) {
    const next = nextTransition(schedule, at);
    const end = next === null ? toMs : Math.min(next.atMs, toMs);
    if (open) out.push({ startMs: at, endMs: end });
    if (next === null) break;
    at = next.atMs;
    open = next.open;
  }
  return out;
}

/**
 * Coverage of a community's ladder over [fromMs, toMs): for each step, how long someone is
 * on call for it. `all_staff` is covered whenever the community has any staff at all.
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

/** What the metrics read at each scrape: the outbox, the jobs and the rota as they are now. */
export function metricsSources(app: AppContext): ScrapeSources {
  const rota = new RotaService({ store: new RotaStore(app.db), members: app.members, config: app.config, hasConsent: (c, u) => app.hasConsent(c, u) });
  const community = (id: string) => communityById(app.config().communities, id);
  return {
    communities: () => app.config().communities.map((c) => c.id),
    outbox: () => app.outbox.pendingStats(),
    jobs: () => app.jobs.overdueStats(app.clock.now()),
    coverage: (id) => {
      const c = community(id);
      const now = app.clock.now();
      return c ? ladderCoverage(rota, c, now, now + DAY, now) : [];
    },
    peerGapNextHourMs: (id) => {
      const c = community(id);
      if (!c) return 0;
      const now = app.clock.now();
      const peers = rota.stretchesStarting(c, now - LONGEST_SHIFT_MS, now + HOUR, now).filter((s) => s.role === "peer");
      return totalMs(intersect(openIntervals(c, now, now + HOUR), gaps(peers, now, now + HOUR)));
    },
    now: () => app.clock.now(),
  };
}
