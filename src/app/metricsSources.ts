import { LONGEST_SHIFT_MS } from "../config/rotaSettings";
import type { RotaStretches } from "../ports/rota";
import type { CommunityConfig } from "../config/types";
import { gaps, intersect, totalMs, type Interval } from "../kernel/intervals";
import { isOpenAt, nextTransition } from "../features/hours/domain/postingHours";
import { scheduleFor } from "../features/hours/schedules";
import type { ScrapeSources } from "../metrics/registry";
import { ladderCoverage } from "../features/reports/ladderCoverage";
import type { AppContext } from "./context";
import { communityById } from "../config/communities";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

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

/** What the metrics read at each scrape: the outbox, the jobs and the rota as they are now. */
export function metricsSources(app: AppContext, rota: RotaStretches): ScrapeSources {
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
