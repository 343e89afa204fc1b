import type { Db } from "../../store/database";

/** Users of carenet's namespace that exist on the homeserver (so registration is not retried). */
export class RegisteredUsersStore {
  constructor(private readonly db: Db) {}

  add(userId: string, now: number): void {
    this.db.prepare("INSERT OR IGNORE INTO registered_users (user_id, registered_at) VALUES (?, ?)").run(userId, now);
  }

  has(userId: string): boolean {
    return !!this.db.prepare("SELECT 1 FROM registered_users WHERE user_id = ?").get(userId);
  }
}
