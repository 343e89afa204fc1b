import type { AppContext } from "../../src/app/context";
import { createEventRouter } from "../../src/app/appContext";
import type { EventRouter } from "../../src/matrix/eventRouter";
import { InboxStore, type IncomingEvent } from "../../src/store/inbox";
import type { Db } from "../../src/store/database";
import { queuedByKey } from "./outboxRows";
import { testDispatcher } from "./testApp";

/** carenet's answer to one message: the reaction it put on it and the reply it queued. */
export interface Answer {
  outcome: "ok" | "refused" | undefined;
  /** The reply's plain text. */
  text: string;
  /** Where the reply went: a room id, or `dm:<user>` for a message to the person directly. */
  to: string;
  eventId: string;
}

/**
 * Events arrive as the homeserver's transactions would bring them: recorded in the inbox,
 * then handled by the real event router and dispatcher over `app`.
 */
export class EventFeed {
  readonly router: EventRouter;
  private readonly inbox: InboxStore;
  private seq = 0;

  constructor(
    private readonly db: Db,
    app: AppContext,
    private readonly now: () => number,
    /** Event ids are this and a number. */
    private readonly idPrefix = "$ev",
  ) {
    this.inbox = new InboxStore(db);
    this.router = createEventRouter(app, { inbox: this.inbox, dispatcher: testDispatcher(app), maxEventAgeMs: 5 * 60_000 });
  }

  /** Delivers one event (stamped now) and handles everything pending; returns its event id. */
  async deliver(ev: { type: string; room_id: string; sender: string; [key: string]: unknown }): Promise<string> {
    const eventId = `${this.idPrefix}${++this.seq}`;
    const event: IncomingEvent = { origin_server_ts: this.now(), ...ev, event_id: eventId };
    this.inbox.recordTransaction(`txn${this.seq}`, [event], this.now());
    for (const row of this.inbox.pending()) await this.router.handle(row);
    return eventId;
  }

  /** `sender` says `body` in `roomId`; returns carenet's answer. */
  async message(sender: string, roomId: string, body: string): Promise<Answer> {
    const eventId = await this.deliver({ type: "m.room.message", room_id: roomId, sender, content: { msgtype: "m.text", body } });
    const reply = queuedByKey(this.db, `reply:${eventId}`);
    const react = queuedByKey(this.db, `react:${eventId}`);
    const key = react ? String((react.content["m.relates_to"] as { key: string }).key) : undefined;
    return {
      outcome: key === "✅" ? "ok" : key === "⛔" ? "refused" : undefined,
      text: reply ? reply.body : "",
      to: reply ? (reply.toUser ? `dm:${reply.toUser}` : reply.roomId) : "",
      eventId,
    };
  }

  /** A membership change in a room, as the homeserver would deliver it (`previous`: the membership before). */
  async membership(roomId: string, userId: string, membership: string, opts: { sender?: string; previous?: string } = {}): Promise<void> {
    await this.deliver({
      type: "m.room.member",
      room_id: roomId,
      sender: opts.sender ?? userId,
      state_key: userId,
      content: { membership },
      ...(opts.previous ? { unsigned: { prev_content: { membership: opts.previous } } } : {}),
    });
  }
}
