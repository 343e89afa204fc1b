import type { Db } from "../../store/database";

/** Where a room was last read: a /messages pagination token, and the newest event then, when known. */
export interface ReadPosition {
  token: string;
  event?: string;
}

/**
 * Where carenet last read each room's timeline, for catch-up after a homeserver outage.
 * Written in the same SQLite transaction as the events read, so a position never runs
 * ahead of what was recorded. The `token` column holds either a bare pagination token
 * (as written before the newest event was kept) or `{"token": …, "event": …}`.
 */
export class ReadPositionsStore {
  constructor(private readonly db: Db) {}

  /** The pagination token of the last read. */
  get(roomId: string): string | undefined {
    return this.position(roomId)?.token;
  }

  position(roomId: string): ReadPosition | undefined {
    const row = this.db.prepare("SELECT token FROM room_read_positions WHERE room_id = ?").get(roomId) as { token: string } | undefined;
    return row === undefined ? undefined : parsePosition(row.token);
  }

  set(roomId: string, token: string, now: number, event?: string): void {
    this.db
      .prepare(
        `INSERT INTO room_read_positions (room_id, token, read_at) VALUES (?, ?, ?)
         ON CONFLICT (room_id) DO UPDATE SET token = excluded.token, read_at = excluded.read_at`,
      )
      .run(roomId, event === undefined ? token : JSON.stringify({ token, event }), now);
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

function parsePosition(stored: string): ReadPosition {
  if (!stored.startsWith("{")) return { token: stored };
  try {
    const p = JSON.parse(stored) as { token?: unknown; event?: unknown };
    if (typeof p.token === "string") return { token: p.token, event: typeof p.event === "string" ? p.event : undefined };
  } catch {
    // not ours: read as a bare token below
  }
  return { token: stored };
}
