import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../../../store/database";

export type FeedKind = "person" | "community";

export interface CalendarFeed {
  id: number;
  kind: FeedKind;
  userId: string;
  communityId: string | null;
  createdAt: number;
}

/** One of a person's feeds as `!mydata` shows it. */
export interface PersonFeeds {
  kind: FeedKind;
  communityId: string | null;
  live: number;
  revoked: number;
}

/** How many live URLs one person may hold per feed (one per device is plenty); older ones lapse. */
export const MAX_LIVE_FEEDS = 5;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Secret calendar URLs. The token (32 random bytes, base64url) is returned once, to be sent
 * to its owner; only its hash is stored.
 */
export class CalendarFeedsStore {
  constructor(private readonly db: Db) {}

  /** A new token for `userId` (person feed) or for `userId` as staff of `communityId` (community feed). */
  issue(kind: FeedKind, userId: string, communityId: string | null, now: number): string {
    const token = randomBytes(32).toString("base64url");
    this.db
      .prepare("INSERT INTO calendar_feeds (token_hash, kind, user_id, community_id, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(hashToken(token), kind, userId, kind === "community" ? communityId : null, now);
    const live = this.live(kind, userId, communityId);
    for (const old of live.slice(0, Math.max(0, live.length - MAX_LIVE_FEEDS))) this.db.prepare("UPDATE calendar_feeds SET revoked_at = ? WHERE id = ?").run(now, old.id);
    return token;
  }

  /** Revokes every live URL of that kind for the person (and community); returns how many. */
  revoke(kind: FeedKind, userId: string, communityId: string | null, now: number): number {
    return this.db
      .prepare("UPDATE calendar_feeds SET revoked_at = ? WHERE kind = ? AND user_id = ? AND community_id IS ? AND revoked_at IS NULL")
      .run(now, kind, userId, kind === "community" ? communityId : null).changes;
  }

  /** The live feed a token opens, if any. */
  byToken(token: string): CalendarFeed | undefined {
    const r = this.db
      .prepare("SELECT id, kind, user_id, community_id, created_at FROM calendar_feeds WHERE token_hash = ? AND revoked_at IS NULL")
      .get(hashToken(token)) as { id: number; kind: FeedKind; user_id: string; community_id: string | null; created_at: number } | undefined;
    return r && { id: r.id, kind: r.kind, userId: r.user_id, communityId: r.community_id, createdAt: r.created_at };
  }

  private live(kind: FeedKind, userId: string, communityId: string | null): Array<{ id: number }> {
    return this.db
      .prepare("SELECT id FROM calendar_feeds WHERE kind = ? AND user_id = ? AND community_id IS ? AND revoked_at IS NULL ORDER BY id")
      .all(kind, userId, kind === "community" ? communityId : null) as Array<{ id: number }>;
  }

  /** The person's feeds for `!mydata`: how many links per feed, live and revoked (never a token, which is not kept). */
  aboutPerson(userId: string): PersonFeeds[] {
    return (
      this.db
        .prepare(
          "SELECT kind, community_id, SUM(revoked_at IS NULL) AS live, SUM(revoked_at IS NOT NULL) AS revoked FROM calendar_feeds WHERE user_id = ? GROUP BY kind, community_id ORDER BY kind DESC, community_id",
        )
        .all(userId) as Array<{ kind: FeedKind; community_id: string | null; live: number; revoked: number }>
    ).map((r) => ({ kind: r.kind, communityId: r.community_id, live: r.live, revoked: r.revoked }));
  }

  /** Everything about a person (for "forget me"): their feeds go. */
  deleteUser(userId: string): number {
    return this.db.prepare("DELETE FROM calendar_feeds WHERE user_id = ?").run(userId).changes;
  }
}
