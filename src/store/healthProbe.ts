import type { Db } from "./database";

/**
 * A one-row durable write, kept among the transaction ids (a name Synapse never uses: its
 * transaction ids are numbers), so that /health reports whether carenet can write at all.
 */
const PROBE_ID = "carenet:health-probe";

export class HealthProbeStore {
  constructor(private readonly db: Db) {}

  /** Writes (and, with synchronous=FULL, syncs) one small row; throws what SQLite throws. */
  write(now: number): void {
    this.db
      .prepare("INSERT INTO appservice_transactions (txn_id, completed_at) VALUES (?, ?) ON CONFLICT (txn_id) DO UPDATE SET completed_at = excluded.completed_at")
      .run(PROBE_ID, now);
  }

  /** When the oldest event still waiting to be handled arrived, if any is waiting. */
  oldestPendingAt(): number | null {
    const row = this.db.prepare("SELECT MIN(received_at) AS at FROM inbox WHERE state = 'pending'").get() as { at: number | null };
    return row.at;
  }
}
