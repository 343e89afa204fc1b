import { LogCapture } from "../../support/logCapture";
import { createAppContext, createEventRouter } from "../../../src/app/appContext";
import type { AppContext } from "../../../src/app/context";
import { installCapabilities } from "../../../src/app/installers";
import { createLogger } from "../../../src/kernel/logger";
import { Dispatcher } from "../../../src/commands/dispatcher";
import type { CarenetConfig, CommunityConfig } from "../../../src/config/types";
import type { DataService } from "../../../src/features/data/service";
import { EventRouter } from "../../../src/matrix/eventRouter";
import type { Homeserver } from "../../../src/matrix/homeserver";
import { OutboxSender } from "../../../src/matrix/outboxSender";
import { SPACE_KEY } from "../../../src/features/communities/store/communityRooms";
import { openDatabase, type Db } from "../../../src/store/database";
import { InboxStore, type IncomingEvent } from "../../../src/store/inbox";
import { FakeClock } from "../../support/fakeClock";
import { FakeHomeserver } from "../../support/fakeHomeserver";
import { BOT, carenetConfig, communityConfig, MIN } from "../../support/fixtures";

export { CRISIS, MIN, DAY } from "../../support/fixtures";
export const AMY = "@amy:example.org"; // the member whose data is exported and erased
export const BOB = "@bob:example.org"; // a peer supporter
export const CAT = "@cat:example.org"; // another member: nothing of hers may ever reach Amy
export const SAM = "@sam:example.org"; // staff of oak
export const TOM = "@tom:example.org"; // staff of elm
/** Monday 2 March 2026, 19:00 in London (GMT). */
export const T0 = Date.parse("2026-03-02T19:00:00Z");

export const roomOf = (communityId: string, key: string) => `!${communityId}-${key}:example.org`;

function community(id: string, name: string, staff: string[], over: Partial<CommunityConfig> = {}): CommunityConfig {
  return communityConfig(id, {
    name,
    staff,
    rooms: { community: { name: `${name} community` }, staff: { name: `${name} staff` }, alumni: { name: `${name} alumni` }, extra: [] },
    checkins: [{ id: "evening", at: "20:00", prompt: "How are you this evening?" }],
    rota: { approval_required: false },
    paging: { escalation: [{ notify: "on_call_peers", wait: "10m" }, { notify: "all_staff", wait: "10m" }] },
    ...over,
  });
}

export function worldConfig(over: Partial<CarenetConfig> = {}): CarenetConfig {
  return carenetConfig([community("oak", "Oakwood", [SAM]), community("elm", "Elmhurst", [TOM])], over);
}

export interface Answer {
  outcome: "ok" | "refused" | undefined;
  /** The reply's plain text. */
  text: string;
  /** Where the reply went: a room id, or `dm:<user>` for a message to the person directly. */
  to: string;
  eventId: string;
}

/**
 * carenet as start.ts wires it — every installer, the real event router, dispatcher,
 * scheduler and outbox sender — over an in-memory SQLite, a fake clock and a recording
 * homeserver. Messages are queued by commands and "sent" by `flush()`.
 */
export class World {
  readonly db: Db = openDatabase(":memory:");
  readonly clock = new FakeClock(T0);
  readonly hs = new FakeHomeserver();
  readonly logs = new LogCapture();
  readonly app: AppContext;
  readonly data: DataService;
  readonly router: EventRouter;
  private readonly inbox = new InboxStore(this.db);
  private readonly sender: OutboxSender;
  private seq = 0;

