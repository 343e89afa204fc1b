import { createAppContext } from "../../../src/app/appContext";
import type { MetricsPort } from "../../../src/metrics/port";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { MatrixError } from "matrix-bot-sdk";
import pino from "pino";
import type { AppContext, OnCallNow } from "../../../src/app/context";
import { installPaging } from "../../../src/features/paging/install";
import { Dispatcher } from "../../../src/commands/dispatcher";
import type { CommandResult } from "../../../src/commands/types";
import type { CarenetConfig, CommunityConfig } from "../../../src/config/types";
import { isStaffOf } from "../../../src/config/roles";
import { type Homeserver } from "../../../src/matrix/homeserver";
import { OutboxSender } from "../../../src/matrix/outboxSender";
import type { PagingService } from "../../../src/features/paging/service";
import { openDatabase, type Db } from "../../../src/store/database";
import { PagesStore } from "../../../src/features/paging/store/pages";

export const MIN = 60_000;
export const T0 = Date.parse("2026-01-12T22:00:00Z"); // a Monday evening in London (GMT)
export const CRISIS = "In an emergency call 999. Samaritans 116 123 (free, 24/7).";
export const BOT = "@carenet:example.org";
export const STAFF_ROOM = "!staff:example.org";
export const COMMUNITY_ROOM = "!community:example.org";

export const AMY = "@amy:example.org"; // member who pages
export const BOB = "@bob:example.org"; // peer on call
export const CAT = "@cat:example.org"; // backup peer
export const DAN = "@dan:example.org"; // staff on call
export const SAM = "@sam:example.org"; // staff (config)
export const ANN = "@ann:example.org"; // admin (config)
export const ZOE = "@zoe:example.org"; // nobody to carenet

export function community(paging: CommunityConfig["paging"] = {}): CommunityConfig {
  return {
    id: "oak",
    name: "Oakwood",
    timezone: "Europe/London",
    staff: [SAM],
    admins: [ANN],
    rooms: { community: { name: "Oakwood community" }, staff: { name: "Oakwood staff" }, alumni: { name: "Oakwood alumni" }, extra: [] },
    checkins: [],
    paging,
  };
}

export function config(c: CommunityConfig = community()): CarenetConfig {
  return {
    homeserver: { url: "http://127.0.0.1:1", domain: "example.org" },
    appservice: { bind: "127.0.0.1", port: 0, registration: "registration.yaml" },
    database: { path: ":memory:" },
    bot: { localpart: "carenet", displayname: "Care Network" },
    logging: { level: "error" },
    events: { max_age: "5m" },
    crisis_resources: CRISIS,
    communities: [c],
  };
}

export class FakeClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

export interface SentEvent {
  roomId: string;
  type: string;
  content: Record<string, any>;
  txnId: string;
  eventId: string;
}

/**
 * The homeserver as paging sees it: rooms, direct rooms, memberships, and every event sent,
 * deduplicated by transaction id as Synapse does. `down` makes every call fail as an
 * unreachable server would.
 */
export class RecordingHomeserver {
  down = false;
  readonly calls: string[] = [];
  readonly events: SentEvent[] = [];
  readonly rooms = new Map<string, { name?: string; direct?: string; members: Map<string, string>; power: Record<string, unknown> }>();
  private readonly created: string[] = [];
  private readonly byTxn = new Map<string, string>();
  private next = 1;

  constructor(readonly botUserId = BOT) {}

  private check(method: string): void {
    this.calls.push(method);
    if (this.down) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  }

  private room(roomId: string) {
    const r = this.rooms.get(roomId);
    if (!r) throw new MatrixError({ errcode: "M_NOT_FOUND", error: "Unknown room" }, 404);
    return r;
  }

  async createRoom(body: Record<string, any>): Promise<string> {
    this.check("createRoom");
    const roomId = `!room${this.next++}:example.org`;
    const members = new Map([[this.botUserId, "join"]]);
    for (const u of body.invite ?? []) members.set(u, "invite");
    this.rooms.set(roomId, {
      name: body.name,
      direct: body.is_direct ? body.invite?.[0] : undefined,
      members,
      power: { events_default: 0, ...(body.power_level_content_override ?? {}) },
    });
    this.created.push(roomId);
    return roomId;
  }

