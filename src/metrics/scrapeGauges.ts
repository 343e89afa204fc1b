import { Gauge, type Registry } from "prom-client";

/** What the scrape-time gauges read (SQLite and the rota, asked at each scrape). */
export interface ScrapeSources {
  /** The ids of the communities in the config in force. */
  communities(): string[];
  outbox(): { pending: number; oldestCreatedAt: number | null };
  jobs(): { overdue: number; oldestDueAt: number | null };
  /** Per ladder step, how much of the next 24 hours someone is on call for it. */
  coverage(community: string): Array<{ step: number; target: string; coveredMs: number; uncoveredMs: number }>;
  /** Of the next hour, how long the community is open (posting hours) with no peer on call. */
  peerGapNextHourMs(community: string): number;
  now(): number;
}

/** The sources before the app hands its own: nothing waiting, no community. */
export const NO_SOURCES: ScrapeSources = {
  communities: () => [],
  outbox: () => ({ pending: 0, oldestCreatedAt: null }),
  jobs: () => ({ overdue: 0, oldestDueAt: null }),
  coverage: () => [],
  peerGapNextHourMs: () => 0,
  now: () => Date.now(),
};

const SECOND = 1000;
const HOUR = 3600 * SECOND;

/** Seconds since `at` (0 when there is nothing, or `at` is in the future). */
const secondsSince = (at: number | null, now: number) => (at === null ? 0 : Math.max(0, (now - at) / SECOND));

/**
 * The gauges that describe state, read at each scrape from `sources()` (asked anew each
 * time, so sources handed over later are the ones read): the outbox, overdue jobs, the
 * rota's coverage, and carenet being up.
 */
export function registerScrapeGauges(registry: Registry, sources: () => ScrapeSources): void {
  const registers = [registry];
  const simple = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  simple("carenet_outbox_pending", "Messages waiting in the outbox.", () => sources().outbox().pending);
  simple("carenet_outbox_oldest_pending_age_seconds", "Age of the oldest message waiting in the outbox (0 when empty).", () =>
    secondsSince(sources().outbox().oldestCreatedAt, sources().now()),
  );
  simple("carenet_jobs_overdue", "Durable jobs past their due time and not yet done.", () => sources().jobs().overdue);
  simple("carenet_jobs_oldest_overdue_seconds", "How far past its due time the most overdue pending job is (0 when none).", () =>
    secondsSince(sources().jobs().oldestDueAt, sources().now()),
  );
  registerRotaGauges(registers, sources);
  simple("carenet_up", "1 while carenet is running (the scrape itself answering is what counts).", () => 1);
}

/** Per community: the ladder's coverage over the next 24 hours, and the next hour's gap in peers. */
function registerRotaGauges(registers: Registry[], sources: () => ScrapeSources): void {
  const coverageGauge = (name: string, help: string, pick: "coveredMs" | "uncoveredMs") =>
    new Gauge({
      name,
      help,
      labelNames: ["community", "step", "target"] as const,
      registers,
      collect() {
        this.reset();
        const s = sources();
        for (const c of s.communities()) {
          for (const row of s.coverage(c)) this.set({ community: c, step: String(row.step), target: row.target }, row[pick] / HOUR);
        }
      },
    });
  coverageGauge("carenet_rota_covered_hours_next_24h", "Hours of the next 24 in which someone is on call for this ladder step.", "coveredMs");
  coverageGauge("carenet_rota_uncovered_hours_next_24h", "Hours of the next 24 in which nobody is on call for this ladder step.", "uncoveredMs");
  new Gauge({
    name: "carenet_rota_open_without_peer_seconds_next_hour",
    help: "Seconds of the next hour in which the community room is open (posting hours) and no peer (nor backup peer) is on call.",
    labelNames: ["community"] as const,
    registers,
    collect() {
      this.reset();
      const s = sources();
      for (const c of s.communities()) this.set({ community: c }, s.peerGapNextHourMs(c) / SECOND);
    },
  });
}
