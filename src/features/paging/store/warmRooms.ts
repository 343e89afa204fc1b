import type { Db } from "../../../store/database";

/** A warm room a page took; `named` when it already has its community's support-room name. */
export interface TakenRoom {
  roomId: string;
  named: boolean;
}

type RoomRow = { room_id: string; named: number };
const taken = (r: RoomRow): TakenRoom => ({ roomId: r.room_id, named: r.named === 1 });

/**
 * Empty private rooms kept ready for support rooms, per community (see paging/warmRooms.ts).
 * A room goes `ready` → `taken` (by one page, for good) or `ready` → `retired` (left).
 */
export class WarmRoomsStore {
  constructor(private readonly db: Db) {}

  /** A room made with its community's support-room name (`named`), so a page may invite before naming it. */
  add(roomId: string, communityId: string, now: number): void {
    this.db.prepare("INSERT OR IGNORE INTO warm_rooms (room_id, community_id, created_at, named) VALUES (?, ?, ?, 1)").run(roomId, communityId, now);
  }

  /** The community's ready rooms, oldest first. */
  ready(communityId: string): string[] {
    return (this.db.prepare("SELECT room_id FROM warm_rooms WHERE community_id = ? AND state = 'ready' ORDER BY created_at, room_id").all(communityId) as Array<{ room_id: string }>).map((r) => r.room_id);
  }

  /** Every community that has a ready room (or a retired one not yet left). */
  communities(): string[] {
    return (
      this.db.prepare("SELECT DISTINCT community_id FROM warm_rooms WHERE state = 'ready' OR (state = 'retired' AND left_at IS NULL)").all() as Array<{ community_id: string }>
    ).map((r) => r.community_id);
  }

  /**
   * The room this page took, or else the community's oldest ready room, now taken by the
   * page for good; undefined when none is ready.
   */
  take(communityId: string, pageId: number, now: number): TakenRoom | undefined {
    const mine = this.takenRow(pageId);
    if (mine) return taken(mine);
    const row = this.db
      .prepare("SELECT room_id, named FROM warm_rooms WHERE community_id = ? AND state = 'ready' ORDER BY created_at, room_id LIMIT 1")
      .get(communityId) as RoomRow | undefined;
    if (!row) return undefined;
    this.db.prepare("UPDATE warm_rooms SET state = 'taken', page_id = ?, taken_at = ? WHERE room_id = ? AND state = 'ready'").run(pageId, now, row.room_id);
    return taken(row);
  }

  /** Takes a ready room out of use for good; the bot is to leave it. */
  retire(roomId: string): void {
    this.db.prepare("UPDATE warm_rooms SET state = 'retired' WHERE room_id = ? AND state = 'ready'").run(roomId);
  }

  /**
   * A room a page took but never became its support room (unusable, or the page closed
   * first): retired too, and the bot is to leave it. Never handed to another page.
   */
  discard(roomId: string): void {
    this.db.prepare("UPDATE warm_rooms SET state = 'retired' WHERE room_id = ? AND state = 'taken'").run(roomId);
  }

  /** The room a page took, if it took one. */
  takenBy(pageId: number): string | undefined {
    return this.takenRow(pageId)?.room_id;
  }

  private takenRow(pageId: number): RoomRow | undefined {
    return this.db.prepare("SELECT room_id, named FROM warm_rooms WHERE page_id = ? AND state = 'taken'").get(pageId) as RoomRow | undefined;
  }

  /** Retired rooms of the community the bot has not left yet. */
  toLeave(communityId: string): string[] {
    return (
      this.db.prepare("SELECT room_id FROM warm_rooms WHERE community_id = ? AND state = 'retired' AND left_at IS NULL ORDER BY room_id").all(communityId) as Array<{ room_id: string }>
    ).map((r) => r.room_id);
  }

  markLeft(roomId: string, now: number): void {
    this.db.prepare("UPDATE warm_rooms SET left_at = ? WHERE room_id = ?").run(now, roomId);
  }

  state(roomId: string): { state: string; pageId: number | null } | undefined {
    const row = this.db.prepare("SELECT state, page_id FROM warm_rooms WHERE room_id = ?").get(roomId) as { state: string; page_id: number | null } | undefined;
    return row && { state: row.state, pageId: row.page_id };
  }
}
