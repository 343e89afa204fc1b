import type { Statement } from "better-sqlite3";
import { atomically, type Atomically } from "./atomically";
import type { Db } from "./database";

/** The fields of an incoming event that carenet indexes; the rest stays in `json`. */
export interface IncomingEvent {
  event_id: string;
  room_id?: string;
  sender?: string;
  type: string;
  [key: string]: unknown;
}

export interface InboxRow {
  seq: number;
  eventId: string;
  txnId: string;
  receivedAt: number;
  attempts: number;
  event: IncomingEvent;
}

export type IgnoreReason = (event: IncomingEvent) => boolean;

/**
 * The durable inbox. A homeserver transaction is recorded here in one SQLite transaction
 * (events plus the transaction id) before it is acknowledged; handlers then work from the
 * rows, so a crash after the acknowledgement loses nothing and a replay adds nothing.
 */
export class InboxStore {
  private readonly atomically: Atomically;
  private readonly knownTransaction: Statement;
  private readonly completeTransaction: Statement;
  private readonly insertEvent: Statement;

  constructor(private readonly db: Db) {
    this.atomically = atomically(db);
    // Prepared here rather than looked up per call: they run for every transaction and event.
    this.knownTransaction = db.prepare("SELECT 1 FROM appservice_transactions WHERE txn_id = ?");
    this.completeTransaction = db.prepare("INSERT INTO appservice_transactions (txn_id, completed_at) VALUES (?, ?)");
    this.insertEvent = db.prepare(
      `INSERT OR IGNORE INTO inbox (event_id, txn_id, room_id, sender, type, received_at, event_json, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /**
   * Records a transaction's events; returns false when nothing new was added (a replay).
   * The events and the transaction id go in one SQLite transaction, so one durable commit
   * covers them all, and they are recorded together or not at all.
   * A known transaction id is not enough to skip it: Synapse on SQLite numbers
   * transactions from the highest still-pending one, so after it restarts it reuses ids
   * with new events. Events are unique by event id, which is what makes a replay a no-op.
   */
  recordTransaction(txnId: string, events: IncomingEvent[], now: number, ignore: IgnoreReason = () => false): boolean {
    return this.atomically(() => {
      const known = !!this.knownTransaction.get(txnId);
      const added = this.insertEvents(txnId, events, now, ignore);
      if (!known) this.completeTransaction.run(txnId, now);
      return !known || added > 0;
    });
  }

  /**
   * Records events that did not come in a homeserver transaction — read back from room
   * timelines by catch-up (src/matrix/catchUp.ts) — under `source` in place of a
   * transaction id. The same rule as for transactions: an event already here (pending,
   * handled or ignored, by either path) is not added again. Returns how many were new.
   */
  recordEvents(source: string, events: IncomingEvent[], now: number, ignore: IgnoreReason = () => false): number {
    return this.atomically(() => this.insertEvents(source, events, now, ignore));
  }

  /** Inserts inside the caller's transaction; events without an id or a type are skipped. */
  private insertEvents(source: string, events: IncomingEvent[], now: number, ignore: IgnoreReason): number {
    let added = 0;
    for (const ev of events) {
      if (typeof ev?.event_id !== "string" || typeof ev.type !== "string") continue;
      const ignored = ignore(ev);
      added += this.insertEvent.run(
        ev.event_id,
        source,
        typeof ev.room_id === "string" ? ev.room_id : null,
        typeof ev.sender === "string" ? ev.sender : null,
        ev.type,
        now,
        ignored ? null : JSON.stringify(ev),
        ignored ? "ignored" : "pending",
      ).changes;
    }
    return added;
  }

  /** True if the event is in the inbox already, in any state. */
  has(eventId: string): boolean {
    return !!this.db.prepare("SELECT 1 FROM inbox WHERE event_id = ?").get(eventId);
  }

  isTransactionRecorded(txnId: string): boolean {
    return !!this.db.prepare("SELECT 1 FROM appservice_transactions WHERE txn_id = ?").get(txnId);
  }

  /** Pending events in arrival order. */
  pending(limit = 50): InboxRow[] {
    const rows = this.db
      .prepare(
        `SELECT seq, event_id, txn_id, received_at, attempts, event_json FROM inbox
         WHERE state = 'pending' ORDER BY seq LIMIT ?`,
      )
      .all(limit) as Array<{ seq: number; event_id: string; txn_id: string; received_at: number; attempts: number; event_json: string }>;
    return rows.map((r) => ({
      seq: r.seq,
      eventId: r.event_id,
      txnId: r.txn_id,
      receivedAt: r.received_at,
      attempts: r.attempts,
      event: JSON.parse(r.event_json) as IncomingEvent,
    }));
  }

  /** Marks an event handled and forgets its content. Call inside the handler's transaction. */
  markDone(seq: number, now: number): void {
    this.db
      .prepare("UPDATE inbox SET state = 'done', handled_at = ?, event_json = NULL WHERE seq = ? AND state = 'pending'")
      .run(now, seq);
  }

  /** Records a failed attempt; after `maxAttempts` the event is parked as failed. */
  markAttemptFailed(seq: number, error: string, now: number, maxAttempts: number): "retry" | "failed" {
    const row = this.db.prepare("SELECT attempts FROM inbox WHERE seq = ?").get(seq) as { attempts: number } | undefined;
    const attempts = (row?.attempts ?? 0) + 1;
    const failed = attempts >= maxAttempts;
    this.db
      .prepare(
        `UPDATE inbox SET attempts = ?, error = ?, state = ?, handled_at = ?,
           event_json = CASE WHEN ? THEN NULL ELSE event_json END
         WHERE seq = ? AND state = 'pending'`,
      )
      .run(attempts, error, failed ? "failed" : "pending", failed ? now : null, failed ? 1 : 0, seq);
    return failed ? "failed" : "retry";
  }

  countByState(): Record<string, number> {
    const rows = this.db.prepare("SELECT state, COUNT(*) AS n FROM inbox GROUP BY state").all() as Array<{ state: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  /** Drops bookkeeping older than `beforeMs`: completed transaction ids and handled rows. */
  prune(beforeMs: number): { transactions: number; events: number } {
    return this.atomically(() => ({
      transactions: this.db.prepare("DELETE FROM appservice_transactions WHERE completed_at < ?").run(beforeMs).changes,
      events: this.db.prepare("DELETE FROM inbox WHERE state != 'pending' AND received_at < ?").run(beforeMs).changes,
    }));
  }
}
