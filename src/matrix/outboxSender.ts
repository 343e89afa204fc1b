import type { Clock } from "../app/clock";
import type { Failpoints } from "../app/failpoints";
import type { Logger } from "../app/logger";
import { Pump } from "../app/pump";
import type { OutboxRow, OutboxStore } from "../store/outbox";
import { fitContent } from "./fitContent";
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
    /**
     * For a message queued for a room: the room to send it to now. A person's direct chat
     * that is no longer private to them (see DirectRooms.privateRoomFor) gives way to one
     * that is; any other room is returned as it is.
     */
    private readonly privateRoomFor: (roomId: string) => Promise<string> = async (roomId) => roomId,
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
          let content = msg.content;
          if (msg.toUser) {
            // Looked up on every attempt, not only the first: if the person left that chat,
            // or someone else was brought into it, a retry must not send there.
            const roomId = await this.directRoomFor(msg.toUser);
            if (roomId !== msg.roomId) this.outbox.setRoom(msg.id, roomId);
            msg.roomId = roomId;
          } else if (msg.eventType === "m.room.message") {
            // A reply in a person's direct chat is private too: checked when it is sent.
            const roomId = await this.privateRoomFor(msg.roomId);
            if (roomId !== msg.roomId) {
              content = withoutReplyRelation(content); // the event replied to is in the other room
              this.outbox.setRoom(msg.id, roomId, content);
              msg.roomId = roomId;
            }
          }
          // Too large for one event: several, in order, each with its own fixed transaction id.
          const parts = fitContent(content);
          let eventId = "";
          for (const [i, part] of parts.entries()) {
            const id = await this.homeserver.sendEvent(msg.roomId, msg.eventType, part, i === 0 ? msg.txnId : `${msg.txnId}.${i}`);
            if (i === 0) eventId = id;
          }
          if (this.failpoints.has("fail-after-send")) throw new Error("failpoint fail-after-send");
          this.outbox.markSent(msg.id, eventId, this.clock.now());
          this.observe?.(msg, "sent");
        } catch (err) {
          const advice = retryAdvice(err, msg.attempts);
          this.outbox.markFailed(msg.id, advice.reason, this.clock.now() + advice.delayMs, advice.permanent);
          const fields = { outboxId: msg.id, roomId: msg.roomId, attempts: msg.attempts + 1, reason: advice.reason };
          if (advice.permanent) {
            this.observe?.(msg, "failed");
            this.log.error(fields, "gave up sending a message: the homeserver refused it");
            this.sayNotShown(msg, err);
          }
          else this.log.warn({ ...fields, retryInMs: advice.delayMs }, "sending failed; will retry");
        }
      }
    }
    const next = this.outbox.nextDueAt();
    return next === null ? null : Math.max(0, next - this.clock.now());
  }

  /**
   * A message refused for its size (which fitContent should make impossible) is replaced
   * by a short one saying so, so the people waiting for it are not left with silence.
   */
  private sayNotShown(msg: OutboxRow, err: unknown): void {
    if ((err as { errcode?: string })?.errcode !== "M_TOO_LARGE" || msg.eventType !== "m.room.message" || msg.dedupeKey.endsWith(":not-shown")) return;
    const text = "A message I had for this room was too large for the homeserver to accept, so it could not be shown. Please ask staff if you were waiting for something.";
    this.outbox.enqueue(
      { dedupeKey: `${msg.dedupeKey}:not-shown`, roomId: msg.roomId, eventType: "m.room.message", content: { msgtype: "m.notice", body: text, "m.mentions": {} } },
      this.clock.now(),
    );
  }
}

function withoutReplyRelation(content: Record<string, unknown>): Record<string, unknown> {
  const { "m.relates_to": relation, ...rest } = content as { "m.relates_to"?: Record<string, unknown> };
  if (!relation || !("m.in_reply_to" in relation)) return content;
  return rest;
}
