import type { Clock } from "../app/clock";
import type { Failpoints } from "../app/failpoints";
import type { Logger } from "../app/logger";
import { Pump } from "../app/pump";
import type { OutboxRow, OutboxStore } from "../store/outbox";
import { type Homeserver, retryAdvice } from "./homeserver";

/**
 * Sends what the outbox holds, oldest first, each with the transaction id fixed when it
 * was queued. Failures are retried with backoff (429s after the homeserver's
 * retry_after_ms) until they succeed; only errors that waiting cannot fix are parked.
 */
export class OutboxSender {
  private readonly pump: Pump;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly homeserver: Homeserver,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly failpoints: Failpoints,
    /** The conversation for a message addressed to a person (see DirectRooms). */
    private readonly directRoomFor: (userId: string) => Promise<string>,
    /** Told when the homeserver took a message, and when one was given up on (for the metrics). */
    private readonly observe?: (msg: OutboxRow, outcome: "sent" | "failed") => void,
  ) {
    this.pump = new Pump(() => this.sendDue(), (err) => this.log.error({ err }, "outbox loop failed"));
  }

  start(): void {
    if (!this.failpoints.has("hold-outbox")) this.pump.start();
  }

  wake(): void {
    this.pump.wake();
  }

  stop(): Promise<void> {
    return this.pump.stop();
  }

  private async sendDue(): Promise<number | null> {
    for (;;) {
      const due = this.outbox.due(this.clock.now());
      if (due.length === 0) break;
      for (const msg of due) {
        try {
          if (msg.toUser) {
            // Looked up on every attempt, not only the first: if the person left that chat,
            // or someone else was brought into it, a retry must not send there.
            const roomId = await this.directRoomFor(msg.toUser);
            if (roomId !== msg.roomId) this.outbox.setRoom(msg.id, roomId);
            msg.roomId = roomId;
          }
          const eventId = await this.homeserver.sendEvent(msg.roomId, msg.eventType, msg.content, msg.txnId);
          if (this.failpoints.has("fail-after-send")) throw new Error("failpoint fail-after-send");
          this.outbox.markSent(msg.id, eventId, this.clock.now());
          this.observe?.(msg, "sent");
        } catch (err) {
          const advice = retryAdvice(err, msg.attempts);
          this.outbox.markFailed(msg.id, advice.reason, this.clock.now() + advice.delayMs, advice.permanent);
          const fields = { outboxId: msg.id, roomId: msg.roomId, attempts: msg.attempts + 1, reason: advice.reason };
          if (advice.permanent) this.observe?.(msg, "failed");
          if (advice.permanent) this.log.error(fields, "gave up sending a message: the homeserver refused it");
          else this.log.warn({ ...fields, retryInMs: advice.delayMs }, "sending failed; will retry");
        }
      }
    }
    const next = this.outbox.nextDueAt();
    return next === null ? null : Math.max(0, next - this.clock.now());
  }
}