  async sendEvent(roomId: string, type: string, content: object, txnId: string): Promise<string> {
    this.check("sendEvent");
    const known = this.byTxn.get(txnId);
    if (known) return known;
    this.room(roomId);
    // As Synapse: an event over 64 KiB is refused (the content alone is measured here).
    if (Buffer.byteLength(JSON.stringify(content)) > 65_536) throw new MatrixError({ errcode: "M_TOO_LARGE", error: "event too large" }, 413);
    const eventId = `$ev${this.next++}`;
    this.byTxn.set(txnId, eventId);
    this.events.push({ roomId, type, content: structuredClone(content) as Record<string, any>, txnId, eventId });
    return eventId;
  }

  async invite(roomId: string, userId: string): Promise<void> {
    this.check("invite");
    this.room(roomId).members.set(userId, "invite");
  }

  async leaveRoom(roomId: string): Promise<void> {
    this.check("leaveRoom");
    this.room(roomId).members.set(this.botUserId, "leave");
  }

  async kick(roomId: string, userId: string): Promise<void> {
    this.check("kick");
    this.room(roomId).members.set(userId, "leave");
  }

  async membershipOf(roomId: string, userId: string): Promise<string | undefined> {
    this.check("membershipOf");
    return this.room(roomId).members.get(userId);
  }

  async displayName(userId: string): Promise<string | null> {
    this.check("displayName");
    return userId === AMY ? "Amy" : null;
  }

  /** A room as carenet makes it: invite only, history shared, and its members. */
  async getRoomState(roomId: string): Promise<Array<{ type: string; state_key: string; sender: string; content: Record<string, unknown> }>> {
    this.check("getRoomState");
    const r = this.room(roomId);
    return [
      { type: "m.room.join_rules", state_key: "", sender: this.botUserId, content: { join_rule: "invite" } },
      { type: "m.room.history_visibility", state_key: "", sender: this.botUserId, content: { history_visibility: "shared" } },
      ...[...r.members].map(([u, m]) => ({ type: "m.room.member", state_key: u, sender: this.botUserId, content: { membership: m } })),
    ];
  }

  async getStateContent(roomId: string, type: string): Promise<Record<string, unknown> | null> {
    this.check("getStateContent");
    return type === "m.room.power_levels" ? { ...this.room(roomId).power } : null;
  }

  async sendState(roomId: string, type: string, _key: string, content: Record<string, unknown>): Promise<string> {
    this.check("sendState");
    if (type === "m.room.power_levels") this.room(roomId).power = { ...content };
    if (type === "m.room.name") this.room(roomId).name = String(content.name);
    return `$state${this.next++}`;
  }

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

  /**
   * Support rooms (and crisis meeting rooms): rooms carenet made that are not direct rooms
   * and have a name (a warm room has none until a page takes it).
   */
  madeRooms(): string[] {
    return this.created.filter((id) => !this.rooms.get(id)!.direct && this.rooms.get(id)!.name !== undefined);
  }

  /** Warm rooms: made without a name, nobody but the bot in them, not left. */
  warmRooms(): string[] {
    return this.created.filter((id) => {
      const r = this.rooms.get(id)!;
      return !r.direct && r.name === undefined && r.members.get(this.botUserId) === "join";
    });
  }

  membersOf(roomId: string): Record<string, string> {
    return Object.fromEntries(this.room(roomId).members);
  }
}

export interface Harness {
  app: AppContext;
  db: Db;
  pages: PagesStore;
  service: PagingService;
  clock: FakeClock;
  hs: RecordingHomeserver;
  /** Who is on call; tests change it between steps. */
  onCall: OnCallNow;
  /** Runs due jobs and sends due messages until nothing more is due at the current time. */
  flush(): Promise<void>;
  /** Moves the clock to `t` (absolute) and flushes. */
  at(t: number): Promise<void>;
  /** A command as the router would dispatch it; returns its result (replies are not sent). */
  command(sender: string, body: string, where?: { roomId?: string; eventId?: string }): Promise<CommandResult>;
  close(): void;
}

let eventCounter = 0;

/**
 * The paging capability installed on a real AppContext: real stores on a temp SQLite
 * file, real effects, scheduler and outbox sender, a fake clock and a recording homeserver.
 * Opening it again on the same file (after `close`) is a restart.
 */
