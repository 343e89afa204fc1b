import { MatrixError, type MatrixClient } from "matrix-bot-sdk";
import { createLogger } from "../../../src/kernel/logger";
import { CATCH_UP_SOURCE, CatchUp, type CatchUpDeps } from "../../../src/matrix/catchUp";
import { Homeserver, looksLikeOutage } from "../../../src/matrix/homeserver";
import { openDatabase, type Db } from "../../../src/store/database";
import { InboxStore } from "../../../src/store/inbox";
import { ReadPositionsStore } from "../../../src/matrix/store/readPositions";
import { connectionRefused, FakeHomeserver } from "../../support/fakeHomeserver";

const T0 = 1_800_000_000_000;
const BOT = "@carenet:example.org";
const MAX_AGE = 5 * 60 * 1000;

let db: Db;
let inbox: InboxStore;
let positions: ReadPositionsStore;
let hs: FakeHomeserver;
let t: number;
let recordedCalls: number;

function catchUp(limits: Record<string, number> = {}, deps: Partial<CatchUpDeps> = {}): CatchUp {
  return new CatchUp({
    homeserver: hs,
    db,
    inbox,
    positions,
    clock: { now: () => t },
    log: createLogger("silent"),
    ignore: (ev) => ev.sender === BOT,
    maxAgeMs: MAX_AGE,
    recorded: () => recordedCalls++,
    limits: { probeEveryMs: 60_000, ...limits },
    ...deps,
  });
}

const pendingIds = () => inbox.pending(1000).map((r) => r.eventId);

beforeEach(() => {
  db = openDatabase(":memory:");
  inbox = new InboxStore(db);
  positions = new ReadPositionsStore(db);
  hs = new FakeHomeserver();
  t = T0;
  recordedCalls = 0;
});
afterEach(() => db.close());

test("a fresh database reads nothing from before its first catch-up, then records what the homeserver never pushed, oldest first", async () => {
  hs.post("!dm:example.org", "@amy:example.org", "!help from an earlier installation", T0 - 1000);
  const c = catchUp();
  expect((await c.runOnce("start")).added).toBe(0);
  expect(positions.get("!dm:example.org")).toBe("s1");

  t = T0 + 60_000;
  const page = hs.post("!dm:example.org", "@amy:example.org", "!page", T0 + 10_000);
  const after = hs.post("!dm:example.org", "@amy:example.org", "are you there?", T0 + 20_000);
  const report = await c.runOnce("the homeserver is back");
  expect(report).toMatchObject({ rooms: 1, read: 2, added: 2, truncated: 0, failed: 0 });
  expect(pendingIds()).toEqual([page.event_id, after.event_id]);
  expect(inbox.pending(10)[0]).toMatchObject({ txnId: CATCH_UP_SOURCE, event: { content: { body: "!page" } } });
  expect(recordedCalls).toBe(1);
  expect(positions.get("!dm:example.org")).toBe("s3");

  // Nothing new: the room is read from its position, and nothing is added.
  const again = await c.runOnce("again");
  expect(again).toMatchObject({ read: 0, added: 0 });
});

test("an event that arrives both by a transaction and by catch-up is recorded once, whichever comes first", async () => {
  const c = catchUp();
  await c.runOnce("start");
  t = T0 + 30_000;
  const first = hs.post("!dm:example.org", "@amy:example.org", "!page", T0 + 1000);
  const second = hs.post("!dm:example.org", "@amy:example.org", "!ack", T0 + 2000);

  // The transaction path recorded (and the worker handled) the first one already.
  expect(inbox.recordTransaction("41", [{ ...first }], t)).toBe(true);
  inbox.markDone(inbox.pending(1)[0].seq, t);
  expect((await c.runOnce("gap")).added).toBe(1);
  expect(pendingIds()).toEqual([second.event_id]);

  // Then the homeserver delivers the second one late, by transaction: nothing new.
  expect(inbox.recordTransaction("42", [{ ...second }], t)).toBe(true); // a new id is still acknowledged
  expect(pendingIds()).toEqual([second.event_id]);
  expect(db.prepare("SELECT COUNT(*) AS n FROM inbox").get()).toEqual({ n: 2 });
  expect(db.prepare("SELECT state FROM inbox WHERE event_id = ?").get(first.event_id)).toEqual({ state: "done" });
});

