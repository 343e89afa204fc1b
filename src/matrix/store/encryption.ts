import type { Db } from "../../store/database";

/** As long as the outbox keeps a sent message's event id (src/config/retention.ts, BOOKKEEPING_DAYS). */
const TAP_NOTICE_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

export interface EncryptedRoom {
  roomId: string;
  communityId: string;
  roomKey: string;
  /** The homeserver added the encryption when carenet created the room (not a person). */
  byHomeserver: boolean;
  foundAt: number;
  staffToldAt: number | null;
}

/**
 * What carenet knows about end-to-end encrypted rooms it cannot read: when it last said so
 * in each room (the answer's rate limit), which of its notices a reaction turns into a page,
 * and which provisioned rooms it found encrypted.
 */
export class EncryptionStore {
  constructor(private readonly db: Db) {}

  /**
   * True, and the time recorded, if the room has had no "cannot read" answer in the last
   * `windowMs`: the caller then answers. Call inside the handling transaction.
   */
  claimAnswer(roomId: string, now: number, windowMs: number): boolean {
    // Nothing is kept longer than it is needed: an answer past its window, a tap notice
    // once the outbox has forgotten its message (BOOKKEEPING_DAYS).
    this.db.prepare("DELETE FROM encrypted_answers WHERE answered_at <= ?").run(now - windowMs);
    this.db.prepare("DELETE FROM encrypted_tap_notices WHERE created_at < ?").run(now - TAP_NOTICE_KEEP_MS);
    const result = this.db
      .prepare(
        `INSERT INTO encrypted_answers (room_id, answered_at) VALUES (?, ?)
         ON CONFLICT (room_id) DO UPDATE SET answered_at = excluded.answered_at WHERE answered_at <= ?`,
      )
      .run(roomId, now, now - windowMs);
    return result.changes === 1;
  }

  /** Marks an outbox message (by its dedupe key) as one a reaction turns into a page. */
  addTapNotice(dedupeKey: string, roomId: string, now: number): void {
    this.db.prepare("INSERT OR IGNORE INTO encrypted_tap_notices (dedupe_key, room_id, created_at) VALUES (?, ?, ?)").run(dedupeKey, roomId, now);
  }

  /** The room of the tap-to-page notice that became event `eventId`, if it is one. */
  tapNoticeRoom(eventId: string): string | undefined {
    const row = this.db
      .prepare(
        `SELECT t.room_id AS roomId FROM encrypted_tap_notices t JOIN outbox o ON o.dedupe_key = t.dedupe_key
         WHERE o.event_id = ? AND o.state = 'sent'`,
      )
      .get(eventId) as { roomId: string } | undefined;
    return row?.roomId;
  }

  /** Records a provisioned room found encrypted; returns true the first time. */
  recordRoom(r: { roomId: string; communityId: string; roomKey: string; byHomeserver: boolean }, now: number): boolean {
    return (
      this.db
        .prepare(
          `INSERT OR IGNORE INTO encrypted_rooms (room_id, community_id, room_key, by_homeserver, found_at) VALUES (?, ?, ?, ?, ?)`,
        )
        .run(r.roomId, r.communityId, r.roomKey, r.byHomeserver ? 1 : 0, now).changes === 1
    );
  }

  /** Rooms of the community found encrypted whose staff room has not been told yet. */
  untold(communityId: string): EncryptedRoom[] {
    return this.rows("WHERE community_id = ? AND staff_told_at IS NULL", communityId);
  }

  markStaffTold(roomIds: string[], now: number): void {
    const stmt = this.db.prepare("UPDATE encrypted_rooms SET staff_told_at = ? WHERE room_id = ? AND staff_told_at IS NULL");
    for (const id of roomIds) stmt.run(now, id);
  }

  list(): EncryptedRoom[] {
    return this.rows("");
  }

  /** True for a provisioned room already found encrypted. */
  isEncrypted(roomId: string): boolean {
    return !!this.db.prepare("SELECT 1 FROM encrypted_rooms WHERE room_id = ?").get(roomId);
  }

  private rows(where: string, ...params: unknown[]): EncryptedRoom[] {
    const rows = this.db
      .prepare(
        `SELECT room_id, community_id, room_key, by_homeserver, found_at, staff_told_at FROM encrypted_rooms ${where} ORDER BY found_at, room_id`,
      )
      .all(...params) as Array<{
      room_id: string;
      community_id: string;
      room_key: string;
      by_homeserver: number;
      found_at: number;
      staff_told_at: number | null;
    }>;
    return rows.map((r) => ({
      roomId: r.room_id,
      communityId: r.community_id,
      roomKey: r.room_key,
      byHomeserver: r.by_homeserver === 1,
      foundAt: r.found_at,
      staffToldAt: r.staff_told_at,
    }));
  }
}
