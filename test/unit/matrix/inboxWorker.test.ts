import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLogger } from "../../../src/kernel/logger";
import { InboxWorker, type EventHandler, type Pacing } from "../../../src/matrix/inboxWorker";
import { openDatabase, removeOldVersions, type Db } from "../../../src/store/database";
import { handlingBatch } from "../../../src/store/handlingBatch";
import { InboxStore, type IncomingEvent, type InboxRow } from "../../../src/store/inbox";
import { OutboxStore } from "../../../src/store/outbox";

const T = 1_700_000_000_000;
const clock = { now: () => T };
const log = createLogger("silent");

let dir: string;
let file: string;
let db: Db;
let workers: InboxWorker[];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "carenet-worker-"));
  file = path.join(dir, "carenet.db");
  db = openDatabase(file);
  workers = [];
});
afterEach(async () => {
  for (const w of workers) await w.stop();
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const events = (n: number, prefix = "e"): IncomingEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    event_id: `$${prefix}${i}`,
    room_id: "!room:example.org",
    sender: `@member${i}:example.org`,
    type: "m.room.message",
    origin_server_ts: T,
    content: { msgtype: "m.text", body: `message ${i}` },
  }));

/** What a real handler does: queue a reply and mark the event done, in one transaction. */
const replying = (d: Db): EventHandler => {
  const inbox = new InboxStore(d);
  const outbox = new OutboxStore(d);
  return (row: InboxRow) =>
    d.transaction(() => {
      outbox.enqueue({ dedupeKey: `reply:${row.eventId}`, roomId: "!room:example.org", eventType: "m.room.message", content: { body: "ok" } }, T);
      inbox.markDone(row.seq, T);
    })();
};

function workerOn(d: Db, handle: EventHandler, pacing?: Pacing): InboxWorker {
  const w = new InboxWorker(new InboxStore(d), handle, clock, log, () => undefined, handlingBatch(d), pacing);
  workers.push(w);
  return w;
}

/** Calls `wake` every `everyMs` (as each recorded transaction does) until the returned function is called. */
function arrivals(worker: InboxWorker, everyMs: number): () => void {
  worker.wake();
  const timer = setInterval(() => worker.wake(), everyMs);
  return () => clearInterval(timer);
}

async function drained(d: Db): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (!new InboxStore(d).countByState().pending) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("the inbox was not drained");
}

/**
 * Commits in the write-ahead log since it was last emptied: each commit ends with a frame
 * that records the database's size (https://www.sqlite.org/fileformat.html#the_write_ahead_log).
 */
function commitsInWal(dbFile: string): number {
  const wal = readFileSync(`${dbFile}-wal`);
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salt = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt[0] || wal.readUInt32BE(at + 12) !== salt[1]) break;
    if (wal.readUInt32BE(at + 4) !== 0) commits++;
  }
  return commits;
}

