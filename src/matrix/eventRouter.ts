import type { Clock } from "../kernel/clock";
import type { Logger } from "../kernel/logger";
import type { Dispatcher } from "../commands/dispatcher";
import { supportNow } from "../messaging/support";
import { Message } from "../messaging/message";
import { commandName, looksLikeCommand } from "../commands/parse";
import { plainWordsReply } from "../commands/plainWords";
import type { CommandResult, CommandSpec } from "../commands/types";
import type { CarenetConfig } from "../config/types";
import type { AuditLog } from "../store/audit";
import type { CommunityRoomsStore } from "../features/communities/store/communityRooms";
import { atomically, type Atomically } from "../store/atomically";
import type { Db } from "../store/database";
import type { DmRoomsStore } from "./store/dmRooms";
import type { InboxRow, IncomingEvent } from "../store/inbox";
import type { InboxStore } from "../store/inbox";
import type { JobsStore } from "../store/jobs";
import type { OutboxStore, OutgoingMessage } from "../store/outbox";
import { priorityOf } from "./queuedEffects";
import type { Homeserver } from "./homeserver";
import { noticeContent, reactionContent, type NameLookup, type Reader } from "./content";
import type { EncryptedEvent } from "../ports/hooks";
import type { CommunityPlace, ReactionEvent, ReactionHook, MembershipHook, RoomMessageHook, ReplyHook, PlainAnswerHook } from "../ports/hooks";
import { JOIN_JOB } from "./invitations";
import { inThreadOf, withoutReplyFallback, writtenText } from "./messageText";
import { t, time, zone } from "../words";
import { communityById } from "../config/communities";
import { isStaffOf } from "../config/roles";

export { withoutReplyFallback };

/** A text message as the router passes it between its steps. */
interface WrittenMessage {
  row: InboxRow;
  ev: IncomingEvent;
  roomId: string;
  sender: string;
  place: CommunityPlace | undefined;
  isDm: boolean;
  /** What was written, mentions as user ids, page aliases expanded, a reply's quote left out. */
  body: string;
  /** The event this one replies to, if any. */
  inReplyTo: unknown;
}

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
  /** The config in force now (it changes on reload). */
  config: () => CarenetConfig;
  rooms: CommunityRoomsStore;
  audit: AuditLog;
  /** Joining a room on invitation is a durable job (see invitations.ts). */
  jobs: JobsStore;
  wakeScheduler: () => void;
  /** Called, inside the handling transaction, for every message posted in a community room. */
  roomMessageHooks?: RoomMessageHook[];
  /**
   * Called, inside the handling transaction, when someone's membership changes in a room
   * the bot is in (`place` is set for community rooms).
   */
  membershipHooks?: MembershipHook[];
  /** Called, inside the handling transaction, for every reaction in a room the bot is in. */
  reactionHooks?: ReactionHook[];
  /** Offered, inside the handling transaction, every plain (non-command) reply to an earlier event. */
  replyHooks?: ReplyHook[];
  /**
   * Offered, inside the handling transaction and before the plain-words answer, every plain
   * (non-command) message no reply hook took someone writes in their own DM: "3" or "okay" while a
   * check-in prompt is open answers it. The first hook that returns a result answers.
   */
  plainAnswerHooks?: PlainAnswerHook[];
  /** Called, inside the handling transaction, for every m.room.encrypted event (carenet cannot read them). */
  encryptedHooks?: Array<(e: EncryptedEvent) => void>;
  maxEventAgeMs: number;
  /** Called after messages were queued, so the sender picks them up at once. */
  outboxChanged: () => void;
  /** Names to address an alerting reply's people by (none: their Matrix IDs). */
  names?: NameLookup;
  /** Who reads a reply (language, names, zone labels); without it, English with `names`. */
  readers?: { forUser(userId: string): Reader; forRoom(roomId: string): Reader };
}

export type { CommunityPlace, RoomMessageHook, MembershipHook, ReactionEvent, ReactionHook, ReplyHook, PlainAnswerHook } from "../ports/hooks";

/** Marks a reaction hook as wanting late reactions too (see ReactionHook.acceptsLate). */
export function acceptingLateReactions(hook: (r: ReactionEvent) => void): ReactionHook {
  return Object.assign(hook, { acceptsLate: true });
}


/**
 * Turns recorded events into carenet's responses. Homeserver calls made here are
 * idempotent (joins, leaves); everything said back goes through the outbox, queued in
 * the same SQLite transaction that marks the event handled.
 */
