import { LogCapture } from "../../support/logCapture";
import type { AppContext } from "../../../src/app/context";
import { installCapabilities, type Installed } from "../../../src/app/installers";
import { createLogger } from "../../../src/kernel/logger";
import type { CarenetConfig, CommunityConfig } from "../../../src/config/types";
import type { DataService } from "../../../src/features/data/service";
import type { EventRouter } from "../../../src/matrix/eventRouter";
import { SPACE_KEY } from "../../../src/features/communities/store/communityRooms";
import { openDatabase, type Db } from "../../../src/store/database";
import { EventFeed, type Answer } from "../../support/eventFeed";
import { FakeClock } from "../../support/fakeClock";
import { FakeHomeserver } from "../../support/fakeHomeserver";
import { AMY, BOB, carenetConfig, CAT, communityConfig, MIN, SAM, TOM } from "../../support/fixtures";
import { queuedByKey, queuedMessages } from "../../support/outboxRows";
import { runAfterReconcile, sendingLoop, testAppContext } from "../../support/testApp";

export { CRISIS, MIN, DAY } from "../../support/fixtures";
/**
 * Amy is the member whose data is exported and erased; Bob a peer supporter; Cat another
 * member (nothing of hers may ever reach Amy); Sam staff of oak, Tom staff of elm.
 */
export { AMY, BOB, CAT, SAM, TOM };
export type { Answer };
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
  /** What the capabilities handed each other at install (who is on call, who agreed). */
  readonly capabilities: Installed;
  readonly router: EventRouter;
  private readonly feed: EventFeed;
  private readonly sending: { settle(): Promise<void> };

  constructor(readonly config: CarenetConfig = worldConfig()) {
    const log = createLogger("debug", this.logs);
    this.app = testAppContext({
      db: this.db,
      config: () => this.config,
      clock: this.clock,
      log,
      hs: this.hs,
      retryAdvice: (err) => ({ delayMs: 1000, permanent: false, reason: String(err) }),
    });
    this.capabilities = installCapabilities(this.app);
    this.data = this.capabilities.data;
    for (const c of this.config.communities) {
      for (const key of [SPACE_KEY, "community", "staff", "alumni"]) {
        const roomId = roomOf(c.id, key);
        this.app.rooms.record({ communityId: c.id, roomKey: key, roomId, alias: `#carenet_${c.id}_${key}:example.org`, name: key, origin: "created" }, T0);
        this.hs.addRoom(roomId, { power: {} });
      }
    }
    this.sending = sendingLoop(this.app, this.hs, this.clock, log);
    this.feed = new EventFeed(this.db, this.app, () => this.clock.now(), "$in");
    this.router = this.feed.router;
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

  /** `sender` sends `body` in `roomId` (their DM by default); returns carenet's answer. */
  send(sender: string, body: string, roomId = this.app.dmRooms.roomFor(sender) ?? this.dm(sender)): Promise<Answer> {
    return this.feed.message(sender, roomId, body);
  }

  /** The person leaves one of their community's rooms on their own. */
  async leave(communityId: string, key: string, userId: string): Promise<void> {
    await this.feed.membership(roomOf(communityId, key), userId, "leave", { previous: "join" });
  }

  outboxRow(key: string) {
    return queuedByKey(this.db, key);
  }

  /** Plain bodies of messages carenet queued (sent or not) whose dedupe key starts with `prefix`, oldest first. */
  queued(prefix: string): Array<{ body: string; roomId: string; toUser: string | null }> {
    return queuedMessages(this.db)
      .filter((m) => m.key.startsWith(prefix) && m.eventType === "m.room.message")
      .map((m) => ({ body: m.body, roomId: m.roomId, toUser: m.toUser }));
  }

  /** Everything queued for a room's timeline (messages only), oldest first. */
  postedIn(roomId: string): string[] {
    return queuedMessages(this.db)
      .filter((m) => m.roomId === roomId && m.toUser === null && m.eventType === "m.room.message")
      .map((m) => m.body);
  }

  /** Runs due jobs and sends due messages until nothing more is due now. */
  flush(): Promise<void> {
    return this.sending.settle();
  }

  async at(t: number): Promise<void> {
    this.clock.t = t;
    await this.flush();
  }

  startUp(reason: "start" | "reload" = "start"): Promise<void> {
    return runAfterReconcile(this.app, this.config, reason);
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
