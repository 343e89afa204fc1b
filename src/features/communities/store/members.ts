import type { Db } from "../../../store/database";
import type { MemberRole, ActiveRole, MemberStatus, Member, NewMember, AddResult, RemoveResult, DischargeResult, LeftRoom, Members } from "../../../ports/communities";
export type { MemberRole, ActiveRole, MemberStatus, Member, NewMember, AddResult, RemoveResult, DischargeResult, LeftRoom } from "../../../ports/communities";

interface MemberRow {
  community_id: string;
  user_id: string;
  role: MemberRole;
  sponsor: string | null;
  status: MemberStatus;
  added_by: string;
  added_at: number;
  updated_at: number;
  removed_reason: string | null;
}

const COLUMNS = "community_id, user_id, role, sponsor, status, added_by, added_at, updated_at, removed_reason";

function toMember(r: MemberRow): Member {
  return {
    communityId: r.community_id,
    userId: r.user_id,
    role: r.role,
    sponsor: r.sponsor,
    status: r.status,
    addedBy: r.added_by,
    addedAt: r.added_at,
    updatedAt: r.updated_at,
    removedReason: r.removed_reason,
  };
}

/**
 * Community membership. Removing or discharging changes a member's status rather than
 * deleting the row, so their data and choices stay with them; only an erasure request
 * (`!forgetme`) or retention (a removed member, after the configured time) deletes.
 */
export class MembersStore implements Members {
  constructor(private readonly db: Db) {}

  /**
   * Adds a member, or brings back a removed or discharged one with the given role and
   * sponsor. An already active member is left exactly as they are (use `setRole` or
   * `setSponsor` to change them). Rooms the member left on their own stay remembered.
   */
  add(m: NewMember, now: number): AddResult {
    return this.db.transaction((): AddResult => {
      const existing = this.get(m.communityId, m.userId);
      if (existing?.status === "active") return "already_active";
      if (existing) {
        this.db
          .prepare(
            `UPDATE members SET role = ?, sponsor = ?, status = 'active', added_by = ?, added_at = ?, updated_at = ?,
               removed_reason = NULL
             WHERE community_id = ? AND user_id = ?`,
          )
          .run(m.role ?? "member", m.sponsor, m.addedBy, now, now, m.communityId, m.userId);
        return "reactivated";
      }
      this.db
        .prepare(
          `INSERT INTO members (community_id, user_id, role, sponsor, status, added_by, added_at, updated_at)
           VALUES (?, ?, ?, ?, 'active', ?, ?, ?)`,
        )
        .run(m.communityId, m.userId, m.role ?? "member", m.sponsor, m.addedBy, now, now);
      return "added";
    })();
  }

  /** Removes an active or discharged member; `reason` is what staff gave, if anything. */
  remove(communityId: string, userId: string, reason: string | null, now: number): RemoveResult {
    return this.db.transaction((): RemoveResult => {
      const existing = this.get(communityId, userId);
      if (!existing) return "not_member";
      if (existing.status === "removed") return "already_removed";
      this.db
        .prepare("UPDATE members SET status = 'removed', removed_reason = ?, updated_at = ? WHERE community_id = ? AND user_id = ?")
        .run(reason, now, communityId, userId);
      return "removed";
    })();
  }

  /**
   * Makes an active member alumni. Sponsor and everything recorded about them are kept;
   * a removed member has to be added again first.
   */
  discharge(communityId: string, userId: string, now: number): DischargeResult {
    return this.db.transaction((): DischargeResult => {
      const existing = this.get(communityId, userId);
      if (!existing) return "not_member";
      if (existing.status === "discharged") return "already_discharged";
      if (existing.status !== "active") return "not_active";
      this.db
        .prepare("UPDATE members SET role = 'alumni', status = 'discharged', updated_at = ? WHERE community_id = ? AND user_id = ?")
        .run(now, communityId, userId);
      return "discharged";
    })();
  }

  /** Changes an active member's role (peer when they join the rota); false if not active. */
  setRole(communityId: string, userId: string, role: ActiveRole, now: number): boolean {
    const result = this.db
      .prepare("UPDATE members SET role = ?, updated_at = ? WHERE community_id = ? AND user_id = ? AND status = 'active'")
      .run(role, now, communityId, userId);
    return result.changes === 1;
  }

  /** Names a member's staff sponsor (any status); false if they were never a member. */
  setSponsor(communityId: string, userId: string, sponsor: string | null, now: number): boolean {
    const result = this.db
      .prepare("UPDATE members SET sponsor = ?, updated_at = ? WHERE community_id = ? AND user_id = ?")
      .run(sponsor, now, communityId, userId);
    return result.changes === 1;
  }

