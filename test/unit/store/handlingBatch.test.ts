import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { openDatabase, removeOldVersions, type Db } from "../../../src/store/database";
import { handlingBatch, syncWriteAheadLog } from "../../../src/store/handlingBatch";
import { InboxStore } from "../../../src/store/inbox";
import { OutboxStore } from "../../../src/store/outbox";

const T = 1_700_000_000_000;
// The module object itself (not an import namespace), so its functions can be watched.
const fs = jest.requireActual<typeof import("node:fs")>("node:fs");
const realOpen = fs.openSync;
const realSync = fs.fdatasyncSync;
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

test("a batch that queued a message has the write-ahead log synced after its commit, before it returns", () => {
  const seen: Array<{ committed: number; level: unknown }> = [];
  const syncLog = (d: Db) => {
    const other = new BetterSqlite3(file, { readonly: true });
    try {
      seen.push({ committed: (other.prepare("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n, level: d.pragma("synchronous", { simple: true }) });
    } finally {
      other.close();
    }
  };
  handlingBatch(db, syncLog)(() => {
    new OutboxStore(db).enqueue({ dedupeKey: "reply:$a", roomId: "!r:x", eventType: "m.room.message", content: { body: "hi" } }, T);
    new InboxStore(db).markDone(1, T);
  });
  // Synced once, after the commit (another connection already sees the message).
  expect(seen).toEqual([{ committed: 1, level: 2 }]);
  // A batch that queues nothing is not synced.
  handlingBatch(db, syncLog)(() => new InboxStore(db).markDone(1, T));
  expect(seen).toHaveLength(1);
});

test("the log is synced with fdatasync on the database's -wal file", () => {
  const opened: unknown[] = [];
  const synced: number[] = [];
  const open = jest.spyOn(fs, "openSync").mockImplementation(((...args: Parameters<typeof fs.openSync>) => {
    const fd = realOpen(...args);
    opened.push([args[0], fd]);
    return fd;
  }) as typeof fs.openSync);
  const sync = jest.spyOn(fs, "fdatasyncSync").mockImplementation((fd: number) => {
    synced.push(fd);
    realSync(fd);
  });
  try {
    handlingBatch(db)(() => {
      new OutboxStore(db).enqueue({ dedupeKey: "reply:$a", roomId: "!r:x", eventType: "m.room.message", content: { body: "hi" } }, T);
    });
  } finally {
    open.mockRestore();
    sync.mockRestore();
  }
  const wal = opened.filter((o) => (o as [string, number])[0] === `${file}-wal`) as Array<[string, number]>;
  expect(wal).toHaveLength(1);
  expect(synced).toEqual([wal[0][1]]);
  // Nothing was copied into the database file: the sync alone made it durable.
  expect(queuedInFile()).toBe(0);
});

test("a log that is not there has nothing to sync", () => {
  const mem = { name: path.join(dir, "gone.db") } as Db;
  expect(() => syncWriteAheadLog(mem)).not.toThrow();
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
