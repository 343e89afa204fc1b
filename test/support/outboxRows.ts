import type { Db } from "../../src/store/database";

/** One row of carenet's outbox, as tests read it back. */
export interface QueuedMessage {
  key: string;
  roomId: string;
  /** Set for a message to a person (sent in their direct room). */
  toUser: string | null;
  eventType: string;
  state: string;
  content: Record<string, any>;
  /** The plain body (`"undefined"` for an event without one, such as a reaction). */
  body: string;
}

type Row = { dedupe_key: string; room_id: string; to_user: string | null; event_type: string; state: string; content_json: string };

const toMessage = (r: Row): QueuedMessage => {
  const content = JSON.parse(r.content_json) as Record<string, any>;
  return { key: r.dedupe_key, roomId: r.room_id, toUser: r.to_user, eventType: r.event_type, state: r.state, content, body: String(content.body) };
};

/** Everything carenet queued to send (sent or not), oldest first. */
export function queuedMessages(db: Db): QueuedMessage[] {
  return (db.prepare("SELECT dedupe_key, room_id, to_user, event_type, state, content_json FROM outbox ORDER BY id").all() as Row[]).map(toMessage);
}

/** The queued event with this dedupe key. */
export function queuedByKey(db: Db, key: string): QueuedMessage | undefined {
  const r = db.prepare("SELECT dedupe_key, room_id, to_user, event_type, state, content_json FROM outbox WHERE dedupe_key = ?").get(key) as Row | undefined;
  return r && toMessage(r);
}

/** Where and what carenet queued under dedupe keys starting with `prefix`, oldest first. */
export function queuedUnder(db: Db, prefix: string): Array<{ roomId: string; body: string }> {
  return queuedMessages(db)
    .filter((m) => m.key.startsWith(prefix))
    .map((m) => ({ roomId: m.roomId, body: m.body }));
}

/** An outbox row as stored, column by column, for tests of how it is kept and retried. */
export interface StoredOutboxRow {
  state: string;
  attempts: number;
  next_attempt_at: number;
  sent_at: number | null;
  event_id: string | null;
  last_error: string | null;
  content_json: string;
  txn_id: string;
}

export function storedOutboxRow(db: Db, key: string): StoredOutboxRow {
  return db.prepare("SELECT * FROM outbox WHERE dedupe_key = ?").get(key) as StoredOutboxRow;
}