export class EventRouter {
  private readonly atomically: Atomically;

  constructor(private readonly d: EventRouterDeps) {
    this.atomically = atomically(d.db);
  }

  /**
   * Handles one event. What needs only SQLite is done before this returns (nothing is
   * returned); a promise comes back only when the handling waits on something (a command's
   * homeserver check, leaving a room), so the inbox worker can batch the rest.
   */
  readonly handle = (row: InboxRow): void | Promise<void> => {
    const ev = row.event;
    if (ev.type === "m.room.member" && ev.state_key === this.d.botUserId) {
      const waiting = this.onBotMembership(row, ev);
      if (waiting) return waiting.then(() => this.commit(row, []));
    } else if (ev.type === "m.room.member" && typeof ev.state_key === "string") {
      this.onMembership(row, ev);
      return;
    } else if (ev.type === "m.room.message") {
      const waiting = this.onMessage(row, ev);
      if (waiting) return waiting.then(() => this.commit(row, []));
    } else if (ev.type === "m.reaction") {
      this.onReaction(row, ev);
      return;
    } else if (ev.type === "m.room.encrypted") {
      this.onEncrypted(row, ev);
      return;
    }
    this.commit(row, []); // events that needed no answer
  };

  /** Events carenet never acts on: its own, and anything in its namespace. */
  static isOwn(ev: IncomingEvent, botUserId: string, localpart: string): boolean {
    const sender = typeof ev.sender === "string" ? ev.sender : "";
    return sender === botUserId || sender.startsWith(`@${localpart}_`);
  }

  /** Returns a promise only when it has to wait on the homeserver. */
  private onBotMembership(row: InboxRow, ev: IncomingEvent): Promise<void> | undefined {
    const content = (ev.content ?? {}) as { membership?: string; is_direct?: boolean };
    const roomId = String(ev.room_id);
    const sender = String(ev.sender);
    if (content.membership === "invite") {
      if (domainOf(sender) !== this.d.domain) {
        this.d.log.info({ roomId, senderDomain: domainOf(sender) }, "declined an invite from another homeserver");
        return ignoreGone(() => this.d.homeserver.leaveRoom(roomId, "carenet only serves its own homeserver's users"));
      }
      // Joined (and welcomed) by a durable job, retried through homeserver outages.
      const payload = { roomId, inviter: sender, direct: !!content.is_direct };
      this.commit(row, [], () => this.d.jobs.schedule({ kind: JOIN_JOB, key: `join:${row.eventId}`, dueAt: this.d.clock.now(), payload }, this.d.clock.now()));
      this.d.wakeScheduler();
      return;

    } else if (content.membership === "leave" || content.membership === "ban") {
      this.d.dmRooms.forget(roomId, this.d.clock.now());
    }
    return undefined;
  }

  /** Where `roomId` sits in the communities of the config in force, if anywhere. */
  placeOf(roomId: string): CommunityPlace | undefined {
    const room = this.d.rooms.byRoomId(roomId);
    if (!room) return undefined;
    const community = communityById(this.d.config().communities, room.communityId);
    return community && { community, roomKey: room.roomKey, roomId };
  }

  private onMembership(row: InboxRow, ev: IncomingEvent): void {
    const userId = String(ev.state_key);
    const content = (ev.content ?? {}) as { membership?: string; displayname?: unknown };
    const previous = (ev.unsigned as { prev_content?: { membership?: string } } | undefined)?.prev_content?.membership;
    const roomId = String(ev.room_id);
    const membership = String(content.membership ?? "");
    const place = this.placeOf(roomId);
    this.commit(row, [], () => {
      const dmUser = this.d.dmRooms.userFor(roomId);
      // Someone who leaves their conversation with the bot gets a new one next time; and a
      // conversation someone else is brought into is no longer private, so it stops being one.
      if ((membership === "leave" || membership === "ban") && dmUser === userId) this.d.dmRooms.forget(roomId, this.d.clock.now());
      if ((membership === "join" || membership === "invite") && dmUser !== undefined && userId !== dmUser && userId !== this.d.botUserId) {
        this.d.dmRooms.forget(roomId, this.d.clock.now());
        this.d.log.info({ roomId }, "a third person joined a direct chat; it is no longer used for private messages");
      }
      for (const hook of this.d.membershipHooks ?? []) {
        hook({ roomId, place, userId, sender: String(ev.sender), membership, previous, eventId: row.eventId, displayName: content.displayname });
      }
    });
  }

