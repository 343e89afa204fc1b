import { sanitiseDisplayName } from "../../../kernel/displayName";
import type { Db } from "../../../store/database";

export type NameSource = "member" | "profile";

/** Who is called what: the durable source of names for messages rendered inside a transaction. */
export class DisplayNamesStore {
  constructor(private readonly db: Db) {}

  /** The person's display name as last seen, sanitised; undefined when none is known. */
  get(userId: string): string | undefined {
    const row = this.db.prepare("SELECT display_name AS name FROM display_names WHERE user_id = ?").get(userId) as { name: string } | undefined;
    return row?.name;
  }

  /**
   * Records a name (sanitised here). A name that is empty or unusable forgets the one
   * known: the person removed theirs, and their Matrix ID is shown instead.
   */
  set(userId: string, raw: unknown, source: NameSource, now: number): void {
    const name = sanitiseDisplayName(raw);
    if (name === undefined) {
      this.forget(userId);
      return;
    }
    this.db
      .prepare(
        `INSERT INTO display_names (user_id, display_name, source, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name, source = excluded.source, updated_at = excluded.updated_at`,
      )
      .run(userId, name, source, now);
  }

  has(userId: string): boolean {
    return this.db.prepare("SELECT 1 FROM display_names WHERE user_id = ?").get(userId) !== undefined;
  }

  /** Forgets the person's name; true if one was kept. */
  forget(userId: string): boolean {
    return this.db.prepare("DELETE FROM display_names WHERE user_id = ?").run(userId).changes === 1;
  }
}
