import type { Db } from "./database";

/** Which rooms are one-to-one conversations between the bot and a person. */
export class DmRoomsStore {
  constructor(private readonly db: Db) {}

  record(roomId: string, userId: string, now: number): void {
    this.db.prepare("INSERT OR REPLACE INTO dm_rooms (room_id, user_id, created_at) VALUES (?, ?, ?)").run(roomId, userId, now);
  }

  userFor(roomId: string): string | undefined {
    const row = this.db.prepare("SELECT user_id FROM dm_rooms WHERE room_id = ?").get(roomId) as { user_id: string } | undefined;
    return row?.user_id;
  }

  roomFor(userId: string): string | undefined {
    const row = this.db
      .prepare("SELECT room_id FROM dm_rooms WHERE user_id = ? ORDER BY created_at DESC LIMIT 1")
      .get(userId) as { room_id: string } | undefined;
    return row?.room_id;
  }

  /** The person's conversations with the bot, oldest first. */
  ofUser(userId: string): Array<{ roomId: string; createdAt: number }> {
    return this.db
      .prepare("SELECT room_id AS roomId, created_at AS createdAt FROM dm_rooms WHERE user_id = ? ORDER BY created_at, room_id")
      .all(userId) as Array<{ roomId: string; createdAt: number }>;
  }

  /** Forgets every conversation with the person; returns the rooms that were forgotten. */
  forgetUser(userId: string): string[] {
    const rooms = this.ofUser(userId).map((r) => r.roomId);
    this.db.prepare("DELETE FROM dm_rooms WHERE user_id = ?").run(userId);
    return rooms;
  }

  forget(roomId: string): void {
    this.db.prepare("DELETE FROM dm_rooms WHERE room_id = ?").run(roomId);
  }
}