export function startHarness(
  opts: {
    file?: string;
    clock?: FakeClock;
    hs?: RecordingHomeserver;
    community?: CommunityConfig;
    onCall?: OnCallNow;
    seed?: boolean;
    metrics?: MetricsPort;
    /** Off-Matrix config and stand-in channels (src/paging/offMatrix). */
    offMatrix?: CarenetConfig["off_matrix"];
    offMatrixChannels?: AppContext["offMatrixChannels"];
  } = {},
): Harness & { file: string } {
  const file = opts.file ?? path.join(mkdtempSync(path.join(tmpdir(), "carenet-paging-")), "carenet.db");
  const clock = opts.clock ?? new FakeClock(T0);
  const hs = opts.hs ?? new RecordingHomeserver();
  const cfg = { ...config(opts.community ?? community()), ...(opts.offMatrix ? { off_matrix: opts.offMatrix } : {}) };
  const db = openDatabase(file);
  const log = pino({ level: "silent" });
  const homeserver = hs as unknown as Homeserver;
  const state = { onCall: opts.onCall ?? { peers: [BOB], backupPeers: [CAT], staff: [DAN] } };
  const app = createAppContext({ db, config: () => cfg, clock, log, botUserId: BOT, domain: "example.org", homeserver, metrics: opts.metrics });
  app.onCall = () => state.onCall;
  const { outbox, directRooms, scheduler, jobs } = app;
  const sender = new OutboxSender(outbox, homeserver, clock, log, new Set(), (u) => directRooms.roomFor(u));
  if (opts.seed !== false && !opts.file) {
    app.rooms.record({ communityId: "oak", roomKey: "staff", roomId: STAFF_ROOM, alias: "#carenet_oak_staff:example.org", name: null, origin: "created" }, T0);
    app.rooms.record({ communityId: "oak", roomKey: "community", roomId: COMMUNITY_ROOM, alias: "#carenet_oak_community:example.org", name: null, origin: "created" }, T0);
    hs.rooms.set(STAFF_ROOM, { members: new Map([[BOT, "join"]]), power: {} });
    hs.rooms.set(COMMUNITY_ROOM, { members: new Map([[BOT, "join"]]), power: {} });
    app.members.add({ communityId: "oak", userId: AMY, sponsor: SAM, addedBy: SAM }, T0 - 1000);
    app.members.add({ communityId: "oak", userId: BOB, role: "peer", sponsor: SAM, addedBy: SAM }, T0 - 1000);
  }
  if (opts.offMatrixChannels) app.offMatrixChannels = opts.offMatrixChannels;
  const service = installPaging(app) as PagingService;
  const dispatcher = new Dispatcher(app.commands, (err) => {
    throw err;
  }, app.atomically);

  const flush = async () => {
    for (let i = 0; i < 50; i++) {
      await scheduler.runDue();
      await (sender as unknown as { sendDue(): Promise<void> }).sendDue();
      if (jobs.due(clock.now()).length === 0 && outbox.due(clock.now()).length === 0) return;
    }
    throw new Error("flush did not settle");
  };

  const h: Harness & { file: string } = {
    file,
    app,
    db,
    pages: new PagesStore(db),
    service,
    clock,
    hs,
    get onCall() {
      return state.onCall;
    },
    set onCall(v: OnCallNow) {
      state.onCall = v;
    },
    flush,
    async at(t: number) {
      clock.t = t;
      await flush();
    },
    async command(senderId, body, where = {}) {
      const roomId = where.roomId ?? `!dm-of-${senderId}`;
      const place = app.rooms.byRoomId(roomId);
      const c = place ? cfg.communities.find((x) => x.id === place.communityId) : undefined;
      return dispatcher.dispatch(body, {
        sender: senderId,
        place: where.roomId ? "room" : "dm",
        roomId,
        eventId: where.eventId ?? `$cmd${++eventCounter}`,
        community: c,
        roomKey: place?.roomKey,
        isStaffHere: !!c && place?.roomKey === "staff" && isStaffOf(c, senderId),
        now: clock.now(),
        crisisResources: cfg.crisis_resources,
      });
    },
    close() {
      db.close();
    },
  };
  return h;
}

/** Runs the afterReconcile steps as a start would. */
export async function startUp(h: Harness): Promise<void> {
  for (const step of h.app.afterReconcile) await step(h.app.config(), "start");
}