  private onReaction(row: InboxRow, ev: IncomingEvent): void {
    const rel = (ev.content as { "m.relates_to"?: { rel_type?: string; event_id?: unknown; key?: unknown } } | undefined)?.["m.relates_to"];
    const roomId = String(ev.room_id);
    this.commit(row, [], () => {
      if (rel?.rel_type !== "m.annotation" || typeof rel.event_id !== "string" || typeof rel.key !== "string") return;
      const late = this.isStale(row, ev);
      for (const hook of this.d.reactionHooks ?? []) {
        if (late && !hook.acceptsLate) continue;
        hook({ roomId, sender: String(ev.sender), targetEventId: rel.event_id, key: rel.key, eventId: row.eventId, place: this.placeOf(roomId), late });
      }
    });
  }

  private onEncrypted(row: InboxRow, ev: IncomingEvent): void {
    const roomId = String(ev.room_id);
    const relatesTo = (ev.content as { "m.relates_to"?: EncryptedEvent["relatesTo"] } | undefined)?.["m.relates_to"];
    const e: EncryptedEvent = { roomId, sender: String(ev.sender), eventId: row.eventId, place: this.placeOf(roomId), relatesTo };
    this.commit(row, [], () => {
      for (const hook of this.d.encryptedHooks ?? []) hook(e);
    });
    this.d.outboxChanged();
  }

  /** Returns a promise only for a command that waits on the homeserver (one with a precheck). */
  private onMessage(row: InboxRow, ev: IncomingEvent): Promise<void> | undefined {
    const roomId = String(ev.room_id);
    const sender = String(ev.sender);
    const isDm = this.d.dmRooms.userFor(roomId) === sender;
    const place = isDm ? undefined : this.placeOf(roomId);
    const isStaff = !!place && isStaffOf(place.community, sender);
    // Every message in a community room, whatever its kind (an image, an edit): posting
    // hours must see them all.
    if (place && this.d.roomMessageHooks?.length) {
      const sentAt = sentAtOf(row, ev);
      this.atomically(() => {
        for (const hook of this.d.roomMessageHooks ?? []) hook({ place, sender, eventId: row.eventId, isStaff, sentAt });
      });
    }
    const text = writtenText(ev);
    if (!text) return;
    const { body, inReplyTo } = text;
    const message: WrittenMessage = { row, ev, roomId, sender, place, isDm, body, inReplyTo };
    if (!looksLikeCommand(body)) return this.onPlainWords(message);
    if (this.isStale(row, ev) && !this.runsWhenLate(body)) return this.refuseLate(message);
    const answered = this.d.dispatcher.dispatchNow(
      body,
      {
        sender,
        place: isDm ? "dm" : "room",
        roomId,
        eventId: row.eventId,
        community: place?.community,
        roomKey: place?.roomKey,
        isStaffHere: isStaff && place?.roomKey === "staff",
        now: this.d.clock.now(),
        crisisResources: this.d.config().crisis_resources,
      },
      (result, spec) => {
        this.auditIfStaff(result, spec, sender, place);
        this.reply(row, roomId, result, true, sender);
      },
    );
    // Only a command with a precheck waits; any other is done, and its batch goes on.
    return answered instanceof Promise ? answered.then(() => undefined) : undefined;
  }

  /**
   * Words that are not a command: a reply to one of carenet's questions, an answer in the
   * DM (a check-in), else, in the DM, how to reach a person.
   */
  private onPlainWords(m: WrittenMessage): undefined {
    const { row, ev, roomId, sender, place, isDm, body, inReplyTo } = m;
    const now = () => this.d.clock.now();
    const crisisResources = () => this.d.config().crisis_resources;
    if (typeof inReplyTo === "string" && this.d.replyHooks?.length && !this.isStale(row, ev)) {
      const text = withoutReplyFallback(body);
      const r = { roomId, sender, inReplyTo, text, eventId: row.eventId, place };
      if (this.firstAnswer(m, this.d.replyHooks, (hook) => hook({ ...r, now: now(), crisisResources: crisisResources() }))) return;
    }
    if (isDm && this.d.plainAnswerHooks?.length && !this.isStale(row, ev)) {
      const r = { roomId, sender, text: body.trim(), eventId: row.eventId };
      if (this.firstAnswer(m, this.d.plainAnswerHooks, (hook) => hook({ ...r, now: now(), crisisResources: crisisResources() }))) return;
    }
    // Plain words in the DM: how to reach a person first. Answered even when they reached
    // carenet late — whoever wrote them may still need someone. The text is not kept.
    if (isDm) this.reply(row, roomId, { outcome: "ok", reply: plainWordsReply(crisisResources()) }, false);
    return undefined;
  }

