import type { Clock } from "../kernel/clock";
import type { Logger } from "../kernel/logger";
import { Pump } from "../kernel/pump";
import type { InboxRow, InboxStore } from "../store/inbox";

/**
 * Handles one recorded event. It must mark the row done itself, in the same SQLite
 * transaction as the effects it records, so the two cannot come apart. A handler that
 * needs nothing but SQLite returns without a promise; one that has to wait (on the
 * homeserver) returns a promise, and records its outcome in its own transaction.
 */
export type EventHandler = (row: InboxRow) => void | Promise<void>;

/** Runs `fn` in one SQLite transaction (a savepoint when nested); rolls back if it throws. */
export type Atomically = <T>(fn: () => T) => T;

const MAX_ATTEMPTS = 8;
/**
 * afterDrained runs at most this often: emptying the write-ahead log costs syncs of its
 * own, and under a steady stream of transactions running it after every one of them cost
 * more than handling their events.
 */
const AFTER_DRAINED_EVERY_MS = 1000;
/** Rows read, and handled in one SQLite transaction, at a time. */
const BATCH = 100;

/**
 * How handling makes way for recording. The homeserver sends its next transaction only
 * once the last is acknowledged, so a batch that starts in that gap holds the next
 * acknowledgement up for as long as it runs. While transactions keep coming (one came
 * within `quietMs`), handling waits for a pause, but for no more than `maxDeferMs` in one
 * round of draining; after that it goes on batch by batch, yielding between batches, as if
 * nothing were arriving, so a steady stream never starves it. A transaction that comes after
 * a quiet spell is handled at once: nothing is waiting behind it, and a lone `!page` should
 * not pay for a pause meant for streams. Quiet means no transaction, and no handling batch,
 * in the `quietMs` before it: a transaction held up while a batch ran is part of a stream.
 */
export interface Pacing {
  quietMs: number;
  maxDeferMs: number;
}

export const DEFAULT_PACING: Pacing = { quietMs: 5, maxDeferMs: 200 };

/**
 * Works through the inbox in arrival order. A failing event is retried with backoff
 * without holding up the ones behind it, and parked (logged) after MAX_ATTEMPTS.
 *
 * Events whose handlers need only SQLite are handled in batches, each batch one SQLite
 * transaction (one commit, one sync to disk, instead of one per event), every event in a
 * savepoint of its own so one that fails takes nothing else with it. An event whose handler
 * has to wait ends the batch, and the events after it wait for it: they are still handled
 * one after another, in order. Between batches the worker gives the event loop back, and
 * while the homeserver is sending transactions back to back it waits for a pause (Pacing),
 * so the next transaction is recorded and acknowledged without waiting for handling.
 */
export class InboxWorker {
  private readonly pump: Pump;
  private readonly notBefore = new Map<number, number>();
  private afterDrainedTimer: NodeJS.Timeout | undefined;
  private afterDrainedAt = 0;
  /** When a transaction (or catch-up) last recorded events, on the monotonic clock. */
  private lastArrival = -Infinity;
  /** When a handling batch last ended, on the monotonic clock. */
  private lastBatchEnd = -Infinity;
  /** Whether the last arrival came within `quietMs` of the one before it or of a batch's end (see Pacing). */
  private streaming = false;
  private stopping = false;

  constructor(
    private readonly inbox: InboxStore,
    private readonly handle: EventHandler,
    private readonly clock: Clock,
    private readonly log: Logger,
    /**
     * Called when the inbox is drained after handling something: handled events' content
     * is cleared in their rows, and this lets the old copies go from the file too.
     */
    private readonly afterDrained: () => void = () => undefined,
    /** The database's transaction for a batch (src/store/handlingBatch.ts); without it, each event is committed on its own. */
    private readonly atomically: Atomically = (fn) => fn(),
    private readonly pacing: Pacing = DEFAULT_PACING,
  ) {
    this.pump = new Pump(() => this.drain(), (err) => this.log.error({ err }, "inbox loop failed"));
  }

  start(): void {
    this.stopping = false;
    this.pump.start();
  }

  /** Called when events were recorded: they will be handled once arrivals pause (see Pacing). */
  wake(): void {
    const now = performance.now();
    this.streaming = now - Math.max(this.lastArrival, this.lastBatchEnd) < this.pacing.quietMs;
    this.lastArrival = now;
    this.pump.wake();
  }

  stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.afterDrainedTimer);
    this.afterDrainedTimer = undefined;
    return this.pump.stop();
  }

  private async drain(): Promise<number | null> {
    let soonest: number | null = null;
    let handled = 0;
    const deferUntil = performance.now() + this.pacing.maxDeferMs;
    for (;;) {
      await this.pauseForArrivals(deferUntil);
      const now = this.clock.now();
      const rows = this.inbox.pending(BATCH).filter((r) => (this.notBefore.get(r.seq) ?? 0) <= now);
      if (rows.length === 0) break;
      let next = 0;
      while (next < rows.length) {
        let waiting: { row: InboxRow; done: Promise<void> } | undefined;
        try {
          this.atomically(() => {
            while (next < rows.length && !waiting) {
              const row = rows[next++];
              handled++;
              const done = this.handleNow(row);
              if (done) waiting = { row, done };
            }
          });
        } catch (err) {
          // The batch's commit failed (disk full): its events stay pending for the next round.
          void waiting?.done.catch(() => undefined);
          throw err;
        }
        if (waiting) {
          try {
            await waiting.done;
            this.succeeded(waiting.row);
          } catch (err) {
            this.failed(waiting.row, err);
          }
        }
        this.lastBatchEnd = performance.now();
        // Let the homeserver's next transaction in before the next batch.
        await new Promise<void>((resolve) => setImmediate(resolve));
        await this.pauseForArrivals(deferUntil);
      }
    }
    if (handled > 0) this.scheduleAfterDrained();
    for (const t of this.notBefore.values()) soonest = soonest === null ? t : Math.min(soonest, t);
    return soonest === null ? null : Math.max(0, soonest - this.clock.now());
  }

  /** Waits while transactions are still coming one after another, until `deferUntil` at most. */
  private async pauseForArrivals(deferUntil: number): Promise<void> {
    for (;;) {
      if (!this.streaming) return;
      const now = performance.now();
      const quietIn = this.lastArrival + this.pacing.quietMs - now;
      if (quietIn <= 0 || now >= deferUntil || this.stopping) return;
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(quietIn, deferUntil - now)));
    }
  }

  /** Runs afterDrained now, or once AFTER_DRAINED_EVERY_MS has passed since it last ran. */
  private scheduleAfterDrained(): void {
    if (this.afterDrainedTimer) return;
    const run = () => {
      this.afterDrainedTimer = undefined;
      this.afterDrainedAt = Date.now();
      try {
        this.afterDrained();
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, "could not clear handled events from the write-ahead log; will try after the next ones");
      }
    };
    const wait = this.afterDrainedAt + AFTER_DRAINED_EVERY_MS - Date.now();
    if (wait <= 0) return run();
    this.afterDrainedTimer = setTimeout(run, wait);
    this.afterDrainedTimer.unref();
  }

  /** Handles `row` inside the batch; returns the promise of a handler that has to wait. */
  private handleNow(row: InboxRow): Promise<void> | undefined {
    let pending: Promise<void> | undefined;
    try {
      // A savepoint: an event that throws takes back only its own writes.
      this.atomically(() => {
        const result = this.handle(row);
        if (isPromise(result)) pending = result;
        else this.succeeded(row);
      });
    } catch (err) {
      this.failed(row, err);
    }
    return pending;
  }

  private succeeded(row: InboxRow): void {
    // A handler that forgot to mark its row would otherwise be handled forever.
    this.inbox.markDone(row.seq, this.clock.now());
    this.notBefore.delete(row.seq);
  }

  private failed(row: InboxRow, err: unknown): void {
    const message = (err as Error)?.message ?? String(err);
    const outcome = this.inbox.markAttemptFailed(row.seq, message, this.clock.now(), MAX_ATTEMPTS);
    const fields = { eventId: row.eventId, type: row.event.type, attempts: row.attempts + 1, error: message };
    if (outcome === "failed") {
      this.notBefore.delete(row.seq);
      this.log.error(fields, "gave up handling an event");
    } else {
      const delay = Math.min(60_000, 500 * 2 ** row.attempts);
      this.notBefore.set(row.seq, this.clock.now() + delay);
      this.log.warn({ ...fields, retryInMs: delay }, "handling an event failed; will retry");
    }
  }
}

function isPromise(x: unknown): x is Promise<void> {
  return typeof (x as { then?: unknown } | undefined)?.then === "function";
}
