import type { Break } from "../domain/rota";
import type { Db } from "../../../store/database";
import type { RotaBreak } from "./rotaRecords";
import { toBreak, type BreakRow } from "./rotaRows";

/**
 * Breaks (`!break`): a person off the rota, in every community, until a time or until they
 * end it. RotaStore extends this, so the rota keeps one store for entries and breaks.
 */
export class RotaBreaksStore {
  constructor(protected readonly db: Db) {}

  /** Starts a break now (ending any break in force); `untilMs` null means until ended. */
  startBreak(userId: string, untilMs: number | null, now: number): RotaBreak {
    return this.db.transaction((): RotaBreak => {
      this.endBreak(userId, now);
      const result = this.db
        .prepare("INSERT INTO rota_breaks (user_id, started_at, until_ms) VALUES (?, ?, ?)")
        .run(userId, now, untilMs);
      return this.breakById(Number(result.lastInsertRowid))!;
    })();
  }

  /** Ends the break in force, if any; true if there was one. */
  endBreak(userId: string, now: number): boolean {
    const current = this.currentBreak(userId, now);
    if (!current) return false;
    this.db.prepare("UPDATE rota_breaks SET ended_at = ? WHERE id = ?").run(now, current.id);
    return true;
  }

  /** The person's break in force at `now`, if any. */
  currentBreak(userId: string, now: number): RotaBreak | undefined {
    const row = this.db
      .prepare(
        `SELECT id, user_id, started_at, until_ms, ended_at FROM rota_breaks
         WHERE user_id = ? AND ended_at IS NULL AND started_at <= ? AND (until_ms IS NULL OR until_ms > ?)
         ORDER BY id DESC LIMIT 1`,
      )
      .get(userId, now, now) as BreakRow | undefined;
    return row && toBreak(row);
  }

  /** Breaks in force at `now` or later, in the domain's shape. */
  breaksFrom(now: number): Break[] {
    const rows = this.db
      .prepare("SELECT user_id, until_ms FROM rota_breaks WHERE ended_at IS NULL AND (until_ms IS NULL OR until_ms > ?) ORDER BY id")
      .all(now) as Array<{ user_id: string; until_ms: number | null }>;
    return rows.map((r) => ({ userId: r.user_id, untilMs: r.until_ms }));
  }

  private breakById(id: number): RotaBreak | undefined {
    const row = this.db.prepare("SELECT id, user_id, started_at, until_ms, ended_at FROM rota_breaks WHERE id = ?").get(id) as
      | BreakRow
      | undefined;
    return row && toBreak(row);
  }
}
