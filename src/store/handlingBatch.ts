import { closeSync, fdatasyncSync, openSync } from "node:fs";
import { atomically } from "./atomically";
import type { Db } from "./database";

/**
 * The SQLite transaction for a batch of handled events (src/matrix/inboxWorker.ts); nested,
 * a savepoint. docs/architecture.md, "What is on disk when", explains the choice.
 *
 * A batch commits without waiting for the disk (`synchronous = NORMAL` for that commit):
 * its events were made durable when their homeserver transaction was recorded, so if a
 * power cut takes the batch back they are simply pending again and handled again, as after
 * a crash in the middle of a batch. What must not happen is that something is sent and
 * then forgotten: re-handled, it would be queued under a new transaction id and arrive
 * twice. So a batch that queued anything to send has the write-ahead log synced right after
 * its commit, before the event loop (and with it the outbox sender) runs again: the same
 * one sync a FULL commit would have made (SQLite refuses to change the level inside a
 * transaction, and only the batch's end says whether it queued anything).
 */
export function handlingBatch(db: Db, syncLog: (db: Db) => void = syncWriteAheadLog): <T>(fn: () => T) => T {
  const inTransaction = atomically(db);
  return <T>(fn: () => T): T => {
    if (db.inTransaction || db.memory) return inTransaction(fn);
    const before = lastQueued(db);
    db.pragma("synchronous = NORMAL");
    let result: T;
    try {
      result = inTransaction(fn);
    } finally {
      db.pragma("synchronous = FULL");
    }
    if (lastQueued(db) !== before) syncLog(db);
    return result;
  };
}

/**
 * Puts the write-ahead log's committed frames on disk. Opened by name each time, so it is
 * always the current log that is synced, even if another connection removed and remade it.
 */
export function syncWriteAheadLog(db: Db): void {
  let fd: number;
  try {
    fd = openSync(`${db.name}-wal`, "r");
  } catch (err) {
    // SQLite removes the log only after copying it into the database file and syncing that.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  try {
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function lastQueued(db: Db): number {
  return (db.prepare("SELECT COALESCE(MAX(id), 0) AS id FROM outbox").get() as { id: number }).id;
}
