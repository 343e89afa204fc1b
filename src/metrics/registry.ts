import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { MetricsPort, OffMatrixChannel } from "./port";

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
const NO_SOURCES: ScrapeSources = {
  communities: () => [],
  outbox: () => ({ pending: 0, oldestCreatedAt: null }),
  jobs: () => ({ overdue: 0, oldestDueAt: null }),
  coverage: () => [],
  peerGapNextHourMs: () => 0,
  now: () => Date.now(),
};

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const CHANNELS: OffMatrixChannel[] = ["push", "email", "webhook"];

/**
 * carenet's Prometheus metrics, in a registry of its own (two carenets in one process, as in
 * the tests, never share counters). Labels are a community's config id, a ladder step, a
 * channel, a job kind or an HTTP method: never a person.
 */
export class CarenetMetrics implements MetricsPort {
  readonly registry = new Registry();

  private readonly pagesOpened: Counter<"community">;
  private readonly pagesAcknowledged: Counter<"community">;
  private readonly pagesDeclined: Counter<"community">;
  private readonly pagesEscalated: Counter<"community" | "step" | "target">;
  private readonly pagesExhausted: Counter<"community">;
  private readonly timeToAck: Histogram<"community">;
  private readonly sent: Record<OffMatrixChannel, Counter<"community">>;
  private readonly failed: Record<OffMatrixChannel, Counter<"community">>;
  private readonly promptsSent: Counter<"community">;
  private readonly promptsAnswered: Counter<"community">;
  private readonly promptsMissed: Counter<"community">;
  private readonly inboxLag: Histogram;
  private readonly jobLag: Histogram<"kind">;
  private readonly hsLatency: Histogram<"method">;
  private readonly hsErrors: Counter<"method">;

  private sources: ScrapeSources = NO_SOURCES;
  /** Communities whose histogram series exist already (zeroing again would lose observations). */
  private readonly zeroed = new Set<string>();

  /** What the scrape-time gauges read (set once the app is built: the rota lives there). */
  useSources(sources: ScrapeSources): void {
    this.sources = sources;
  }

  constructor() {
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter<L>({ name, help, labelNames, registers });
    const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
      new Histogram<L>({ name, help, labelNames, buckets, registers });
    const perCommunity = (name: string, help: string) => counter(name, help, ["community"] as const);
    // Pages and their ladder.
    this.pagesOpened = perCommunity("carenet_pages_opened_total", "Pages opened (a member asked for someone).");
    this.pagesAcknowledged = perCommunity("carenet_pages_acknowledged_total", "Pages whose round got its first acknowledgement.");
    this.pagesDeclined = perCommunity("carenet_pages_declined_total", "Page notices a person on call declined.");
    const stepLabels = ["community", "step", "target"] as const;
    this.pagesEscalated = counter("carenet_pages_escalated_total", "Ladder steps a page escalated to (step is 1-based; target is who the step asks).", stepLabels);
    this.pagesExhausted = perCommunity("carenet_pages_exhausted_total", "Pages whose ladder ran out with nobody acknowledging (staff alerted, crisis resources sent).");
    this.timeToAck = histogram("carenet_page_time_to_acknowledge_seconds", "From the start of a page's round to its first acknowledgement.", ["community"] as const, [
      30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 7200,
    ]);
    // Off-Matrix sends, per channel.
    const channelCounter = (what: "sent" | "failed", c: OffMatrixChannel) =>
      perCommunity(`carenet_${c === "push" ? "pushes" : c + "s"}_${what}_total`, `Page ${c === "push" ? "push notifications (alerting messages that mention who must wake)" : c + "s"} ${what}.`);
    this.sent = { push: channelCounter("sent", "push"), email: channelCounter("sent", "email"), webhook: channelCounter("sent", "webhook") };
    this.failed = { push: channelCounter("failed", "push"), email: channelCounter("failed", "email"), webhook: channelCounter("failed", "webhook") };
    // Check-ins.
    this.promptsSent = perCommunity("carenet_checkin_prompts_sent_total", "Check-in prompts sent (counts only).");
    this.promptsAnswered = perCommunity("carenet_checkin_prompts_answered_total", "Check-in prompts answered (counts only).");
    this.promptsMissed = perCommunity("carenet_checkin_prompts_missed_total", "Check-in prompts left unanswered past missed_after (counts only).");
    // The service's own workings.
    this.inboxLag = histogram("carenet_inbox_event_age_seconds", "Age of an event from the homeserver when carenet handled it (origin_server_ts to handling).", [], [
      0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900,
    ]);
    this.jobLag = histogram("carenet_job_lag_seconds", "How late a durable job started against its due time.", ["kind"] as const, [0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600]);
    this.hsLatency = histogram("carenet_homeserver_request_duration_seconds", "Requests to the homeserver's client-server API.", ["method"] as const, [
      0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
    ]);
    this.hsErrors = counter("carenet_homeserver_request_errors_total", "Requests to the homeserver that failed (any error, including 4xx/5xx).", ["method"] as const);

    // The gauges read the sources at each scrape: the app hands them over once it is built.
    registerScrapeGauges(this.registry, () => this.sources);
    collectDefaultMetrics({ register: this.registry, prefix: "carenet_" });
  }

