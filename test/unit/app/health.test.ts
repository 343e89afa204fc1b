import pino from "pino";
import { Health, INBOX_STUCK_AFTER_MS } from "../../../src/app/health";
import { openDatabase, type Db } from "../../../src/store/database";
import { InboxStore } from "../../../src/store/inbox";

const NOW = Date.parse("2026-01-12T22:00:00Z");
let db: Db;
let now: number;
let health: Health;
const onWritable = jest.fn();

beforeEach(() => {
  db = openDatabase(":memory:");
  now = NOW;
  onWritable.mockClear();
  health = new Health({
    db,
    clock: { now: () => now },
    log: pino({ level: "silent" }),
    databasePath: ":memory:",
    homeserverReachable: async () => true,
    details: () => ({}),
    onWritable,
  });
});
afterEach(() => {
  health.stop();
  if (db.open) db.close();
});

describe("health", () => {
  it("is ok when carenet can write, nothing waits long and the homeserver answers", async () => {
    expect(await health.report()).toMatchObject({ ok: true, database: { writable: true }, inbox: { stuck: false } });
  });

  it("is not ok when a write fails, even though the database is open", async () => {
    db.exec("CREATE TRIGGER no_writes BEFORE UPDATE ON appservice_transactions BEGIN SELECT RAISE(FAIL, 'disk I/O error'); END;");
    db.exec("CREATE TRIGGER no_inserts BEFORE INSERT ON appservice_transactions BEGIN SELECT RAISE(FAIL, 'disk I/O error'); END;");
    expect(await health.report()).toMatchObject({ ok: false, database: { open: true, writable: false } });
  });

  it("is not ok when an event has waited longer than the stuck limit", async () => {
    new InboxStore(db).recordTransaction("t1", [{ event_id: "$e", type: "m.room.message" }], NOW);
    now = NOW + INBOX_STUCK_AFTER_MS - 1000;
    expect(await health.report()).toMatchObject({ ok: true });
    now = NOW + INBOX_STUCK_AFTER_MS + 1000;
    await new Promise((r) => setTimeout(r, 1100)); // past the reuse window
    expect(await health.report()).toMatchObject({ ok: false, inbox: { stuck: true } });
  });

  it("after a failed transaction, says once that writing works again", async () => {
    jest.useFakeTimers({ doNotFake: ["nextTick", "setImmediate"] });
    try {
      health.recordOutcome(false, Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" }));
      jest.advanceTimersByTime(2500);
      expect(onWritable).toHaveBeenCalledTimes(1);
      jest.advanceTimersByTime(10_000);
      expect(onWritable).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
