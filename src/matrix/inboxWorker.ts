import type { Clock } from "../app/clock";
import type { Logger } from "../app/logger";
import { Pump } from "../app/pump";
import type { InboxRow, InboxStore } from "../store/inbox";

/** Handles one recorded event. It must mark the row done itself, in the same SQLite
 * transaction as the effects it records, so the two cannot come apart. */
export type EventHandler = (row: InboxRow) => Promise<void>;

const MAX_ATTEMPTS = 8;

/**
 * Works through the inbox in arrival order. A failing event is retried with backoff
 * without holding up the ones behind it, and parked (logged) after MAX_ATTEMPTS.
 */
export class InboxWorker {
  private readonly pump: Pump;
  private readonly notBefore = new Map<number, number>();

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
  ) {
    this.pump = new Pump(() => this.drain(), (err) => this.log.error({ err }, "inbox loop failed"));
  }

  start(): void {
    this.pump.start();
  }

  wake(): void {
    this.pump.wake();
  }

  stop(): Promise<void> {
    return this.pump.stop();
  }

  private async drain(): Promise<number | null> {
    let soonest: number | null = null;
    let handled = 0;
    for (;;) {
      const now = this.clock.now();
      const rows = this.inbox.pending(200).filter((r) => (this.notBefore.get(r.seq) ?? 0) <= now);
      if (rows.length === 0) break;
      for (const row of rows) {
        handled++;
        try {
          await this.handle(row);
          // A handler that forgot to mark its row would otherwise be handled forever.
          this.inbox.markDone(row.seq, this.clock.now());
          this.notBefore.delete(row.seq);
        } catch (err) {
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
    }
    if (handled > 0) {
      try {
        this.afterDrained();
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, "could not clear handled events from the write-ahead log; will try after the next ones");
      }
    }
    for (const t of this.notBefore.values()) soonest = soonest === null ? t : Math.min(soonest, t);
    return soonest === null ? null : Math.max(0, soonest - this.clock.now());
  }
}
