import { MatrixError } from "matrix-bot-sdk";
import type { StateEvent, TimelinePage } from "../../src/matrix/homeserver";
import type { IncomingEvent } from "../../src/store/inbox";
import { BOT, DOMAIN } from "./fixtures";

export interface Call {
  method: string;
  args: unknown[];
}

export interface SentEvent {
  roomId: string;
  type: string;
  content: Record<string, any>;
  txnId: string;
  eventId: string;
}

/** One attempt to send an event, failed or not, as carenet made it. */
export interface SendCall {
  roomId: string;
  eventType: string;
  content: Record<string, unknown>;
  txnId: string;
}

export interface FakeRoom {
  roomId: string;
  state: Map<string, StateEvent>;
  /** The person a direct room was made for. */
  direct?: string;
  /** Messages in the room, oldest first (what /messages pages through). */
  timeline: IncomingEvent[];
}

const key = (type: string, stateKey: string) => `${type}\u0000${stateKey}`;

export function matrixError(status: number, errcode: string, error = errcode, extra: Record<string, unknown> = {}): MatrixError {
  return new MatrixError({ errcode, error, ...extra }, status);
}

export const connectionRefused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

/**
 * The homeserver every unit test talks to, in memory: rooms with state (members, power
 * levels, names, aliases) and timelines, every event sent (deduplicated by transaction id,
 * as Synapse does), and a log of every call. Failures are injected three ways: `down` (every
 * call fails as an unreachable server would), `failWith` (per call), and `failNext` (the
 * next sends, in order).
 */
export class FakeHomeserver {
  readonly rooms = new Map<string, FakeRoom>();
  readonly aliases = new Map<string, string>();
  readonly calls: Call[] = [];
  /** Every sendEvent attempt, failed ones included. */
  readonly sends: SendCall[] = [];
  /** Every event the homeserver took. */
  readonly events: SentEvent[] = [];
  /** Rooms the bot was asked to leave. */
  readonly left: string[] = [];
  readonly displayNames = new Map<string, string>();
  /** Users the homeserver knows; undefined: everyone exists. */
  knownUsers: Set<string> | undefined;
  roomVersion = "12";
  down = false;
  /** False after a restart: Synapse keeps an appservice's transaction ids in memory only. */
  rememberTxnIds = true;
  /** The next sends are taken, then fail for carenet as if the connection dropped with the answer. */
  loseAnswers = 0;
  /** The homeserver's clock, for the timestamps of the events it takes. */
  now: () => number = () => Date.now();
  /** Return an error to make a call fail (checked before every call). */
  failWith: (method: string, args: unknown[]) => Error | undefined = () => undefined;
  /** How long a /messages request takes, so that overlapping requests can be seen. */
  messagesDelayMs = 2;
  inFlight = 0;
  maxInFlight = 0;
  private readonly created: string[] = [];
  private readonly byTxn = new Map<string, string>();
  private readonly script: unknown[] = [];
  private next = 1;

  constructor(
    readonly botUserId = BOT,
    readonly domain = DOMAIN,
    /** Every room id is a room the bot is in (for tests of sending alone). */
    private readonly anyRoom = false,
  ) {}

