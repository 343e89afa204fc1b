import type { Db } from "./database";

/**
 * Where carenet last read each room's timeline (a /messages pagination token), for
 * catch-up after a homeserver outage. Written in the same SQLite transaction as the events
 * read, so a position never runs ahead of what was recorded.
 */
export class ReadPositionsStore {
  constructor(private readonly db: Db) {}

  get(roomId: string): string | undefined {
    const row = this.db.prepare("SELECT token FROM room_read_positions WHERE room_id = ?").get(roomId) as { token: string } | undefined;
    return row?.token;
  }

  set(roomId: string, token: string, now: number): void {
    this.db
      .prepare(
        `INSERT INTO room_read_positions (room_id, token, read_at) VALUES (?, ?, ?)
         ON CONFLICT (room_id) DO UPDATE SET token = excluded.token, read_at = excluded.read_at`,
      )
      .run(roomId, token, now);
  }

  /** Drops the positions of rooms the bot is no longer in; returns how many. */
  keepOnly(roomIds: readonly string[]): number {
    const keep = new Set(roomIds);
    const all = this.db.prepare("SELECT room_id FROM room_read_positions").all() as Array<{ room_id: string }>;
    const del = this.db.prepare("DELETE FROM room_read_positions WHERE room_id = ?");
    let n = 0;
    this.db.transaction(() => {
      for (const r of all) if (!keep.has(r.room_id)) n += del.run(r.room_id).changes;
    })();
    return n;
  }

  /** When timelines were first read with this database (set to `now` the first time it is asked). */
  baseline(now: number): number {
    this.db.prepare("INSERT OR IGNORE INTO catch_up_baseline (id, since) VALUES (1, ?)").run(now);
    return (this.db.prepare("SELECT since FROM catch_up_baseline WHERE id = 1").get() as { since: number }).since;
  }
}
