import type { Db } from "../../../store/database";
import type { CommunityRoom, CommunityRooms } from "../../../ports/communities";
export type { CommunityRoom } from "../../../ports/communities";

/** The key of a community's Space in `community_rooms`; rooms use their config key. */
import { SPACE_KEY } from "../../../config/roomNames";
export { SPACE_KEY };

interface Row {
  community_id: string;
  room_key: string;
  room_id: string;
  alias: string;
  name: string | null;
  origin: "created" | "found";
  created_at: number;
  orphaned_at: number | null;
}

const COLUMNS = "community_id, room_key, room_id, alias, name, origin, created_at, orphaned_at";

const toRoom = (r: Row): CommunityRoom => ({
  communityId: r.community_id,
  roomKey: r.room_key,
  roomId: r.room_id,
  alias: r.alias,
  name: r.name,
  origin: r.origin,
  createdAt: r.created_at,
  orphanedAt: r.orphaned_at,
});

/**
 * The Spaces and rooms carenet provisioned for each community, and which staff and admins
 * it invited to them. Rows are never deleted: carenet never deletes rooms.
 */
export class CommunityRoomsStore implements CommunityRooms {
  constructor(private readonly db: Db) {}

  get(communityId: string, roomKey: string): CommunityRoom | undefined {
    const row = this.db
      .prepare(`SELECT ${COLUMNS} FROM community_rooms WHERE community_id = ? AND room_key = ?`)
      .get(communityId, roomKey) as Row | undefined;
    return row && toRoom(row);
  }

  /** Which community room a Matrix room is, if it is one. */
  byRoomId(roomId: string): CommunityRoom | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM community_rooms WHERE room_id = ?`).get(roomId) as Row | undefined;
    return row && toRoom(row);
  }

  /** Every recorded room (of one community, if given), the Space first. */
  list(communityId?: string): CommunityRoom[] {
    const order = `ORDER BY community_id, room_key <> '${SPACE_KEY}', created_at, room_key`;
    const rows = (
      communityId === undefined
        ? this.db.prepare(`SELECT ${COLUMNS} FROM community_rooms ${order}`).all()
        : this.db.prepare(`SELECT ${COLUMNS} FROM community_rooms WHERE community_id = ? ${order}`).all(communityId)
    ) as Row[];
    return rows.map(toRoom);
  }

  /** Ids of every community that has recorded rooms. */
  communityIds(): string[] {
    return (this.db.prepare("SELECT DISTINCT community_id FROM community_rooms ORDER BY community_id").all() as Array<{
      community_id: string;
    }>).map((r) => r.community_id);
  }

  /**
   * Records a room carenet created or found. A (community, key) already recorded keeps its
   * room: returns false and changes nothing.
   */
  record(
    room: { communityId: string; roomKey: string; roomId: string; alias: string; name: string | null; origin: "created" | "found" },
    now: number,
  ): boolean {
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO community_rooms (community_id, room_key, room_id, alias, name, origin, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(room.communityId, room.roomKey, room.roomId, room.alias, room.name, room.origin, now);
    return result.changes === 1;
  }

  setName(communityId: string, roomKey: string, name: string): void {
    this.db.prepare("UPDATE community_rooms SET name = ? WHERE community_id = ? AND room_key = ?").run(name, communityId, roomKey);
  }

  /** Marks a room as no longer configured; returns false if it already was. */
  markOrphaned(communityId: string, roomKey: string, now: number): boolean {
    return (
      this.db
        .prepare("UPDATE community_rooms SET orphaned_at = ? WHERE community_id = ? AND room_key = ? AND orphaned_at IS NULL")
        .run(now, communityId, roomKey).changes === 1
    );
  }

  /** The room is configured again; a later removal is reported anew. */
  clearOrphaned(communityId: string, roomKey: string): void {
    this.db
      .prepare("UPDATE community_rooms SET orphaned_at = NULL WHERE community_id = ? AND room_key = ? AND orphaned_at IS NOT NULL")
      .run(communityId, roomKey);
  }

  /** True if carenet already invited (or found) this person in this room. */
  wasInvited(roomId: string, userId: string): boolean {
    return !!this.db.prepare("SELECT 1 FROM community_invites WHERE room_id = ? AND user_id = ?").get(roomId, userId);
  }

  recordInvite(communityId: string, roomId: string, userId: string, now: number): void {
    this.db
      .prepare("INSERT OR IGNORE INTO community_invites (room_id, user_id, community_id, invited_at) VALUES (?, ?, ?, ?)")
      .run(roomId, userId, communityId, now);
  }

  /** Who carenet invited (or found) in a room as staff or admin, and when. */
  invitesTo(roomId: string): Array<{ userId: string; invitedAt: number }> {
    const rows = this.db.prepare("SELECT user_id, invited_at FROM community_invites WHERE room_id = ? ORDER BY user_id").all(roomId) as Array<{
      user_id: string;
      invited_at: number;
    }>;
    return rows.map((r) => ({ userId: r.user_id, invitedAt: r.invited_at }));
  }

  /** Forgets invitations of people who are no longer staff or admins of the community. */
  forgetInvitesExcept(communityId: string, keep: string[]): number {
    const rows = this.db.prepare("SELECT DISTINCT user_id FROM community_invites WHERE community_id = ?").all(communityId) as Array<{
      user_id: string;
    }>;
    const keepSet = new Set(keep);
    let forgotten = 0;
    const del = this.db.prepare("DELETE FROM community_invites WHERE community_id = ? AND user_id = ?");
    for (const { user_id } of rows) if (!keepSet.has(user_id)) forgotten += del.run(communityId, user_id).changes;
    return forgotten;
  }
}