test("a room never read is read back to the baseline; a long gap no further than events.max_age", async () => {
  const c = catchUp();
  await c.runOnce("start"); // baseline T0, no rooms yet
  // A room the bot joined since: read back to the baseline (it has no position yet).
  t = T0 + 3 * 60_000;
  hs.post("!new:example.org", "@amy:example.org", "before the baseline", T0 - 1);
  const since = hs.post("!new:example.org", "@amy:example.org", "!page", T0 + 60_000);
  expect((await c.runOnce("outage")).added).toBe(1);
  expect(pendingIds()).toEqual([since.event_id]);

  // An hour later, after a long gap with no catch-up: only the last max_age is read.
  t = T0 + 60 * 60_000;
  hs.post("!new:example.org", "@amy:example.org", "too old", t - MAX_AGE - 1000);
  const recent = hs.post("!new:example.org", "@amy:example.org", "recent", t - MAX_AGE + 1000);
  const report = await c.runOnce("outage");
  expect(report).toMatchObject({ read: 1, added: 1 });
  expect(pendingIds()).toEqual([since.event_id, recent.event_id]);
});

test("a gap longer than the page bound reads the newest events only, and says so", async () => {
  const c = catchUp({ pageSize: 10, maxPages: 3 });
  await c.runOnce("start");
  t = T0 + 60_000;
  const posted = Array.from({ length: 45 }, (_, i) => hs.post("!busy:example.org", "@amy:example.org", `message ${i}`, T0 + i));
  const report = await c.runOnce("outage");
  expect(report).toMatchObject({ read: 30, added: 30, truncated: 1 });
  expect(pendingIds()).toEqual(posted.slice(15).map((e) => e.event_id));
  expect(hs.callsOf("roomMessages").length).toBe(3);
});

test("carenet's own events are recorded as ignored, without content", async () => {
  const c = catchUp();
  await c.runOnce("start");
  t = T0 + 1000;
  const own = hs.post("!dm:example.org", BOT, "a reply of carenet's", T0 + 500);
  await c.runOnce("outage");
  expect(pendingIds()).toEqual([]);
  expect(db.prepare("SELECT state, event_json FROM inbox WHERE event_id = ?").get(own.event_id)).toEqual({ state: "ignored", event_json: null });
});

test("rooms are read a few at a time, however many there are", async () => {
  const c = catchUp({ concurrency: 4 });
  for (let i = 0; i < 40; i++) hs.post(`!room${i}:example.org`, "@amy:example.org", "hello", T0 - 10);
  const report = await c.runOnce("start");
  expect(report.rooms).toBe(40);
  expect(hs.maxInFlight).toBe(4);
});

test("a room that could not be read keeps its position and is read in full at the next catch-up", async () => {
  const c = catchUp();
  await c.runOnce("start");
  hs.post("!a:example.org", "@amy:example.org", "x", T0 - 5);
  hs.post("!b:example.org", "@bob:example.org", "x", T0 - 5);
  await c.runOnce("start again");
  t = T0 + 10_000;
  const lost = hs.post("!b:example.org", "@bob:example.org", "!page", T0 + 5000);
  hs.failWith = (method, args) => (method === "roomMessages" && args[0] === "!b:example.org" ? connectionRefused() : undefined);
  expect(await c.runOnce("outage")).toMatchObject({ failed: 1, added: 0 });
  expect(positions.get("!b:example.org")).toBe("s1");
  hs.failWith = () => undefined;
  expect(await c.runOnce("back")).toMatchObject({ failed: 0, added: 1 });
  expect(pendingIds()).toEqual([lost.event_id]);
});

test("positions of rooms the bot has left are dropped", async () => {
  const c = catchUp();
  hs.post("!gone:example.org", "@amy:example.org", "x", T0 - 5);
  await c.runOnce("start");
  expect(positions.get("!gone:example.org")).toBe("s1");
  hs.rooms.delete("!gone:example.org");
  await c.runOnce("again");
  expect(positions.get("!gone:example.org")).toBeUndefined();
});

