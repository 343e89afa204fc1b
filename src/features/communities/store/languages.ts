import type { Db } from "../../../store/database";

/** Who chose which language (`!language`); the community's language otherwise. */
export class LanguagesStore {
  constructor(private readonly db: Db) {}

  get(userId: string): string | undefined {
    const row = this.db.prepare("SELECT language FROM person_languages WHERE user_id = ?").get(userId) as { language: string } | undefined;
    return row?.language;
  }

  set(userId: string, language: string, now: number): void {
    this.db
      .prepare(
        `INSERT INTO person_languages (user_id, language, set_at) VALUES (?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET language = excluded.language, set_at = excluded.set_at`,
      )
      .run(userId, language, now);
  }

  /** Forgets the choice (back to the community's language); true if one was kept. */
  forget(userId: string): boolean {
    return this.db.prepare("DELETE FROM person_languages WHERE user_id = ?").run(userId).changes === 1;
  }
}
