import type { Db } from "../../../store/database";
import type { CrisisMeeting } from "./pageRecords";

/**
 * Crisis meetings (`!crisis-meeting`): who called one, when, who was invited and its room.
 * PagesStore extends this, so paging keeps one store for pages and meetings alike.
 */
export class CrisisMeetingsStore {
  constructor(protected readonly db: Db) {}

  createMeeting(m: { communityId: string; caller: string; people: string[] }, now: number): number {
    const id = Number(
      this.db.prepare("INSERT INTO crisis_meetings (community_id, caller, called_at) VALUES (?, ?, ?)").run(m.communityId, m.caller, now)
        .lastInsertRowid,
    );
    const add = this.db.prepare("INSERT OR IGNORE INTO crisis_meeting_people (meeting_id, user_id) VALUES (?, ?)");
    for (const u of m.people) add.run(id, u);
    return id;
  }

  meeting(id: number): CrisisMeeting | undefined {
    const row = this.db.prepare("SELECT id, community_id, caller, called_at, room_id FROM crisis_meetings WHERE id = ?").get(id) as
      | { id: number; community_id: string; caller: string; called_at: number; room_id: string | null }
      | undefined;
    if (!row) return undefined;
    const people = (
      this.db.prepare("SELECT user_id FROM crisis_meeting_people WHERE meeting_id = ? ORDER BY rowid").all(id) as Array<{ user_id: string }>
    ).map((r) => r.user_id);
    return { id: row.id, communityId: row.community_id, caller: row.caller, calledAt: row.called_at, roomId: row.room_id, people };
  }

  /** The caller's latest crisis meeting in this community called at or after `sinceMs`. */
  recentMeeting(communityId: string, caller: string, sinceMs: number): CrisisMeeting | undefined {
    const row = this.db
      .prepare("SELECT id FROM crisis_meetings WHERE community_id = ? AND caller = ? AND called_at >= ? ORDER BY id DESC LIMIT 1")
      .get(communityId, caller, sinceMs) as { id: number } | undefined;
    return row && this.meeting(row.id);
  }

  /** Crisis meetings called at or after `sinceMs` whose room has not been made yet, oldest first. */
  meetingsWithoutRoom(sinceMs: number): CrisisMeeting[] {
    const ids = this.db.prepare("SELECT id FROM crisis_meetings WHERE room_id IS NULL AND called_at >= ? ORDER BY id").all(sinceMs) as Array<{ id: number }>;
    return ids.map((r) => this.meeting(r.id)!);
  }

  setMeetingRoom(id: number, roomId: string): boolean {
    return this.db.prepare("UPDATE crisis_meetings SET room_id = ? WHERE id = ? AND room_id IS NULL").run(roomId, id).changes === 1;
  }

  /** Crisis meetings called before `beforeMs` that no digest has reported yet. */
  undigestedMeetings(communityId: string, beforeMs: number): CrisisMeeting[] {
    const ids = this.db
      .prepare("SELECT id FROM crisis_meetings WHERE community_id = ? AND digested_at IS NULL AND called_at < ? ORDER BY called_at, id")
      .all(communityId, beforeMs) as Array<{ id: number }>;
    return ids.map((r) => this.meeting(r.id)!);
  }

  meetingsSince(communityId: string, sinceMs: number): CrisisMeeting[] {
    const ids = this.db
      .prepare("SELECT id FROM crisis_meetings WHERE community_id = ? AND called_at >= ? ORDER BY called_at, id")
      .all(communityId, sinceMs) as Array<{ id: number }>;
    return ids.map((r) => this.meeting(r.id)!);
  }

  markMeetingsDigested(ids: number[], now: number): void {
    const stmt = this.db.prepare("UPDATE crisis_meetings SET digested_at = ? WHERE id = ? AND digested_at IS NULL");
    for (const id of ids) stmt.run(now, id);
  }
}