  /** Asks each hook in turn, in one transaction; the first that answers is replied with. */
  private firstAnswer<H>(m: WrittenMessage, hooks: readonly H[], ask: (hook: H) => CommandResult | undefined): boolean {
    let answered = false;
    this.atomically(() => {
      for (const hook of hooks) {
        const result = ask(hook);
        if (!result) continue;
        this.reply(m.row, m.roomId, result, true, m.sender);
        answered = true;
        return;
      }
    });
    return answered;
  }

  /** A command that reached carenet too late to act on, refused with when it was sent. */
  private refuseLate({ row, ev, roomId, place }: WrittenMessage): undefined {
    // In the community's zone (with its label) when the room is one of its rooms; else UTC.
    const zoneName = place?.community.timezone ?? "UTC";
    this.reply(row, roomId, {
      outcome: "refused",
      reply: new Message()
        .p(t("commands.late", { at: time(sentAtOf(row, ev), zoneName, "datetime"), zone: zone(zoneName) }))
        .append(supportNow(this.d.config().crisis_resources)),
    });
    return undefined;
  }

  /** Every staff command, done or refused, goes in the audit log (what, not what was said). */
  private auditIfStaff(result: CommandResult, spec: CommandSpec | undefined, sender: string, place: CommunityPlace | undefined): void {
    if (spec?.audience !== "staff") return;
    // A command that audited what it did (member.add, …) is not logged a second time.
    if (result.outcome === "ok" && result.audited) return;
    const why = result.outcome === "refused" ? `: ${result.reply.plain.split("\n")[0]}` : "";
    this.d.audit.append(
      {
        communityId: place?.community.id ?? null,
        actor: sender,
        action: result.outcome === "ok" ? `command.${spec.name}` : "command.refused",
        subject: null,
        detail: `${result.ran ?? `!${spec.name}`} ${result.outcome}${why}`,
      },
      this.d.clock.now(),
    );
  }

  private runsWhenLate(body: string): boolean {
    const name = commandName(body);
    return !!name && !!this.d.dispatcher.specs.find((c) => c.name === name)?.runWhenLate;
  }

  private isStale(row: InboxRow, ev: IncomingEvent): boolean {
    return row.receivedAt - sentAtOf(row, ev) > this.d.maxEventAgeMs;
  }

  private reply(row: InboxRow, roomId: string, result: CommandResult, react = true, sender?: string): void {
    const privately = result.replyTo === "dm" && sender !== undefined && this.d.dmRooms.userFor(roomId) !== sender;
    const priority = priorityOf(result.reply, result.urgent);
    const messages: OutgoingMessage[] = [
      privately
        ? { dedupeKey: `reply:${row.eventId}`, toUser: sender, eventType: "m.room.message", content: noticeContent(result.reply, undefined, this.d.readers?.forUser(sender) ?? this.d.names), priority }
        : { dedupeKey: `reply:${row.eventId}`, roomId, eventType: "m.room.message", content: inThreadOf(row.event, row.eventId, noticeContent(result.reply, row.eventId, this.d.readers?.forRoom(roomId) ?? this.d.names)), priority },
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

  /** Queues messages, runs `also`, and marks the event handled — all or nothing (nested: a savepoint). */
  private commit(row: InboxRow, messages: OutgoingMessage[], also?: () => void): void {
    const now = this.d.clock.now();
    this.atomically(() => {
      for (const m of messages) this.d.outbox.enqueue(m, now);
      also?.();
      this.d.inbox.markDone(row.seq, now);
    });
    if (messages.length) this.d.outboxChanged();
  }
}

/**
 * When an event was sent, as far as carenet can trust it. `origin_server_ts` is the word of
 * the sender's server: one that is not a time at all (a string, NaN, negative, beyond any
 * date) counts as the moment the event arrived, and one after that moment is taken as it.
 */
export function sentAtOf(row: Pick<InboxRow, "receivedAt">, ev: IncomingEvent): number {
  const ts = ev.origin_server_ts;
  return typeof ts === "number" && Number.isSafeInteger(ts) && ts >= 0 ? Math.min(ts, row.receivedAt) : row.receivedAt;
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
