import type { Clock } from "../kernel/clock";
import type { Failpoints } from "../kernel/failpoints";
import type { Logger } from "../kernel/logger";
import { Pump } from "../kernel/pump";
import { ALERT, type OutboxHead, type OutboxRow, type OutboxStore } from "../store/outbox";
import { fitContent } from "./fitContent";
import { type Homeserver, retryAdvice } from "./homeserver";

export interface OutboxSenderOptions {
  /** How many rooms are sent to at once (read at every look, so a reloaded config applies). */
  concurrency?: () => number;
  /**
   * The person whose direct chat a room is (or was), if any: everything for that person —
   * messages addressed to them and messages queued for their chat — is sent one at a time,
   * in order, because finding or replacing their private chat must not run twice at once.
   */
  personOf?: (roomId: string) => string | undefined;
}

/**
 * Rooms sent to at once when no concurrency is given (the config's default is the same).
 * A burst's replies went out at half the rate Synapse took its members' own messages at
 * with 8: each send waits on the homeserver far longer than it costs it, so more at once.
 */
export const DEFAULT_SEND_CONCURRENCY = 32;

/** Places kept for urgent messages on top of `concurrency`, so a backlog of ordinary sends never holds up a page. */
export const URGENT_SLOTS = 2;

/**
 * How long a summons (ALERT: a message asking someone to come to a person now, such as a
 * page's request; `Message.summon`) has the homeserver to itself: while one is on its way,
 * nothing of lower priority starts, for at most this long after it started.
 * Synapse is one process: a page's request to the peer on call took about 35 ms beside the
 * member's answer and the support room's invitations, and about 20 ms alone, and the peer's
 * invitation itself came sooner after it than beside it. Other requests that summon (a peer's
 * invitation to a page's support room) get the same (see summoning). Bounded, so a slow or
 * failing homeserver holds the rest up by a quarter of a second at most.
 */
export const ALERT_HEAD_START_MS = 250;

/** How long a reaction waits at most while messages are waiting to be sent (replies go first). */
export const REACTION_WAIT_MS = 5_000;

/**
 * Reactions sent at once while messages are still waiting (those that waited REACTION_WAIT_MS):
 * enough that they are never starved, few enough that they take little of the homeserver
 * from the replies still to go. With no message waiting they have `concurrency` places.
 */
export const REACTION_SLOTS_WHILE_MESSAGES_WAIT = 1;

/**
 * Sends what the outbox holds, each with the transaction id fixed when it was queued.
 * Different rooms are sent to at once (up to `concurrency`); within a room (or for one
 * person) one message at a time, oldest first, so each room shows them in the order they
 * were queued. Summonses (ALERT: a page's request and the like) go first and have the
 * homeserver to themselves for a moment (ALERT_HEAD_START_MS); urgent messages (URGENT, which
 * include every other message that rings someone) go before ordinary ones; both have places of
 * their own (URGENT_SLOTS) when every ordinary place is taken; a room whose queue holds an
 * urgent message sends what comes before it in that room first, at the same priority, so
 * priority reorders rooms, never the messages of one room. Reactions have a pool of their
 * own, so they never take a reply's place, and wait (at most REACTION_WAIT_MS) while messages
 * are waiting, so a burst of commands gets its answers before its ✅s; past that wait, while
 * messages still wait, they go REACTION_SLOTS_WHILE_MESSAGES_WAIT at a time. Failures are retried with backoff until they succeed (a failed message
 * does not hold up the ones after it); a 429 pauses every send for the homeserver's
 * retry_after_ms, since the limit is the bot's, not a room's. Only errors that waiting
 * cannot fix are parked.
 */
