import type { Clock } from "../kernel/clock";
import type { Logger } from "../kernel/logger";
import { Pump } from "../kernel/pump";
import type { Job, JobsStore, KindFilter } from "../store/jobs";
import type { JobOf } from "./registry";

/** What a handler says when it fails: retry after a delay, or give up (permanent). */
export interface RetryAdvice {
  delayMs: number;
  permanent: boolean;
  reason: string;
}

export type JobHandler = (job: Job) => Promise<void> | void;

export interface SchedulerDeps {
  jobs: JobsStore;
  clock: Clock;
  log: Logger;
  /** How to retry a failed job (the homeserver's 429 advice, backoff, …). */
  retryAdvice: (err: unknown, attempts: number) => RetryAdvice;
  /** How often to look even without a wake-up; keeps a fake or stepped clock honest. */
  maxSleepMs?: number;
  /** Told how late each job started against its due time (the job-lag metric). */
  observeRun?: (kind: string, lagMs: number) => void;
}

export interface HandlerOptions {
  /**
   * The handler calls the homeserver (creates a room, invites, changes power levels). Such
   * jobs run in a lane of their own, so a homeserver that hangs can never hold up work
   * that only needs SQLite and the outbox — an escalation deadline above all.
   */
  usesHomeserver?: boolean;
  /**
   * The handler calls the homeserver for work nobody waits for (e.g. making rooms ahead of
   * need): a third lane, so a long run of it never holds up an invitation or a support room.
   */
  background?: boolean;
}

/**
 * Runs durable jobs when they are due, on the injected clock, in three lanes: jobs that
 * only touch SQLite (and queue messages), jobs that wait on the homeserver, and homeserver
 * work in the background that nobody waits for. Within a
 * lane jobs run one at a time, earliest first. A handler that throws is retried with
 * backoff; a job of an unknown kind is a bug, so it is parked as failed and logged rather
 * than retried for ever. Handlers must be idempotent: a crash after a handler's effect and
 * before the job is marked done runs it again (messages carry dedupe keys, homeserver
 * calls tolerate "already done").
 */
export class Scheduler {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly homeserverKinds: string[] = [];
  private readonly backgroundKinds: string[] = [];
  /** Every kind not in the SQLite-only lane. */
  private readonly laneKinds: string[] = [];
  private readonly lanes: Pump[];

  constructor(private readonly d: SchedulerDeps) {
    const onError = (err: unknown) => d.log.error({ err }, "scheduler loop failed");
    this.lanes = this.filters().map((kinds) => new Pump(() => this.runLane(kinds), onError, d.maxSleepMs ?? 30_000));
  }

  /** The lanes: SQLite only, the homeserver, the homeserver in the background. */
  private filters(): KindFilter[] {
    return [{ notIn: this.laneKinds }, { in: this.homeserverKinds }, { in: this.backgroundKinds }];
  }

  /** Registers the handler of a kind; a kind declared in JobPayloads (./registry) gives it a typed payload. */
  on<K extends string>(kind: K, handler: (job: JobOf<K>) => Promise<void> | void, opts: HandlerOptions = {}): this {
    if (this.handlers.has(kind)) throw new Error(`a handler for ${kind} is already registered`);
    // The one place a stored payload is taken to have its kind's declared shape.
    this.handlers.set(kind, handler as unknown as JobHandler);
    if (opts.background) this.backgroundKinds.push(kind);
    else if (opts.usesHomeserver) this.homeserverKinds.push(kind);
    if (opts.background || opts.usesHomeserver) this.laneKinds.push(kind);
    return this;
  }

  start(): void {
    for (const lane of this.lanes) lane.start();
  }

  /** Call after scheduling a job so it runs without waiting for the next look. */
  wake(): void {
    for (const lane of this.lanes) lane.wake();
  }

  async stop(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.stop()));
  }

  /** Runs every job due now, in every lane; returns how long until the next one (for tests). */
  async runDue(): Promise<number | null> {
    const waits: Array<number | null> = [];
    for (const kinds of this.filters()) waits.push(await this.runLane(kinds));
    const known = waits.filter((w): w is number => w !== null);
    return known.length ? Math.min(...known) : null;
  }

  private async runLane(kinds: KindFilter): Promise<number | null> {
    for (;;) {
      const due = this.d.jobs.due(this.d.clock.now(), 20, kinds);
      if (due.length === 0) break;
      for (const job of due) await this.runOne(job);
    }
    const next = this.d.jobs.nextDueAt(kinds);
    return next === null ? null : Math.max(0, next - this.d.clock.now());
  }

  private async runOne(job: Job): Promise<void> {
    const handler = this.handlers.get(job.kind);
    if (!handler) {
      this.d.jobs.markFailed(job.id, `no handler for ${job.kind}`, job.dueAt, true, this.d.clock.now());
      this.d.log.error({ jobId: job.id, kind: job.kind }, "a job has no handler; parked as failed");
      return;
    }
    this.d.observeRun?.(job.kind, this.d.clock.now() - job.dueAt);
    try {
      await handler(job);
      this.d.jobs.markDone(job.id, job.dueAt, this.d.clock.now());
    } catch (err) {
      const advice = this.d.retryAdvice(err, job.attempts);
      const now = this.d.clock.now();
      this.d.jobs.markFailed(job.id, advice.reason, now + advice.delayMs, advice.permanent, now);
      const fields = { jobId: job.id, kind: job.kind, key: job.key, attempts: job.attempts + 1, reason: advice.reason };
      if (advice.permanent) this.d.log.error(fields, "a job failed and will not be retried");
      else this.d.log.warn({ ...fields, retryInMs: advice.delayMs }, "a job failed; will retry");
    }
  }
}
