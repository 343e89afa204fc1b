import type { Db } from "../../../store/database";

/** What carenet believes a scheduled room's state is (see migrations/005_posting_hours.sql). */
export interface RoomHoursState {
  communityId: string;
  roomKey: string;
  roomId: string;
  open: boolean;
  /** The instant carenet counts this state from. */
  since: number;
  updatedAt: number;
}

interface Row {
  community_id: string;
  room_key: string;
  room_id: string;
  open: number;
  since: number;
  updated_at: number;
}

const toState = (r: Row): RoomHoursState => ({
  communityId: r.community_id,
  roomKey: r.room_key,
  roomId: r.room_id,
  open: r.open === 1,
  since: r.since,
  updatedAt: r.updated_at,
});

/** The state posting hours last put each scheduled room in. */
export class RoomHoursStore {
  constructor(private readonly db: Db) {}

  get(communityId: string, roomKey: string): RoomHoursState | undefined {
    const row = this.db.prepare("SELECT * FROM room_hours WHERE community_id = ? AND room_key = ?").get(communityId, roomKey) as Row | undefined;
    return row && toState(row);
  }

  byRoomId(roomId: string): RoomHoursState | undefined {
    const row = this.db.prepare("SELECT * FROM room_hours WHERE room_id = ?").get(roomId) as Row | undefined;
    return row && toState(row);
  }

  list(): RoomHoursState[] {
    return (this.db.prepare("SELECT * FROM room_hours ORDER BY community_id, room_key").all() as Row[]).map(toState);
  }

  set(s: { communityId: string; roomKey: string; roomId: string; open: boolean; since: number }, now: number): void {
    this.db
      .prepare(
        `INSERT INTO room_hours (community_id, room_key, room_id, open, since, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (community_id, room_key) DO UPDATE SET room_id = excluded.room_id, open = excluded.open,
           since = excluded.since, updated_at = excluded.updated_at`,
      )
      .run(s.communityId, s.roomKey, s.roomId, s.open ? 1 : 0, s.since, now);
  }

  forget(communityId: string, roomKey: string): boolean {
    return this.db.prepare("DELETE FROM room_hours WHERE community_id = ? AND room_key = ?").run(communityId, roomKey).changes === 1;
  }
}