  /** The text Prometheus scrapes. Every community's counters exist from the start (at 0), so rates and alerts see them. */
  async render(): Promise<string> {
    for (const community of this.sources.communities()) {
      const l = { community };
      for (const c of [this.pagesOpened, this.pagesAcknowledged, this.pagesDeclined, this.pagesExhausted, this.promptsSent, this.promptsAnswered, this.promptsMissed]) c.inc(l, 0);
      for (const ch of CHANNELS) {
        this.sent[ch].inc(l, 0);
        this.failed[ch].inc(l, 0);
      }
      if (!this.zeroed.has(community)) this.timeToAck.zero(l);
      this.zeroed.add(community);
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  pageOpened(community: string): void {
    this.pagesOpened.inc({ community });
  }
  pageAcknowledged(community: string, waitedMs: number): void {
    this.zeroed.add(community);
    this.pagesAcknowledged.inc({ community });
    this.timeToAck.observe({ community }, Math.max(0, waitedMs) / SECOND);
  }
  pageDeclined(community: string): void {
    this.pagesDeclined.inc({ community });
  }
  pageEscalated(community: string, step: number, target: string): void {
    this.pagesEscalated.inc({ community, step: String(step), target });
  }
  pageExhausted(community: string): void {
    this.pagesExhausted.inc({ community });
  }
  offMatrixSent(community: string, channel: OffMatrixChannel): void {
    this.sent[channel]?.inc({ community });
  }
  offMatrixFailed(community: string, channel: OffMatrixChannel): void {
    this.failed[channel]?.inc({ community });
  }
  checkinPromptsSent(community: string, count: number): void {
    if (count > 0) this.promptsSent.inc({ community }, count);
  }
  checkinAnswered(community: string): void {
    this.promptsAnswered.inc({ community });
  }
  checkinMissed(community: string): void {
    this.promptsMissed.inc({ community });
  }
  inboxEventHandled(ageMs: number): void {
    this.inboxLag.observe(Math.max(0, ageMs) / SECOND);
  }
  jobRan(kind: string, lagMs: number): void {
    this.jobLag.observe({ kind }, Math.max(0, lagMs) / SECOND);
  }
  homeserverRequest(method: string, durationMs: number, ok: boolean): void {
    this.hsLatency.observe({ method }, durationMs / SECOND);
    if (!ok) this.hsErrors.inc({ method });
  }
}

/** Seconds since `at` (0 when there is nothing, or `at` is in the future). */
const secondsSince = (at: number | null, now: number) => (at === null ? 0 : Math.max(0, (now - at) / SECOND));

/**
 * The gauges that describe state, read at each scrape from `sources()` (asked anew each
 * time, so sources handed over later are the ones read): the outbox, overdue jobs, the
 * rota's coverage, and carenet being up.
 */
function registerScrapeGauges(registry: Registry, sources: () => ScrapeSources): void {
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
