/**
 * What carenet's capabilities tell the metrics module. Plain calls with a community id and
 * numbers: never a person, never content. Paging, check-ins, the outbox, the scheduler and
 * the homeserver client call these; only src/metrics/registry.ts knows Prometheus.
 */
export type OffMatrixChannel = "push" | "email" | "webhook";

export interface MetricsPort {
  pageOpened(community: string): void;
  /** The first acknowledgement of a page's round, `waitedMs` after the round began. */
  pageAcknowledged(community: string, waitedMs: number): void;
  pageDeclined(community: string): void;
  /** The ladder moved on to step `step` (1-based) asking `target` (on_call_peers, …). */
  pageEscalated(community: string, step: number, target: string): void;
  /** The ladder ran out with nobody acknowledging. */
  pageExhausted(community: string): void;
  /** A page notice delivered off the timeline's quiet path: a push (a mention that wakes), an email, a webhook. */
  offMatrixSent(community: string, channel: OffMatrixChannel): void;
  offMatrixFailed(community: string, channel: OffMatrixChannel): void;
  checkinPromptsSent(community: string, count: number): void;
  checkinAnswered(community: string): void;
  checkinMissed(community: string): void;
  /** An event from the homeserver was handled `ageMs` after it was sent. */
  inboxEventHandled(ageMs: number): void;
  /** A durable job started `lagMs` after it was due. */
  jobRan(kind: string, lagMs: number): void;
  /** One request to the homeserver's client-server API. */
  homeserverRequest(method: string, durationMs: number, ok: boolean): void;
}

const nothing = (): void => undefined;

/** The port when nothing listens (unit tests, tools): every call does nothing. */
export const noMetrics: MetricsPort = {
  pageOpened: nothing, pageAcknowledged: nothing, pageDeclined: nothing, pageEscalated: nothing, pageExhausted: nothing,
  offMatrixSent: nothing, offMatrixFailed: nothing,
  checkinPromptsSent: nothing, checkinAnswered: nothing, checkinMissed: nothing,
  inboxEventHandled: nothing, jobRan: nothing, homeserverRequest: nothing,
};