  constructor(readonly config: CarenetConfig = worldConfig()) {
    const log = createLogger("debug", this.logs);
    const homeserver = this.hs as unknown as Homeserver;
    this.app = createAppContext({
      db: this.db,
      config: () => this.config,
      clock: this.clock,
      log,
      botUserId: BOT,
      domain: "example.org",
      homeserver,
      retryAdvice: (err) => ({ delayMs: 1000, permanent: false, reason: String(err) }),
    });
    this.data = installCapabilities(this.app).data;
    for (const c of this.config.communities) {
      for (const key of [SPACE_KEY, "community", "staff", "alumni"]) {
        const roomId = roomOf(c.id, key);
        this.app.rooms.record({ communityId: c.id, roomKey: key, roomId, alias: `#carenet_${c.id}_${key}:example.org`, name: key, origin: "created" }, T0);
        this.hs.addRoom(roomId, { power: {} });
      }
    }
    this.sender = new OutboxSender(this.app.outbox, homeserver, this.clock, log, new Set(), (u) => this.app.directRooms.roomFor(u));
    const dispatcher = new Dispatcher(this.app.commands, (err) => {
      throw err;
    }, this.app.atomically);
    this.router = createEventRouter(this.app, { inbox: this.inbox, dispatcher, maxEventAgeMs: 5 * 60_000 });
  }

  /** Adds a member straight to the store, as `!member add` would record them. */
  member(communityId: string, userId: string, sponsor = SAM): void {
    this.app.members.add({ communityId, userId, sponsor, addedBy: sponsor }, this.clock.now());
  }

  /** A direct conversation between the bot and `user`, as if they had opened it. */
  dm(user: string): string {
    const roomId = `!dm-${user.slice(1, user.indexOf(":"))}:example.org`;
    this.app.dmRooms.record(roomId, user, this.clock.now());
    this.hs.addRoom(roomId, { direct: user, members: { [user]: "join" }, power: {} });
    return roomId;
  }

  private async deliver(ev: { type: string; room_id: string; sender: string; [key: string]: unknown }): Promise<string> {
    const eventId = `$in${++this.seq}`;
    const event: IncomingEvent = { origin_server_ts: this.clock.now(), ...ev, event_id: eventId };
    this.inbox.recordTransaction(`txn${this.seq}`, [event], this.clock.now());
    for (const row of this.inbox.pending()) await this.router.handle(row);
    return eventId;
  }

  /** `sender` sends `body` in `roomId` (their DM by default); returns carenet's answer. */
  async send(sender: string, body: string, roomId = this.app.dmRooms.roomFor(sender) ?? this.dm(sender)): Promise<Answer> {
    const eventId = await this.deliver({ type: "m.room.message", room_id: roomId, sender, content: { msgtype: "m.text", body } });
    const reply = this.outboxRow(`reply:${eventId}`);
    const react = this.outboxRow(`react:${eventId}`);
    const key = react ? String((react.content["m.relates_to"] as { key: string }).key) : undefined;
    return {
      outcome: key === "✅" ? "ok" : key === "⛔" ? "refused" : undefined,
      text: reply ? String(reply.content.body) : "",
      to: reply ? (reply.toUser ? `dm:${reply.toUser}` : reply.roomId) : "",
      eventId,
    };
  }

  /** The person leaves one of their community's rooms on their own. */
  async leave(communityId: string, key: string, userId: string): Promise<void> {
    await this.deliver({
      type: "m.room.member",
      room_id: roomOf(communityId, key),
      sender: userId,
      state_key: userId,
      content: { membership: "leave" },
      unsigned: { prev_content: { membership: "join" } },
    });
  }

  outboxRow(key: string): { roomId: string; toUser: string | null; state: string; content: Record<string, unknown> } | undefined {
    const r = this.db.prepare("SELECT room_id, to_user, state, content_json FROM outbox WHERE dedupe_key = ?").get(key) as
      | { room_id: string; to_user: string | null; state: string; content_json: string }
      | undefined;
    return r && { roomId: r.room_id, toUser: r.to_user, state: r.state, content: JSON.parse(r.content_json) };
  }

  /** Plain bodies of messages carenet queued (sent or not) whose dedupe key starts with `prefix`, oldest first. */
  queued(prefix: string): Array<{ body: string; roomId: string; toUser: string | null }> {
    const rows = this.db
      .prepare("SELECT content_json, room_id, to_user FROM outbox WHERE substr(dedupe_key, 1, ?) = ? AND event_type = 'm.room.message' ORDER BY id")
      .all(prefix.length, prefix) as Array<{ content_json: string; room_id: string; to_user: string | null }>;
    return rows.map((r) => ({ body: String(JSON.parse(r.content_json).body), roomId: r.room_id, toUser: r.to_user }));
  }

