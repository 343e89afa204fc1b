import type { Db } from "../../../store/database";

export interface ForgetRequest {
  userId: string;
  askedAt: number;
  expiresAt: number;
}

/**
 * `!forgetme` asks before it erases: the request waits here for `!forgetme confirm` until
 * it lapses. One per person; asking again starts the wait again.
 */
export class ForgetRequestsStore {
  constructor(private readonly db: Db) {}

  ask(userId: string, now: number, expiresAt: number): ForgetRequest {
    this.db
      .prepare(
        `INSERT INTO forget_requests (user_id, asked_at, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET asked_at = excluded.asked_at, expires_at = excluded.expires_at`,
      )
      .run(userId, now, expiresAt);
    return { userId, askedAt: now, expiresAt };
  }

  /** The person's request, lapsed or not. */
  get(userId: string): ForgetRequest | undefined {
    return this.db.prepare("SELECT user_id AS userId, asked_at AS askedAt, expires_at AS expiresAt FROM forget_requests WHERE user_id = ?").get(userId) as
      | ForgetRequest
      | undefined;
  }

  /** Forgets the request; true if there was one. */
  clear(userId: string): boolean {
    return this.db.prepare("DELETE FROM forget_requests WHERE user_id = ?").run(userId).changes === 1;
  }

  /** Deletes requests that lapsed before `now`. */
  deleteLapsed(now: number): number {
    return this.db.prepare("DELETE FROM forget_requests WHERE expires_at <= ?").run(now).changes;
  }
}
