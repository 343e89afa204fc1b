import type { Db } from "../../store/database";
import type { DirectChats } from "../../ports/matrix";

/**
 * Which rooms are one-to-one conversations between the bot and a person. A room that
 * stops being one is kept as a former conversation (`forgotten_at`), so that anything
 * private still queued for it is recognised and sent to the person's private chat instead.
 */
export class DmRoomsStore implements DirectChats {
  constructor(private readonly db: Db) {}

  record(roomId: string, userId: string, now: number): void {
    this.db.prepare("INSERT OR REPLACE INTO dm_rooms (room_id, user_id, created_at, forgotten_at) VALUES (?, ?, ?, NULL)").run(roomId, userId, now);
  }

  userFor(roomId: string): string | undefined {
    const row = this.db.prepare("SELECT user_id FROM dm_rooms WHERE room_id = ? AND forgotten_at IS NULL").get(roomId) as { user_id: string } | undefined;
    return row?.user_id;
  }

  /** The person whose conversation this room was until it stopped being private, if it was one. */
  formerUserFor(roomId: string): string | undefined {
    const row = this.db.prepare("SELECT user_id FROM dm_rooms WHERE room_id = ? AND forgotten_at IS NOT NULL").get(roomId) as { user_id: string } | undefined;
    return row?.user_id;
  }

  roomFor(userId: string): string | undefined {
    const row = this.db
      .prepare("SELECT room_id FROM dm_rooms WHERE user_id = ? AND forgotten_at IS NULL ORDER BY created_at DESC LIMIT 1")
      .get(userId) as { room_id: string } | undefined;
    return row?.room_id;
  }

  /** The person's conversations with the bot, oldest first. */
  ofUser(userId: string): Array<{ roomId: string; createdAt: number }> {
    return this.db
      .prepare("SELECT room_id AS roomId, created_at AS createdAt FROM dm_rooms WHERE user_id = ? AND forgotten_at IS NULL ORDER BY created_at, room_id")
      .all(userId) as Array<{ roomId: string; createdAt: number }>;
  }

  /** Erases every conversation with the person, former ones too; returns the current ones. */
  forgetUser(userId: string): string[] {
    const rooms = this.ofUser(userId).map((r) => r.roomId);
    this.db.prepare("DELETE FROM dm_rooms WHERE user_id = ?").run(userId);
    return rooms;
  }

  /** Former conversations marked before `cutoff`: by then nothing queued can still be waiting for them (the outbox keeps rows as long). */
  pruneFormer(cutoff: number): number {
    return this.db.prepare("DELETE FROM dm_rooms WHERE forgotten_at IS NOT NULL AND forgotten_at < ?").run(cutoff).changes;
  }

  /** The room is no longer the person's conversation (kept as a former one, see the class). */
  forget(roomId: string, now = Date.now()): void {
    this.db.prepare("UPDATE dm_rooms SET forgotten_at = ? WHERE room_id = ? AND forgotten_at IS NULL").run(now, roomId);
  }
}