describe("noticing an outage", () => {
  test("transaction ids that go down start a catch-up; the next id, a jump forward or a retry do not", async () => {
    hs.post("!a:example.org", "@amy:example.org", "hi", T0 - 5);
    const c = catchUp();
    c.start();
    await c.idle();
    const runs = () => c.last?.reason;
    c.noteTransaction("7");
    c.noteTransaction("8");
    c.noteTransaction("8"); // Synapse retrying the same transaction
    c.noteTransaction("9");
    c.noteTransaction("15"); // other appservices took 10–14: one counter for them all
    c.noteTransaction("16");
    c.noteTransaction("not-a-number");
    await c.idle();
    expect(runs()).toBe("start");
    expect(hs.callsOf("roomMessages").length).toBe(1); // the start's one read of the one room, nothing since
    c.noteTransaction("3"); // numbering started again: Synapse restarted
    await c.idle();
    expect(runs()).toBe("transaction ids started again");
    const after = c.last!.at;
    t += 1000;
    c.noteTransaction("4");
    c.noteTransaction("40");
    await c.idle();
    expect(c.last!.at).toBe(after);
    await c.stop();
  });

  test("a failed health check and then a good one start a catch-up; good ones alone do not", async () => {
    const c = catchUp();
    c.start();
    await c.idle();
    const at = c.last!.at;
    t += 1000;
    c.noteReachable(true);
    await c.idle();
    expect(c.last!.at).toBe(at);
    c.noteTrouble("a send failed: ECONNREFUSED");
    c.noteReachable(true);
    await c.idle();
    expect(c.last).toMatchObject({ reason: "the homeserver is back", at: at + 1000 });
    await c.stop();
  });

  test("a catch-up that fails because the homeserver is down runs again when a probe finds it back", async () => {
    const c = catchUp({ probeEveryMs: 20 });
    hs.down = true;
    c.start();
    await c.idle();
    expect(c.last).toBeUndefined();
    hs.down = false;
    const deadline = Date.now() + 5000;
    while (!c.last && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(c.last?.reason).toBe("the homeserver is back");
    await c.stop();
  });

  test("nothing runs unless started (catch-up switched off)", async () => {
    const c = catchUp();
    c.noteTrouble("x");
    c.noteReachable(true);
    c.noteTransaction("1");
    c.noteTransaction("5");
    await c.idle();
    expect(c.last).toBeUndefined();
    expect(hs.callsOf("roomMessages").length).toBe(0);
  });
});

describe("what counts as the homeserver failing", () => {
  test("a connection error or a 5xx is an outage; a refusal (4xx) is not", () => {
    expect(looksLikeOutage(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8008"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(looksLikeOutage(new MatrixError({ errcode: "M_UNKNOWN", error: "bad gateway" }, 502))).toBe(true);
    expect(looksLikeOutage(new MatrixError({ errcode: "M_FORBIDDEN", error: "not in room" }, 403))).toBe(false);
    expect(looksLikeOutage(new MatrixError({ errcode: "M_LIMIT_EXCEEDED", error: "slow down" }, 429))).toBe(false);
  });

  test("a send that cannot reach the homeserver tells whoever listens, and still fails", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const client = { doRequest: async () => Promise.reject(refused) } as unknown as MatrixClient;
    const hs = new Homeserver(client, "http://127.0.0.1:1", BOT);
    const heard: string[] = [];
    hs.onUnreachable = (reason) => heard.push(reason);
    await expect(hs.sendEvent("!r:example.org", "m.room.message", {}, "t1")).rejects.toBe(refused);
    expect(heard).toEqual(["a send failed: ECONNREFUSED"]);

    const forbidden = new MatrixError({ errcode: "M_FORBIDDEN", error: "no" }, 403);
    (client as unknown as { doRequest: () => Promise<never> }).doRequest = async () => Promise.reject(forbidden);
    await expect(hs.sendEvent("!r:example.org", "m.room.message", {}, "t2")).rejects.toBe(forbidden);
    expect(heard).toHaveLength(1);
  });
});

describe("one GET /initialSync for every room", () => {
  /** Adds initialSync to the fake homeserver: each joined room's newest `limit` events, oldest first. */
  function withInitialSync(opts: { fail?: Error & { statusCode?: number } } = {}) {
    const asked = { syncs: 0 };
    const fake = hs as FakeHomeserver & { initialSync?: unknown };
    fake.initialSync = async (limit: number, onRoom: (room: unknown) => void) => {
      asked.syncs++;
      if (opts.fail) throw opts.fail;
      for (const [roomId, { timeline: list }] of hs.rooms.entries()) {
        onRoom({
          roomId,
          timeline: { start: `s${Math.max(0, list.length - limit)}`, end: `s${list.length}`, chunk: list.slice(-limit).map((e) => ({ ...e })) },
          state: [{ type: "m.room.create", state_key: "", sender: BOT, content: {} }],
        });
      }
    };
    return asked;
  }

  test("rooms whose newest events reach back to the last read are settled without /messages; the others are paged", async () => {
    const asked = withInitialSync();
    hs.post("!quiet:example.org", "@amy:example.org", "hello", T0 - 1000);
    for (let i = 0; i < 15; i++) hs.post("!busy:example.org", "@bob:example.org", `old ${i}`, T0 - 1000);
    const c = catchUp();
    await c.runOnce("start");
    expect(positions.position("!quiet:example.org")).toEqual({ token: "s1", event: "$quiet-0" });
    expect(positions.position("!busy:example.org")).toEqual({ token: "s15", event: "$busy:-14" });

    t = T0 + 60_000;
    const before = hs.callsOf("roomMessages").length;
    const few = [1, 2, 3].map((i) => hs.post("!quiet:example.org", "@amy:example.org", `new ${i}`, T0 + 10_000 + i));
    const many = Array.from({ length: 12 }, (_, i) => hs.post("!busy:example.org", "@bob:example.org", `new ${i}`, T0 + 20_000 + i));
    const report = await c.runOnce("the homeserver is back");
    expect(report).toMatchObject({ rooms: 2, paged: 1, added: 15, failed: 0 });
    expect(hs.callsOf("roomMessages").length - before).toBe(1); // only the busy room, one page
    expect(pendingIds()).toEqual(expect.arrayContaining([...few, ...many].map((e) => e.event_id)));
    expect(asked.syncs).toBe(2);

    // Nothing new anywhere: one initialSync and no /messages at all.
    const quiet = await c.runOnce("again");
    expect(quiet).toMatchObject({ paged: 0, added: 0 });
    expect(hs.callsOf("roomMessages").length - before).toBe(1);
    expect(positions.position("!busy:example.org")).toEqual({ token: "s27", event: "$busy:-26" });
  });

  test("an event recorded by a transaction is not recorded twice when initialSync shows it", async () => {
    withInitialSync();
    hs.post("!dm:example.org", "@amy:example.org", "hi", T0 - 1000);
    const c = catchUp();
    await c.runOnce("start");
    t = T0 + 30_000;
    const page = hs.post("!dm:example.org", "@amy:example.org", "!page", T0 + 1000);
    expect(inbox.recordTransaction("41", [{ ...page }], t)).toBe(true);
    expect((await c.runOnce("again")).added).toBe(0);
    expect(db.prepare("SELECT COUNT(*) AS n FROM inbox").get()).toEqual({ n: 1 });
  });

  test("a room never read: events from before the first catch-up are not recorded, newer ones are", async () => {
    withInitialSync();
    const c = catchUp();
    await c.runOnce("start"); // the baseline: T0
    hs.post("!new:example.org", "@amy:example.org", "before carenet", T0 - 5000);
    const later = hs.post("!new:example.org", "@amy:example.org", "!help", T0 + 5000);
    t = T0 + 10_000;
    expect(await c.runOnce("again")).toMatchObject({ paged: 0, added: 1 });
    expect(pendingIds()).toEqual([later.event_id]);
  });

  test("the kept rooms' states are handed over; a refused initialSync falls back to reading each room, and is not asked again", async () => {
    const refused = Object.assign(new Error("Unrecognized request"), { statusCode: 404 });
    const asked = withInitialSync({ fail: refused });
    hs.post("!dm:example.org", "@amy:example.org", "hi", T0 - 1000);
    const seen: Array<Map<string, unknown> | undefined> = [];
    const c = catchUp({}, {
      ignore: () => false,
      keepState: () => true,
      sawStates: (s) => seen.push(s),
    });
    expect(await c.runOnce("start")).toMatchObject({ rooms: 1, paged: 1, failed: 0 });
    await c.runOnce("again");
    expect(asked.syncs).toBe(1);
    expect(seen).toEqual([undefined, undefined]);

    const ok = withInitialSync();
    const c2 = catchUp({}, {
      ignore: () => false,
      keepState: (roomId) => roomId === "!dm:example.org",
      sawStates: (s) => seen.push(s),
    });
    await c2.runOnce("start");
    expect(ok.syncs).toBe(1);
    expect([...(seen[2] ?? new Map()).keys()]).toEqual(["!dm:example.org"]);
  });

  test("a homeserver that cannot be reached during initialSync is trouble, not a fallback", async () => {
    withInitialSync({ fail: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    const c = catchUp();
    await expect(c.runOnce("start")).rejects.toThrow("ECONNREFUSED");
    expect(hs.callsOf("roomMessages").length).toBe(0);
  });
});

test("stored positions written before the newest event was kept are still read", () => {
  db.prepare("INSERT INTO room_read_positions (room_id, token, read_at) VALUES (?, ?, ?)").run("!old:example.org", "s5", T0);
  expect(positions.position("!old:example.org")).toEqual({ token: "s5" });
  expect(positions.get("!old:example.org")).toBe("s5");
  positions.set("!old:example.org", "s6", T0, "$e");
  expect(positions.get("!old:example.org")).toBe("s6");
  expect(positions.position("!old:example.org")).toEqual({ token: "s6", event: "$e" });
});
