import type { Clock } from "../app/clock";
import type { Logger } from "../app/logger";
import type { Dispatcher } from "../commands/dispatcher";
import { supportNow } from "../commands/help";
import { Message } from "../commands/message";
import { looksLikeCommand } from "../commands/parse";
import type { CommandResult } from "../commands/types";
import type { Db } from "../store/database";
import type { DmRoomsStore } from "../store/dmRooms";
import type { InboxRow, IncomingEvent } from "../store/inbox";
import type { InboxStore } from "../store/inbox";
import type { OutboxStore, OutgoingMessage } from "../store/outbox";
import type { Homeserver } from "./homeserver";
import { noticeContent, reactionContent } from "./content";

export interface EventRouterDeps {
  db: Db;
  inbox: InboxStore;
  outbox: OutboxStore;
  dmRooms: DmRoomsStore;
  homeserver: Homeserver;
  dispatcher: Dispatcher;
  clock: Clock;
  log: Logger;
  botUserId: string;
  domain: string;
  crisisResources: () => string;
  maxEventAgeMs: number;
  /** Called after messages were queued, so the sender picks them up at once. */
  outboxChanged: () => void;
}

/**
 * Turns recorded events into carenet's responses. Homeserver calls made here are
 * idempotent (joins, leaves); everything said back goes through the outbox, queued in
 * the same SQLite transaction that marks the event handled.
 */
export class EventRouter {
  constructor(private readonly d: EventRouterDeps) {}

  readonly handle = async (row: InboxRow): Promise<void> => {
    const ev = row.event;
    if (ev.type === "m.room.member" && ev.state_key === this.d.botUserId) {
      await this.onBotMembership(row, ev);
    } else if (ev.type === "m.room.message") {
      await this.onMessage(row, ev);
    }
    this.commit(row, []); // events that needed no answer
  };

  /** Events carenet never acts on: its own, and anything in its namespace. */
  static isOwn(ev: IncomingEvent, botUserId: string, localpart: string): boolean {
    const sender = typeof ev.sender === "string" ? ev.sender : "";
    return sender === botUserId || sender.startsWith(`@${localpart}_`);
  }

  private async onBotMembership(row: InboxRow, ev: IncomingEvent): Promise<void> {
    const content = (ev.content ?? {}) as { membership?: string; is_direct?: boolean };
    const roomId = String(ev.room_id);
    const sender = String(ev.sender);
    if (content.membership === "invite") {
      if (domainOf(sender) !== this.d.domain) {
        this.d.log.info({ roomId, senderDomain: domainOf(sender) }, "declined an invite from another homeserver");
        await ignoreGone(() => this.d.homeserver.leaveRoom(roomId, "carenet only serves its own homeserver's users"));
        return;
      }
      await ignoreGone(() => this.d.homeserver.joinRoom(roomId));
      if (content.is_direct) {
        const welcome = new Message()
          .p("Hello — I am the care network's assistant. Send `!help` to see what I can do for you.")
          .append(supportNow(this.d.crisisResources()));
        this.commit(row, [{ dedupeKey: `welcome:${row.eventId}`, roomId, eventType: "m.room.message", content: noticeContent(welcome) }], () =>
          this.d.dmRooms.record(roomId, sender, this.d.clock.now()),
        );
      }
      this.d.log.info({ roomId, direct: !!content.is_direct }, "joined a room on invitation");
    } else if (content.membership === "leave" || content.membership === "ban") {
      this.d.dmRooms.forget(roomId);
    }
  }

  private async onMessage(row: InboxRow, ev: IncomingEvent): Promise<void> {
    const content = (ev.content ?? {}) as { msgtype?: string; body?: unknown; "m.relates_to"?: { rel_type?: string } };
    if (content.msgtype !== "m.text" || typeof content.body !== "string") return;
    if (content["m.relates_to"]?.rel_type === "m.replace") return; // edits are not new commands
    const roomId = String(ev.room_id);
    const sender = String(ev.sender);
    const isDm = this.d.dmRooms.userFor(roomId) === sender;
    const body = content.body;

    if (!looksLikeCommand(body)) {
      if (isDm && !this.isStale(row, ev)) {
        this.reply(row, roomId, {
          outcome: "ok",
          reply: new Message()
            .p("I only understand commands that start with `!` — send `!help` to see them. I am not read by a person.")
            .append(supportNow(this.d.crisisResources())),
        }, false);
      }
      return;
    }
    if (this.isStale(row, ev)) {
      const sentAt = new Date(Number(ev.origin_server_ts)).toISOString().slice(0, 16).replace("T", " ");
      this.reply(row, roomId, {
        outcome: "refused",
        reply: new Message()
          .p(`Your command from ${sentAt} UTC reached me late (I was unavailable), so I have not run it. Please send it again if you still need it.`)
          .append(supportNow(this.d.crisisResources())),
      });
      return;
    }
    const result = await this.d.dispatcher.dispatch(body, {
      sender,
      place: isDm ? "dm" : "room",
      isStaffHere: false,
      now: this.d.clock.now(),
      crisisResources: this.d.crisisResources(),
    });
    this.reply(row, roomId, result);
  }

  private isStale(row: InboxRow, ev: IncomingEvent): boolean {
    const ts = Number(ev.origin_server_ts);
    return Number.isFinite(ts) && row.receivedAt - ts > this.d.maxEventAgeMs;
  }

  private reply(row: InboxRow, roomId: string, result: CommandResult, react = true): void {
    const messages: OutgoingMessage[] = [
      {
        dedupeKey: `reply:${row.eventId}`,
        roomId,
        eventType: "m.room.message",
        content: noticeContent(result.reply, row.eventId),
      },
    ];
    if (react) {
      messages.push({
        dedupeKey: `react:${row.eventId}`,
        roomId,
        eventType: "m.reaction",
        content: reactionContent(row.eventId, result.outcome === "ok" ? "✅" : "⛔"),
      });
    }
    this.commit(row, messages);
  }

  /** Queues messages, runs `also`, and marks the event handled — all or nothing. */
  private commit(row: InboxRow, messages: OutgoingMessage[], also?: () => void): void {
    const now = this.d.clock.now();
    this.d.db.transaction(() => {
      for (const m of messages) this.d.outbox.enqueue(m, now);
      also?.();
      this.d.inbox.markDone(row.seq, now);
    })();
    if (messages.length) this.d.outboxChanged();
  }
}

function domainOf(userId: string): string {
  return userId.slice(userId.indexOf(":") + 1);
}

/** Joining or leaving a room that no longer exists (or an invite withdrawn) is not a failure to retry. */
async function ignoreGone(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 403 || status === 404) return;
    throw err;
  }
}