  get(communityId: string, userId: string): Member | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM members WHERE community_id = ? AND user_id = ?`).get(communityId, userId) as
      | MemberRow
      | undefined;
    return row && toMember(row);
  }

  /** A community's members by user id; every status unless one is asked for. */
  list(communityId: string, opts: { status?: MemberStatus } = {}): Member[] {
    const rows = (
      opts.status === undefined
        ? this.db.prepare(`SELECT ${COLUMNS} FROM members WHERE community_id = ? ORDER BY user_id`).all(communityId)
        : this.db
            .prepare(`SELECT ${COLUMNS} FROM members WHERE community_id = ? AND status = ? ORDER BY user_id`)
            .all(communityId, opts.status)
    ) as MemberRow[];
    return rows.map(toMember);
  }

  /**
   * The communities a user is an active member of, by community id. `includeDischarged`
   * adds the ones they are alumni of (their lifeline: alumni room and check-ins).
   */
  communitiesOf(userId: string, opts: { includeDischarged?: boolean } = {}): Member[] {
    const statuses = opts.includeDischarged ? "('active', 'discharged')" : "('active')";
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM members WHERE user_id = ? AND status IN ${statuses} ORDER BY community_id`)
      .all(userId) as MemberRow[];
    return rows.map(toMember);
  }

  /**
   * Remembers that the user left a room of their own accord. Returns true the first time,
   * so staff are told once; a repeat keeps the first time.
   */
  recordLeft(communityId: string, userId: string, roomKey: string, now: number): boolean {
    const result = this.db
      .prepare("INSERT OR IGNORE INTO left_rooms (community_id, user_id, room_key, left_at) VALUES (?, ?, ?, ?)")
      .run(communityId, userId, roomKey, now);
    return result.changes === 1;
  }

  hasLeft(communityId: string, userId: string, roomKey: string): boolean {
    return !!this.db
      .prepare("SELECT 1 FROM left_rooms WHERE community_id = ? AND user_id = ? AND room_key = ?")
      .get(communityId, userId, roomKey);
  }

  /** The rooms the user left on their own in this community, by room key. */
  leftRooms(communityId: string, userId: string): LeftRoom[] {
    const rows = this.db
      .prepare("SELECT room_key, left_at FROM left_rooms WHERE community_id = ? AND user_id = ? ORDER BY room_key")
      .all(communityId, userId) as Array<{ room_key: string; left_at: number }>;
    return rows.map((r) => ({ roomKey: r.room_key, leftAt: r.left_at }));
  }

  // -------------------------------------------------------------------------
  // A person's own data (`!mydata`, `!forgetme`, retention)

  /** Every membership record of the person (any status) and every room they left, by community. */
  aboutPerson(userId: string): { memberships: Member[]; leftRooms: Array<LeftRoom & { communityId: string }> } {
    const memberships = (this.db.prepare(`SELECT ${COLUMNS} FROM members WHERE user_id = ? ORDER BY community_id`).all(userId) as MemberRow[]).map(toMember);
    const left = this.db
      .prepare("SELECT community_id, room_key, left_at FROM left_rooms WHERE user_id = ? ORDER BY community_id, room_key")
      .all(userId) as Array<{ community_id: string; room_key: string; left_at: number }>;
    return { memberships, leftRooms: left.map((r) => ({ communityId: r.community_id, roomKey: r.room_key, leftAt: r.left_at })) };
  }

  /**
   * Deletes the person's membership records and left-room marks: in one community, or in
   * every one. Returns how many rows of each went.
   */
  forget(userId: string, communityId?: string): { members: number; leftRooms: number } {
    const where = communityId === undefined ? "user_id = ?" : "user_id = ? AND community_id = ?";
    const args = communityId === undefined ? [userId] : [userId, communityId];
    return {
      members: this.db.prepare(`DELETE FROM members WHERE ${where}`).run(...args).changes,
      leftRooms: this.db.prepare(`DELETE FROM left_rooms WHERE ${where}`).run(...args).changes,
    };
  }

  /** Members removed by staff before `beforeMs` (their last change), for retention. */
  removedBefore(beforeMs: number): Member[] {
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM members WHERE status = 'removed' AND updated_at < ? ORDER BY community_id, user_id`)
      .all(beforeMs) as MemberRow[];
    return rows.map(toMember);
  }

  /**
   * Forgets that the user left (they rejoined, or asked to be invited again); without a
   * room key, forgets every room of that community. Returns how many were forgotten.
   */
  clearLeft(communityId: string, userId: string, roomKey?: string): number {
    const result =
      roomKey === undefined
        ? this.db.prepare("DELETE FROM left_rooms WHERE community_id = ? AND user_id = ?").run(communityId, userId)
        : this.db
            .prepare("DELETE FROM left_rooms WHERE community_id = ? AND user_id = ? AND room_key = ?")
            .run(communityId, userId, roomKey);
    return result.changes;
  }
}