const outboxCount = (d: Db) => (d.prepare("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n;

test("a transaction of 50 events is recorded in one commit and handled in one more", async () => {
  removeOldVersions(db);
  expect(commitsInWal(file)).toBe(0);
  new InboxStore(db).recordTransaction("t1", events(50), T);
  expect(commitsInWal(file)).toBe(1);

  workerOn(db, replying(db)).start();
  await drained(db);
  expect(commitsInWal(file)).toBe(2);
  expect(outboxCount(db)).toBe(50);
  expect(new InboxStore(db).countByState()).toEqual({ done: 50 });
});

test("an event whose handler throws takes back only its own writes, and is retried later; the rest of its batch stays", async () => {
  const inbox = new InboxStore(db);
  inbox.recordTransaction("t1", events(10), T);
  const handle = replying(db);
  workerOn(db, (row) => {
    handle(row);
    if (row.eventId === "$e3") throw new Error("cannot handle this one");
  }).start();
  await new Promise((r) => setTimeout(r, 100));
  expect(outboxCount(db)).toBe(9);
  expect(db.prepare("SELECT 1 AS queued FROM outbox WHERE dedupe_key = 'reply:$e3'").get()).toBeUndefined();
  expect(db.prepare("SELECT state, attempts, error FROM inbox WHERE event_id = '$e3'").get()).toEqual({
    state: "pending",
    attempts: 1,
    error: "cannot handle this one",
  });
  expect(inbox.countByState()).toEqual({ done: 9, pending: 1 });
});

test("handlers that wait end the batch: every event is still handled after the one before it", async () => {
  new InboxStore(db).recordTransaction("t1", events(30), T);
  const handle = replying(db);
  const finished: string[] = [];
  workerOn(db, (row) => {
    const n = Number(row.eventId.slice(2));
    if (n % 7 !== 0) {
      handle(row);
      finished.push(row.eventId);
      return;
    }
    // Waits longer the earlier it is, so any overlap would finish out of order.
    return new Promise<void>((resolve) => setTimeout(resolve, 40 - n)).then(() => {
      handle(row);
      finished.push(row.eventId);
    });
  }).start();
  await drained(db);
  expect(finished).toEqual(events(30).map((e) => e.event_id));
  expect(outboxCount(db)).toBe(30);
});

test("between batches the worker lets other work in (the next transaction's acknowledgement does not wait for handling)", async () => {
  new InboxStore(db).recordTransaction("t1", events(300), T);
  const handle = replying(db);
  let handled = 0;
  let handledWhenLetIn: number | undefined;
  workerOn(db, (row) => {
    if (handled === 0) setImmediate(() => (handledWhenLetIn = handled));
    handle(row);
    handled++;
  }).start();
  await drained(db);
  expect(handled).toBe(300);
  expect(handledWhenLetIn).toBeDefined();
  expect(handledWhenLetIn!).toBeLessThan(300);
});

test("while transactions keep coming one after another, handling waits for a pause", async () => {
  const handle = replying(db);
  let handled = 0;
  const worker = workerOn(db, (row) => {
    handle(row);
    handled++;
  }, { quietMs: 1000, maxDeferMs: 60_000 });
  worker.start();
  const inbox = new InboxStore(db);
  const stop = arrivals(worker, 50);
  for (let t = 0; t < 10; t++) {
    inbox.recordTransaction(`t${t}`, events(5, `t${t}-`), T);
    await new Promise((r) => setTimeout(r, 50));
  }
  // At most the first transaction, which came after a quiet spell; none after it.
  expect(handled).toBeLessThanOrEqual(5);
  stop();
  await drained(db);
  expect(handled).toBe(50);
});

test("a transaction after a quiet spell is handled at once, without waiting for a pause", async () => {
  const handle = replying(db);
  // A pause of a minute, bounded by a minute: a lone transaction that waited for it would not be handled in time.
  const worker = workerOn(db, handle, { quietMs: 60_000, maxDeferMs: 60_000 });
  worker.start();
  new InboxStore(db).recordTransaction("t1", events(3), T);
  worker.wake();
  await drained(db);
  expect(new InboxStore(db).countByState()).toEqual({ done: 3 });
});

test("a transaction held up while a batch ran is part of a stream: it waits for a pause, and is not handled at once", async () => {
  const handle = replying(db);
  const handled: string[] = [];
  const worker = workerOn(db, (row) => {
    // The first batch keeps the event loop for longer than quietMs, as a big batch does;
    // the homeserver's next transaction is recorded only once it has ended.
    if (handled.length === 0) for (const until = performance.now() + 80; performance.now() < until; );
    handle(row);
    handled.push(row.eventId);
  }, { quietMs: 50, maxDeferMs: 10_000 });
  worker.start();
  const inbox = new InboxStore(db);
  inbox.recordTransaction("t1", events(1, "t1-"), T);
  worker.wake();
  for (let i = 0; i < 500 && handled.length === 0; i++) await new Promise((r) => setTimeout(r, 1));
  expect(handled).toHaveLength(1);
  inbox.recordTransaction("t2", events(1, "t2-"), T);
  worker.wake();
  await new Promise((r) => setTimeout(r, 20));
  expect(handled).toHaveLength(1);
  await drained(db);
  expect(handled).toHaveLength(2);
});

test("a steady stream of transactions holds handling up for no more than maxDeferMs", async () => {
  const handle = replying(db);
  const worker = workerOn(db, handle, { quietMs: 60_000, maxDeferMs: 100 });
  worker.start();
  new InboxStore(db).recordTransaction("t1", events(20), T);
  const stop = arrivals(worker, 10);
  try {
    // Without the bound, a pause of a minute would be needed before anything was handled.
    await drained(db);
  } finally {
    stop();
  }
  expect(new InboxStore(db).countByState()).toEqual({ done: 20 });
});

test("a crash after recording, or in the middle of a batch, loses nothing and doubles nothing", async () => {
  new InboxStore(db).recordTransaction("t1", events(50), T);
  // The process dies while handling the 31st event: the batch was never committed.
  const handle = replying(db);
  let seen = 0;
  workerOn(db, (row) => {
    if (++seen === 31) db.close();
    handle(row);
  }).start();
  for (let i = 0; i < 100 && db.open; i++) await new Promise((r) => setTimeout(r, 10));
  expect(db.open).toBe(false);
  await workers.pop()!.stop();

  const again = openDatabase(file);
  try {
    expect(new InboxStore(again).countByState()).toEqual({ pending: 50 });
    expect(outboxCount(again)).toBe(0);
    workerOn(again, replying(again)).start();
    await drained(again);
    await workers.pop()!.stop();
    expect(outboxCount(again)).toBe(50);
    const keys = (again.prepare("SELECT dedupe_key FROM outbox ORDER BY id").all() as Array<{ dedupe_key: string }>).map((r) => r.dedupe_key);
    expect(keys).toEqual(events(50).map((e) => `reply:${e.event_id}`));
    expect(new InboxStore(again).countByState()).toEqual({ done: 50 });
  } finally {
    again.close();
  }
});