  /** The names of the calls made, in order. */
  get methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  callsOf(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The next sends throw these (in order), then sends succeed. */
  failNext(...errors: unknown[]): void {
    this.script.push(...errors);
  }

  // --- rooms as the test sets them up ---

  /** A room that exists already, with the bot (and `members`) in it. */
  addRoom(roomId: string, opts: { members?: Record<string, string>; power?: Record<string, unknown>; direct?: string } = {}): FakeRoom {
    const room: FakeRoom = { roomId, state: new Map(), direct: opts.direct, timeline: [] };
    this.rooms.set(roomId, room);
    this.setState(roomId, "m.room.member", this.botUserId, { membership: "join" }, this.botUserId);
    for (const [u, m] of Object.entries(opts.members ?? {})) this.setMembership(roomId, u, m);
    if (opts.power) this.setState(roomId, "m.room.power_levels", "", opts.power, this.botUserId);
    return room;
  }

  state(roomId: string, type: string, stateKey = ""): Record<string, any> | undefined {
    return this.rooms.get(roomId)?.state.get(key(type, stateKey))?.content;
  }

  /** Sets state as someone else would (e.g. an admin in Element). */
  setState(roomId: string, type: string, stateKey: string, content: Record<string, unknown>, sender = "@someone:example.org"): void {
    this.room(roomId).state.set(key(type, stateKey), { type, state_key: stateKey, sender, content });
  }

  setMembership(roomId: string, userId: string, membership: string): void {
    this.setState(roomId, "m.room.member", userId, { membership }, this.botUserId);
  }

  nameOf(roomId: string): string | undefined {
    return this.state(roomId, "m.room.name")?.name;
  }

  /** Memberships in a room, by user. */
  membersOf(roomId: string): Record<string, string> {
    const members = [...this.room(roomId).state.values()].filter((e) => e.type === "m.room.member");
    return Object.fromEntries(members.map((e) => [e.state_key, String(e.content.membership)]));
  }

  eventsDefault(roomId: string): unknown {
    return this.state(roomId, "m.room.power_levels")?.events_default;
  }

  /** Someone posts in a room's timeline (the room is made, with the bot in it, if new). */
  post(roomId: string, sender: string, body: string, ts: number): IncomingEvent {
    const room = this.rooms.get(roomId) ?? this.addRoom(roomId);
    const ev: IncomingEvent = {
      event_id: `$${roomId.slice(1, 6)}-${room.timeline.length}`,
      room_id: roomId,
      sender,
      type: "m.room.message",
      origin_server_ts: ts,
      content: { msgtype: "m.text", body },
    };
    room.timeline.push(ev);
    return ev;
  }

  // --- what carenet sent ---

  /** Plain bodies of the messages a person got in their direct room with the bot. */
  dmsTo(userId: string): string[] {
    return this.events.filter((e) => e.type === "m.room.message" && this.rooms.get(e.roomId)?.direct === userId).map((e) => String(e.content.body));
  }

  /** The event id of the last direct message to `userId` whose body contains `text`. */
  dmEventId(userId: string, text: string): string {
    const hits = this.events.filter((e) => this.rooms.get(e.roomId)?.direct === userId && String(e.content.body).includes(text));
    if (hits.length === 0) throw new Error(`no message to ${userId} containing ${JSON.stringify(text)}`);
    return hits[hits.length - 1].eventId;
  }

  postsIn(roomId: string): string[] {
    return this.events.filter((e) => e.roomId === roomId && e.type === "m.room.message").map((e) => String(e.content.body));
  }

  /** Rooms carenet made that are not direct rooms, have a name and are not warm rooms still waiting for a page. */
  madeRooms(): string[] {
    const waiting = new Set(this.warmRooms());
    return this.created.filter((id) => !this.rooms.get(id)!.direct && this.nameOf(id) !== undefined && !waiting.has(id));
  }

  /** Warm rooms: made for no one yet, with nobody but the bot in them, and not left. */
  warmRooms(): string[] {
    return this.created.filter((id) => {
      const members = Object.entries(this.membersOf(id));
      return !this.rooms.get(id)!.direct && members.length === 1 && members[0][0] === this.botUserId && members[0][1] === "join";
    });
  }

  // --- the Homeserver API carenet calls ---

  private record(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.down) throw connectionRefused();
    const err = this.failWith(method, args);
    if (err) throw err;
  }

  private room(roomId: string): FakeRoom {
    const room = this.rooms.get(roomId) ?? (this.anyRoom ? this.addRoom(roomId) : undefined);
    if (!room) throw matrixError(404, "M_NOT_FOUND", "Unknown room");
    return room;
  }

  async createRoom(body: Record<string, any>): Promise<string> {
    this.record("createRoom", [body]);
    const alias = body.room_alias_name ? `#${body.room_alias_name}:${this.domain}` : undefined;
    if (alias && this.aliases.has(alias)) throw matrixError(400, "M_ROOM_IN_USE", "Room alias already taken");
    const roomId = `!room${this.next++}:${this.domain}`;
    const room: FakeRoom = { roomId, state: new Map(), direct: body.is_direct ? body.invite?.[0] : undefined, timeline: [] };
    this.rooms.set(roomId, room);
    this.created.push(roomId);
    const set = (type: string, stateKey: string, content: Record<string, unknown>) =>
      room.state.set(key(type, stateKey), { type, state_key: stateKey, sender: this.botUserId, content });
    set("m.room.create", "", { room_version: body.room_version ?? this.roomVersion, ...(body.creation_content ?? {}) });
    set("m.room.member", this.botUserId, { membership: "join" });
    set("m.room.power_levels", "", { users: { [this.botUserId]: 100 }, ...(body.power_level_content_override ?? {}) });
    set("m.room.join_rules", "", { join_rule: "invite" });
    set("m.room.history_visibility", "", { history_visibility: "shared" });
    set("m.room.guest_access", "", { guest_access: "can_join" });
    for (const ev of body.initial_state ?? []) set(ev.type, ev.state_key ?? "", ev.content);
    if (body.name) set("m.room.name", "", { name: body.name });
    if (body.topic) set("m.room.topic", "", { topic: body.topic });
    for (const u of body.invite ?? []) set("m.room.member", u, { membership: "invite" });
    if (alias) {
      this.aliases.set(alias, roomId);
      set("m.room.canonical_alias", "", { alias });
    }
    return roomId;
  }

