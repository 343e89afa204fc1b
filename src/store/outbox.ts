import { randomUUID } from "node:crypto";
import { notWaitingForDisk, type Db } from "./database";

export interface OutgoingMessage {
  /** Identifies what this message is for (e.g. "reply:<event id>"); enqueueing it twice adds nothing. */
  dedupeKey: string;
  /** The room to send to; or leave it out and name `toUser` to reach a person directly. */
  roomId?: string;
  /** A person: the message goes to their direct conversation with the bot (opened if need be). */
  toUser?: string;
  eventType: string;
  content: Record<string, unknown>;
  /** URGENT or ALERT goes before ordinary messages (0, the default) to other rooms; never before earlier ones to its own room. */
  priority?: number;
}

/** The priority of what must not wait: a message that rings someone, the member's answer to their page, other urgent replies. */
export const URGENT = 1;

/**
 * The priority of a summons (`Message.summon`: a page's request to the people asked, the
 * staff woken when nobody came, a call to a crisis meeting): it goes before urgent ones too,
 * and gets a head start (see OutboxSender).
 */
export const ALERT = 2;

/** The first due message of one room (or person not yet given a room), without its content: see dueHeads. */
export interface OutboxHead {
  id: number;
  roomId: string;
  toUser?: string;
  eventType: string;
  /** The highest priority of the due messages this one comes before. */
  priority: number;
  createdAt: number;
}

export interface OutboxRow extends OutgoingMessage {
  /** Empty while a message for `toUser` has no conversation yet. */
  roomId: string;
  id: number;
  txnId: string;
  attempts: number;
  createdAt: number;
  priority: number;
}

/**
 * Messages waiting to be sent. Each row gets its homeserver transaction id when it is
 * written, and keeps it across retries and restarts, so the homeserver deduplicates a
 * resend of something it already accepted.
 */
export class OutboxStore {
  constructor(private readonly db: Db) {}

  /** Returns true if the message was new. */
  enqueue(msg: OutgoingMessage, now: number): boolean {
    if (!msg.roomId === !msg.toUser) throw new Error("an outgoing message needs exactly one of roomId and toUser");
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO outbox (dedupe_key, txn_id, room_id, to_user, event_type, content_json, created_at, next_attempt_at, priority)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(msg.dedupeKey, `carenet.${randomUUID()}`, msg.roomId ?? "", msg.toUser ?? null, msg.eventType, JSON.stringify(msg.content), now, now, msg.priority ?? 0);
    return result.changes === 1;
  }

  due(now: number, limit = 20): OutboxRow[] {
    const rows = this.db
      .prepare(
        `SELECT ${ROW_COLUMNS} FROM outbox
         WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?`,
      )
      .all(now, limit) as RawRow[];
    return rows.map(toRow);
  }

  /**
   * For each room (or person not yet given a room), the oldest due message, and apart from
   * those its oldest due reaction, oldest first; each with the highest priority of the due
   * messages of its kind there, since they cannot go before it. Without content, so it stays
   * cheap however many rooms wait: the sender picks, then reads the rows it starts.
   */
  dueHeads(now: number): OutboxHead[] {
    const rows = this.db
      .prepare(
        `SELECT MIN(id) AS id, room_id, to_user, event_type, MAX(priority) AS priority, MIN(created_at) AS created_at FROM outbox
         WHERE state = 'pending' AND next_attempt_at <= ?
         GROUP BY room_id, to_user, event_type = 'm.reaction' ORDER BY id`,
      )
      .all(now) as Array<{ id: number; room_id: string; to_user: string | null; event_type: string; priority: number; created_at: number }>;
    return rows.map((r) => ({ id: r.id, roomId: r.room_id, ...(r.to_user ? { toUser: r.to_user } : {}), eventType: r.event_type, priority: r.priority, createdAt: r.created_at }));
  }

  /** Whether a message of at least `priority` is due and not sent yet. */
  hasDue(priority: number, now: number): boolean {
    return this.db.prepare("SELECT 1 FROM outbox WHERE state = 'pending' AND priority >= ? AND next_attempt_at <= ? LIMIT 1").get(priority, now) !== undefined;
  }

  /** The message with this id, if it is still waiting to be sent. */
  pendingRow(id: number): OutboxRow | undefined {
    const row = this.db
      .prepare(`SELECT ${ROW_COLUMNS} FROM outbox WHERE id = ? AND state = 'pending'`)
      .get(id) as RawRow | undefined;
    return row && toRow(row);
  }

  /** The earliest time a pending message not due at `now` becomes due, or null. */
  nextDueAfter(now: number): number | null {
    const row = this.db.prepare("SELECT MIN(next_attempt_at) AS t FROM outbox WHERE state = 'pending' AND next_attempt_at > ?").get(now) as { t: number | null };
    return row.t;
  }

  /** The earliest time a pending message is due, or null when nothing waits. */
  nextDueAt(): number | null {
    const row = this.db.prepare("SELECT MIN(next_attempt_at) AS t FROM outbox WHERE state = 'pending'").get() as { t: number | null };
    return row.t;
  }