  /** Everything queued for a room's timeline (messages only), oldest first. */
  postedIn(roomId: string): string[] {
    return (
      this.db.prepare("SELECT content_json FROM outbox WHERE room_id = ? AND to_user IS NULL AND event_type = 'm.room.message' ORDER BY id").all(roomId) as Array<{
        content_json: string;
      }>
    ).map((r) => String(JSON.parse(r.content_json).body));
  }

  /** Runs due jobs and sends due messages until nothing more is due now. */
  async flush(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      await this.app.scheduler.runDue();
      await (this.sender as unknown as { sendDue(): Promise<void> }).sendDue();
      if (this.app.jobs.due(this.clock.now()).length === 0 && this.app.outbox.due(this.clock.now()).length === 0) return;
    }
    throw new Error("flush did not settle");
  }

  async at(t: number): Promise<void> {
    this.clock.t = t;
    await this.flush();
  }

  async startUp(reason: "start" | "reload" = "start"): Promise<void> {
    for (const step of this.app.afterReconcile) await step(this.config, reason);
  }

  /** Rows of `table` that mention `userId` in any column. */
  rowsMentioning(table: string, userId: string): number {
    const cols = (this.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
    const where = cols.map((c) => `instr(CAST(${c} AS TEXT), @u) > 0`).join(" OR ");
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).get({ u: userId }) as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}

/**
 * A community with some history: Amy (member of oak and elm) and Bob are peers on call on
 * Monday evenings, Amy also on Tuesdays; Amy and Cat answered a check-in; Amy left a room,
 * paged (Bob came, she closed it) and called a crisis meeting; Cat left a room and paged
 * (Bob came; Amy was asked too); the page of Cat's is still open.
 */
export async function seed(w: World): Promise<void> {
  await w.startUp();
  for (const u of [AMY, BOB, CAT]) w.member("oak", u);
  w.clock.t += MIN;
  w.member("elm", AMY, TOM);
  for (const [u, c] of [[AMY, "oak"], [AMY, "elm"], [BOB, "oak"], [CAT, "oak"]]) expect((await w.send(u, `!consent agree ${c}`)).outcome).toBe("ok");
  for (const [u, what] of [[BOB, "mon 18:00-22:00 oak"], [AMY, "mon 18:00-22:00 oak"], [AMY, "tue 18:00-22:00 oak"]]) {
    expect((await w.send(u, `!volunteer ${what}`)).outcome).toBe("ok");
  }
  expect((await w.send(AMY, "!break")).outcome).toBe("ok");
  expect((await w.send(AMY, "!break end")).outcome).toBe("ok");
  expect((await w.send(AMY, "!checkin 2 amy-private-note", roomOf("oak", "community"))).outcome).toBe("ok");
  expect((await w.send(CAT, "!checkin 4 cat-secret-note", roomOf("oak", "community"))).outcome).toBe("ok");
  expect((await w.send(AMY, "!checkin plan oak share answers")).outcome).toBe("ok");
  await w.leave("elm", "community", AMY);
  await w.leave("oak", "community", CAT);
  expect((await w.send(AMY, "!page amy-page-note", roomOf("oak", "community"))).outcome).toBe("ok");
  await w.flush();
  expect((await w.send(BOB, "!ack 1")).outcome).toBe("ok");
  expect((await w.send(AMY, "!resolve 1")).outcome).toBe("ok");
  expect((await w.send(AMY, "!crisis-meeting", roomOf("oak", "community"))).outcome).toBe("ok");
  expect((await w.send(CAT, "!page cat-page-note", roomOf("oak", "community"))).outcome).toBe("ok");
  expect((await w.send(BOB, "!ack 2")).outcome).toBe("ok");
  await w.flush();
}