export class OutboxSender {
  private readonly pump: Pump;
  /** Sends under way, by lane (see laneOf). */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** No send starts before this (clock time): the homeserver asked us to slow down. */
  private holdUntil = 0;
  /**
   * Summonses on their way, by lane (or `summons:<n>` for summoning work that is not a
   * message): when each started (performance.now()); see ALERT_HEAD_START_MS.
   */
  private readonly alertsInFlight = new Map<string, number>();
  private summonses = 0;
  private running = false;

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
    private readonly options: OutboxSenderOptions = {},
  ) {
    this.pump = new Pump(async () => this.startDue(), (err) => this.log.error({ err }, "outbox loop failed"));
  }

  start(): void {
    if (this.failpoints.has("hold-outbox")) return;
    this.running = true;
    this.pump.start();
  }

  /**
   * Resolves once no summons (ALERT) is due or on its way, or after
   * ALERT_HEAD_START_MS at most; at once when the sender is not running. Work that goes to the
   * homeserver beside a page's request (the support room's invitations) waits for it, so the
   * request has the homeserver's time first (see ALERT_HEAD_START_MS).
   */
  async alertsSent(): Promise<void> {
    const until = performance.now() + ALERT_HEAD_START_MS;
    while (this.running && performance.now() < until && (this.alertsInFlight.size > 0 || this.outbox.hasDue(ALERT, this.clock.now()))) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /**
   * Runs `work`, another request that summons someone (the invitation of a peer asked to a
   * page's support room), as a summons on its way: nothing of lower priority starts
   * meanwhile, for ALERT_HEAD_START_MS at most.
   */
  async summoning<T>(work: () => Promise<T>): Promise<T> {
    const key = `summons:${++this.summonses}`;
    this.alertsInFlight.set(key, performance.now());
    try {
      return await work();
    } finally {
      this.alertsInFlight.delete(key);
      this.pump.wake();
    }
  }

  wake(): void {
    this.pump.wake();
  }

  /** Starts nothing more, and waits for the sends under way. */
  async stop(): Promise<void> {
    this.running = false;
    await this.pump.stop();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /**
   * Sends everything due now and waits until each is sent or has failed, lane by lane as the
   * loop does (for a stepped clock in tests, where the loop is not started).
   */
  async sendDue(): Promise<void> {
    for (;;) {
      this.startDue();
      if (this.inFlight.size === 0) return;
      await Promise.allSettled([...this.inFlight.values()]);
    }
  }

  /**
   * Starts every due message whose lane is free, up to the limits; returns how long until
   * the next one falls due. A finished send wakes the loop, which then starts what it freed.
   */
  private startDue(): number | null {
    const now = this.clock.now();
    if (now < this.holdUntil) return this.holdUntil - now;
    const limit = Math.max(1, Math.floor(this.options.concurrency?.() ?? DEFAULT_SEND_CONCURRENCY));
    const busy = { message: 0, reaction: 0 };
    for (const lane of this.inFlight.keys()) busy[lane.startsWith("reaction:") ? "reaction" : "message"]++;
    let wakeIn: number | null = null;
    const lanes = this.laneHeads(this.outbox.dueHeads(now));
    // Messages are waiting while any is due, started or not: their reactions wait for them.
    const messagesWaiting = busy.message > 0 || lanes.some((l) => !l.reaction);
    for (const { lane, head, reaction } of lanes) {
      if (this.inFlight.has(lane)) continue;
      // Lanes come highest priority first, so every alert due has started before this is asked.
      const headStartLeft = head.priority >= ALERT ? 0 : this.alertHeadStartLeft();
      if (headStartLeft > 0) {
        wakeIn = Math.min(wakeIn ?? Infinity, headStartLeft);
        continue;
      }
      if (reaction) {
        if (busy.reaction >= (messagesWaiting ? REACTION_SLOTS_WHILE_MESSAGES_WAIT : limit)) continue;
        const waited = now - head.createdAt;
        if (messagesWaiting && waited < REACTION_WAIT_MS) {
          wakeIn = Math.min(wakeIn ?? Infinity, REACTION_WAIT_MS - waited);
          continue;
        }
        busy.reaction++;
      } else {
        if (busy.message >= (head.priority > 0 ? limit + URGENT_SLOTS : limit)) continue;
        busy.message++;
      }
      const msg = this.outbox.pendingRow(head.id);
      if (!msg) continue;
      if (head.priority >= ALERT) this.alertsInFlight.set(lane, performance.now());
      this.inFlight.set(
        lane,
        this.send(msg)
          .catch((err) => this.log.error({ err, outboxId: msg.id }, "outbox send failed unexpectedly"))
          .finally(() => {
            this.inFlight.delete(lane);
            this.alertsInFlight.delete(lane);
            this.pump.wake();
          }),
      );
    }
    const next = this.outbox.nextDueAfter(now);
    const nextIn = next === null ? null : Math.max(0, next - now);
    return nextIn === null ? wakeIn : Math.min(nextIn, wakeIn ?? Infinity);
  }

  /** How much longer the alerts on their way keep the homeserver to themselves (ms; 0: not at all). */
  private alertHeadStartLeft(): number {
    let left = 0;
    const now = performance.now();
    for (const started of this.alertsInFlight.values()) left = Math.max(left, started + ALERT_HEAD_START_MS - now);
    return Math.ceil(left);
  }

  /**
   * The message each lane sends next: its oldest due one (heads come oldest first), carrying
   * the highest priority waiting in the lane, since nothing in it can go before that one.
   * Urgent lanes first, then oldest first.
   */
  private laneHeads(heads: OutboxHead[]): Array<{ lane: string; head: OutboxHead; reaction: boolean }> {
    const lanes = new Map<string, { lane: string; head: OutboxHead; reaction: boolean }>();
    for (const h of heads) {
      const lane = this.laneOf(h);
      const seen = lanes.get(lane);
      if (!seen) lanes.set(lane, { lane, head: { ...h }, reaction: h.eventType === "m.reaction" });
      else seen.head.priority = Math.max(seen.head.priority, h.priority);
    }
    return [...lanes.values()].sort((a, b) => b.head.priority - a.head.priority || a.head.id - b.head.id);
  }

  /**
   * Which messages are sent one after another: those for one room, or for one person (their
   * direct chat, whichever room that turns out to be); reactions apart from messages.
   */
  private laneOf(msg: Pick<OutboxRow, "eventType" | "roomId" | "toUser">): string {
    if (msg.eventType === "m.reaction") return `reaction:${msg.roomId}`;
    const person = msg.toUser ?? (msg.roomId ? this.options.personOf?.(msg.roomId) : undefined);
    return person ? `person:${person}` : `room:${msg.roomId}`;
  }

  private async send(msg: OutboxRow): Promise<void> {
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
      const landed = msg.attempts > 0 ? await this.landedBefore(msg, parts) : [];
      let eventId = "";
      for (const [i, part] of parts.entries()) {
        const id = landed[i] ?? (await this.homeserver.sendEvent(msg.roomId, msg.eventType, part, i === 0 ? msg.txnId : `${msg.txnId}.${i}`));
        if (i === 0) eventId = id;
      }
      if (this.failpoints.has("fail-after-send")) throw new Error("failpoint fail-after-send");
      this.outbox.markSent(msg.id, eventId, this.clock.now());
      this.observe?.(msg, "sent");
    } catch (err) {
      const advice = retryAdvice(err, msg.attempts);
      const now = this.clock.now();
      if (isRateLimit(err)) this.holdUntil = Math.max(this.holdUntil, now + advice.delayMs);
      this.outbox.markFailed(msg.id, advice.reason, now + advice.delayMs, advice.permanent);
      const fields = { outboxId: msg.id, roomId: msg.roomId, attempts: msg.attempts + 1, reason: advice.reason };
      if (advice.permanent) {
        this.observe?.(msg, "failed");
        this.log.error(fields, "gave up sending a message: the homeserver refused it");
        this.sayNotShown(msg, err);
      } else this.log.warn({ ...fields, retryInMs: advice.delayMs }, "sending failed; will retry");
    }
  }

  /**
   * Which parts of a message an earlier attempt already put in the room, by event id.
   * Synapse remembers an appservice's transaction ids in memory only, so a send it took
   * just before it stopped (the answer lost with the connection) would be taken again
   * after its restart. A retry therefore first reads the room's newest events and counts
   * a part as sent when the bot sent the same content there since the message was queued
   * and no other outbox row claims that event. In an encrypted room the content cannot be
   * compared and the part is sent again (at least once, never lost). If the room cannot be
   * read, the parts are sent again too.
   */
  private async landedBefore(msg: OutboxRow, parts: object[]): Promise<Array<string | undefined>> {
    let events: Array<Record<string, unknown>>;
    try {
      events = (await this.homeserver.roomMessages(msg.roomId, { dir: "b", limit: LANDED_LOOKBACK })).chunk;
    } catch {
      return [];
    }
    const since = msg.createdAt - LANDED_CLOCK_SKEW_MS;
    const candidates = events
      .filter((e) => e.sender === this.homeserver.botUserId && e.type === msg.eventType && typeof e.event_id === "string")
      .filter((e) => typeof e.origin_server_ts !== "number" || e.origin_server_ts >= since)
      .filter((e) => !this.outbox.isSentEvent(e.event_id as string))
      .reverse(); // oldest first, as the parts were sent
    const taken = new Set<string>();
    return parts.map((part) => {
      const key = canonicalJson(part);
      const found = candidates.find((e) => !taken.has(e.event_id as string) && canonicalJson(e.content) === key);
      if (!found) return undefined;
      taken.add(found.event_id as string);
      this.log.info({ outboxId: msg.id, roomId: msg.roomId, eventId: found.event_id }, "an earlier attempt had already sent this; not sending it again");
      return found.event_id as string;
    });
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

/** How many of a room's newest events a retry reads to find an earlier attempt's event. */
const LANDED_LOOKBACK = 50;
/** The homeserver's clock may differ from carenet's: events this much older than the message still count. */
const LANDED_CLOCK_SKEW_MS = 10 * 60_000;

/** JSON with object keys in order, so two equal contents compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function isRateLimit(err: unknown): boolean {
  const e = err as { statusCode?: number; errcode?: string };
  return e?.statusCode === 429 || e?.errcode === "M_LIMIT_EXCEEDED";
}

function withoutReplyRelation(content: Record<string, unknown>): Record<string, unknown> {
  const { "m.relates_to": relation, ...rest } = content as { "m.relates_to"?: Record<string, unknown> };
  if (!relation || !("m.in_reply_to" in relation)) return content;
  return rest;
}