  /** Records the conversation found or opened for a message addressed to a person. */
  /** Moves a message to another room; `content` replaces what it says (e.g. without a reply relation that pointed into the old room). */
  setRoom(id: number, roomId: string, content?: Record<string, unknown>): void {
    if (content) this.db.prepare("UPDATE outbox SET room_id = ?, content_json = ? WHERE id = ?").run(roomId, JSON.stringify(content), id);
    else this.db.prepare("UPDATE outbox SET room_id = ? WHERE id = ?").run(roomId, id);
  }

  /** True when a message already sent is recorded with this event id. */
  isSentEvent(eventId: string): boolean {
    return this.db.prepare("SELECT 1 FROM outbox WHERE event_id = ? AND state = 'sent' LIMIT 1").get(eventId) !== undefined;
  }

  /**
   * Does not wait for the disk (one sync per message sent was most of the sender's own
   * cost): if a power cut takes this back, the message is pending again and its retry, with
   * the same transaction id, first finds the event already sent (see OutboxSender). Any
   * later FULL commit, such as the next transaction's, syncs it.
   */
  markSent(id: number, eventId: string, now: number): void {
    notWaitingForDisk(this.db, () =>
      this.db.prepare("UPDATE outbox SET state = 'sent', sent_at = ?, event_id = ?, last_error = NULL WHERE id = ?").run(now, eventId, id),
    );
  }

  /** Schedules another attempt; `permanent` parks the message as failed (e.g. the room is gone). */
  markFailed(id: number, error: string, nextAttemptAt: number, permanent: boolean): void {
    this.db
      .prepare("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, state = ? WHERE id = ?")
      .run(error, nextAttemptAt, permanent ? "failed" : "pending", id);
    if (this.failureHooks.length === 0) return;
    const row = this.db.prepare("SELECT dedupe_key, attempts FROM outbox WHERE id = ?").get(id) as { dedupe_key: string; attempts: number } | undefined;
    // A hook's fault must not stop the sender: it only adds a fallback (paging's off-Matrix channels).
    if (row) for (const hook of this.failureHooks) try { hook(row.dedupe_key, row.attempts); } catch { /* the hook logs its own faults */ }
  }

  /** Called after every failed send attempt with the message's key and attempts so far. */
  readonly failureHooks: Array<(dedupeKey: string, attempts: number) => void> = [];

  get(dedupeKey: string): { state: string; attempts: number; eventId: string | null; txnId: string } | undefined {
    const row = this.db
      .prepare("SELECT state, attempts, event_id, txn_id FROM outbox WHERE dedupe_key = ?")
      .get(dedupeKey) as { state: string; attempts: number; event_id: string | null; txn_id: string } | undefined;
    return row && { state: row.state, attempts: row.attempts, eventId: row.event_id, txnId: row.txn_id };
  }

  /** Whether a message with this key was ever queued (a rerun then skips work it would only repeat). */
  has(dedupeKey: string): boolean {
    return this.db.prepare("SELECT 1 FROM outbox WHERE dedupe_key = ?").get(dedupeKey) !== undefined;
  }

  /** How many messages wait to be sent and when the oldest was queued (for the outbox metrics). */
  pendingStats(): { pending: number; oldestCreatedAt: number | null } {
    const row = this.db.prepare("SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE state = 'pending'").get() as { n: number; oldest: number | null };
    return { pending: row.n, oldestCreatedAt: row.oldest };
  }

  countByState(): Record<string, number> {
    const rows = this.db.prepare("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state").all() as Array<{ state: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  /** How many messages still wait to be sent to this room (or have not found their room yet, for `toUser`). */
  pendingIn(roomId: string): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending' AND room_id = ?").get(roomId) as { n: number }).n;
  }

  /**
   * Forgets, at once rather than after the usual days, messages already sent (or given up
   * on) that were for the person, went to one of `rooms`, or name them. Messages still
   * waiting are left to be sent.
   */
  forgetAbout(userId: string, rooms: string[]): number {
    const inRooms = rooms.length ? ` OR room_id IN (${rooms.map(() => "?").join(", ")})` : "";
    return this.db
      .prepare(`DELETE FROM outbox WHERE state <> 'pending' AND (to_user = ? OR instr(content_json, ?) > 0${inRooms})`)
      .run(userId, JSON.stringify(userId).slice(1, -1), ...rooms).changes;
  }

  /** Forgets the content of messages sent before `beforeMs` (the homeserver holds them now). */
  prune(beforeMs: number): number {
    return this.db.prepare("DELETE FROM outbox WHERE state = 'sent' AND sent_at < ?").run(beforeMs).changes;
  }
}

/** The columns read into an OutboxRow (see toRow). */
const ROW_COLUMNS = "id, dedupe_key, txn_id, room_id, to_user, event_type, content_json, attempts, created_at, priority";

interface RawRow {
  id: number;
  dedupe_key: string;
  txn_id: string;
  room_id: string;
  to_user: string | null;
  event_type: string;
  content_json: string;
  attempts: number;
  created_at: number;
  priority: number;
}

function toRow(r: RawRow): OutboxRow {
  return {
    id: r.id,
    dedupeKey: r.dedupe_key,
    txnId: r.txn_id,
    roomId: r.room_id,
    ...(r.to_user ? { toUser: r.to_user } : {}),
    eventType: r.event_type,
    content: JSON.parse(r.content_json) as Record<string, unknown>,
    attempts: r.attempts,
    createdAt: r.created_at,
    priority: r.priority,
  };
}