  // An arrow property, so a test can wrap it (`const send = hs.sendEvent; hs.sendEvent = …`).
  sendEvent = async (roomId: string, eventType: string, content: object, txnId: string): Promise<string> => {
    this.sends.push({ roomId, eventType, content: content as Record<string, unknown>, txnId });
    this.record("sendEvent", [roomId, eventType, content, txnId]);
    if (this.script.length) throw this.script.shift();
    const known = this.rememberTxnIds ? this.byTxn.get(txnId) : undefined;
    if (known) return known;
    const room = this.room(roomId);
    // As Synapse: an event over 64 KiB is refused (the content alone is measured here).
    if (Buffer.byteLength(JSON.stringify(content)) > 65_536) throw matrixError(413, "M_TOO_LARGE", "event too large");
    const eventId = this.byTxn.has(txnId) ? `$event-for-${txnId}-${this.next++}` : `$event-for-${txnId}`;
    this.byTxn.set(txnId, eventId);
    const copy = structuredClone(content) as Record<string, any>;
    this.events.push({ roomId, type: eventType, content: copy, txnId, eventId });
    room.timeline.push({ event_id: eventId, room_id: roomId, sender: this.botUserId, type: eventType, origin_server_ts: this.now(), content: structuredClone(copy) });
    if (this.loseAnswers > 0) {
      this.loseAnswers--;
      throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    }
    return eventId;
  };

  async getRoomState(roomId: string): Promise<StateEvent[]> {
    this.record("getRoomState", [roomId]);
    return [...this.room(roomId).state.values()].map((e) => structuredClone(e));
  }

  async getStateContent(roomId: string, eventType: string, stateKey = ""): Promise<Record<string, unknown> | null> {
    this.record("getStateContent", [roomId, eventType, stateKey]);
    const content = this.room(roomId).state.get(key(eventType, stateKey))?.content;
    return content ? structuredClone(content) : null;
  }

  async getStateEvent(roomId: string, eventType: string, stateKey = ""): Promise<StateEvent | null> {
    this.record("getStateEvent", [roomId, eventType, stateKey]);
    const ev = this.room(roomId).state.get(key(eventType, stateKey));
    return ev ? structuredClone(ev) : null;
  }

  async sendState(roomId: string, eventType: string, stateKey: string, content: object): Promise<string> {
    this.record("sendState", [roomId, eventType, stateKey, structuredClone(content)]);
    this.room(roomId).state.set(key(eventType, stateKey), {
      type: eventType,
      state_key: stateKey,
      sender: this.botUserId,
      content: structuredClone(content) as Record<string, unknown>,
    });
    return `$state${this.next++}`;
  }

  async redact(roomId: string, eventId: string, reason: string, txnId: string): Promise<void> {
    this.record("redact", [roomId, eventId, reason, txnId]);
  }

  async invite(roomId: string, userId: string): Promise<void> {
    this.record("invite", [roomId, userId]);
    this.setMembership(roomId, userId, "invite");
  }

  async kick(roomId: string, userId: string): Promise<void> {
    this.record("kick", [roomId, userId]);
    this.setMembership(roomId, userId, "leave");
  }

  async leaveRoom(roomId: string): Promise<void> {
    this.record("leaveRoom", [roomId]);
    this.left.push(roomId);
    if (this.rooms.has(roomId)) this.setMembership(roomId, this.botUserId, "leave");
  }

  async joinRoom(roomId: string): Promise<void> {
    this.record("joinRoom", [roomId]);
    this.room(roomId);
    const join = this.state(roomId, "m.room.join_rules")?.join_rule;
    const mine = this.state(roomId, "m.room.member", this.botUserId)?.membership;
    if (join !== "public" && mine !== "invite") throw matrixError(403, "M_FORBIDDEN", "You are not invited to this room.");
    this.setMembership(roomId, this.botUserId, "join");
  }

  async membershipOf(roomId: string, userId: string): Promise<string | undefined> {
    this.record("membershipOf", [roomId, userId]);
    this.room(roomId);
    return this.state(roomId, "m.room.member", userId)?.membership;
  }

  async resolveAlias(alias: string): Promise<string | null> {
    this.record("resolveAlias", [alias]);
    return this.aliases.get(alias) ?? null;
  }

  async defaultRoomVersion(): Promise<string | undefined> {
    this.record("defaultRoomVersion", []);
    return this.roomVersion;
  }

  async displayName(userId: string): Promise<string | null> {
    this.record("displayName", [userId]);
    return this.displayNames.get(userId) ?? null;
  }

  async userExists(userId: string): Promise<boolean> {
    this.record("userExists", [userId]);
    return this.knownUsers?.has(userId) ?? true;
  }

  // --- timelines, for catch-up: a pagination token "s<N>" is the position after a room's first N events ---

  joinedRooms = async (): Promise<string[]> => {
    this.record("joinedRooms", []);
    return [...this.rooms.keys()].filter((id) => this.state(id, "m.room.member", this.botUserId)?.membership === "join");
  };

  reachable = async (): Promise<boolean> => !this.down;

  roomMessages = async (roomId: string, q: { dir: "b" | "f"; from?: string; to?: string; limit: number }): Promise<TimelinePage> => {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, this.messagesDelayMs));
      this.record("roomMessages", [roomId, q]);
      const list = this.rooms.get(roomId)?.timeline ?? [];
      const from = q.from ? Number(q.from.slice(1)) : list.length;
      const to = q.to ? Number(q.to.slice(1)) : 0;
      const lowest = Math.max(to, from - q.limit);
      const chunk = list.slice(lowest, from).reverse();
      return { start: `s${from}`, end: lowest > to ? `s${lowest}` : undefined, chunk: chunk.map((e) => ({ ...e })) };
    } finally {
      this.inFlight--;
    }
  };
}
