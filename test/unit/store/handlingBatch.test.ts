import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { openDatabase, removeOldVersions, type Db } from "../../../src/store/database";
import { handlingBatch } from "../../../src/store/handlingBatch";
import { InboxStore } from "../../../src/store/inbox";
import { OutboxStore } from "../../../src/store/outbox";

const T = 1_700_000_000_000;
let dir: string;
let file: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "carenet-batch-"));
  file = path.join(dir, "carenet.db");
  db = openDatabase(file);
  new InboxStore(db).recordTransaction("t1", [{ event_id: "$a", type: "m.room.message", room_id: "!r:x" }], T);
  removeOldVersions(db); // everything so far is in the database file itself
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the database file alone (without its write-ahead log) holds: what a checkpoint has put there. */
function fileAlone<T>(read: (copy: BetterSqlite3.Database) => T): T {
  const copy = path.join(dir, "alone.db");
  copyFileSync(file, copy);
  const other = new BetterSqlite3(copy, { readonly: true });
  try {
    return read(other);
  } finally {
    other.close();
  }
}
const doneInFile = () => fileAlone((d) => d.prepare("SELECT state FROM inbox WHERE event_id = '$a'").get());
const queuedInFile = () => fileAlone((d) => (d.prepare("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n);

test("a batch that queues nothing to send commits without waiting for the disk; later commits wait again", () => {
  let level: unknown;
  handlingBatch(db)(() => {
    level = db.pragma("synchronous", { simple: true });
    new InboxStore(db).markDone(1, T);
  });
  expect(level).toBe(1); // NORMAL
  expect(db.pragma("synchronous", { simple: true })).toBe(2); // FULL again
  expect(db.prepare("SELECT state FROM inbox WHERE event_id = '$a'").get()).toEqual({ state: "done" });
  // Not checkpointed: it sits in the log, where a power cut may take it back (the event is handled again).
  expect(doneInFile()).toEqual({ state: "pending" });
});

test("a batch that queued a message is on disk before it returns, before anything can send it", () => {
  handlingBatch(db)(() => {
    new OutboxStore(db).enqueue({ dedupeKey: "reply:$a", roomId: "!r:x", eventType: "m.room.message", content: { body: "hi" } }, T);
    new InboxStore(db).markDone(1, T);
  });
  expect(db.pragma("synchronous", { simple: true })).toBe(2);
  // The log was synced and copied into the database file (a checkpoint syncs the log first).
  expect(queuedInFile()).toBe(1);
  expect(doneInFile()).toEqual({ state: "done" });
});

test("a batch that throws takes everything back, and later commits wait for the disk again", () => {
  expect(() =>
    handlingBatch(db)(() => {
      new InboxStore(db).markDone(1, T);
      throw new Error("boom");
    }),
  ).toThrow("boom");
  expect(db.pragma("synchronous", { simple: true })).toBe(2);
  expect(db.prepare("SELECT state FROM inbox WHERE event_id = '$a'").get()).toEqual({ state: "pending" });
});

test("nested, it is a savepoint of the transaction around it", () => {
  db.transaction(() => {
    expect(() =>
      handlingBatch(db)(() => {
        new InboxStore(db).markDone(1, T);
        throw new Error("only this part");
      }),
    ).toThrow("only this part");
    new OutboxStore(db).enqueue({ dedupeKey: "k", roomId: "!r:x", eventType: "m.room.message", content: {} }, T);
  })();
  expect(db.prepare("SELECT state FROM inbox WHERE event_id = '$a'").get()).toEqual({ state: "pending" });
  expect((db.prepare("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n).toBe(1);
});
