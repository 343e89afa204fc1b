-- Foundation: the appservice's own bookkeeping, the durable event inbox and the outbox.

-- Transactions the homeserver delivered and carenet recorded (pruned after a while).
CREATE TABLE appservice_transactions (
  txn_id       TEXT PRIMARY KEY,
  completed_at INTEGER NOT NULL
);
CREATE INDEX appservice_transactions_completed_at ON appservice_transactions (completed_at);

-- Users in carenet's namespace known to be registered on the homeserver.
CREATE TABLE registered_users (
  user_id       TEXT PRIMARY KEY,
  registered_at INTEGER NOT NULL
);

-- Every incoming event, recorded before its transaction is acknowledged and then handled
-- from here. `event_json` is cleared once handled: carenet keeps metadata, not content.
CREATE TABLE inbox (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id    TEXT NOT NULL UNIQUE,
  txn_id      TEXT NOT NULL,
  room_id     TEXT,
  sender      TEXT,
  type        TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  event_json  TEXT,
  state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed', 'ignored')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  handled_at  INTEGER,
  error       TEXT
);
CREATE INDEX inbox_pending ON inbox (state, seq);

-- Every outgoing message that matters. `txn_id` is fixed when the row is written, so a
-- retry after a crash or an error reuses it and the homeserver shows the message once.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  dedupe_key      TEXT NOT NULL UNIQUE,
  txn_id          TEXT NOT NULL UNIQUE,
  room_id         TEXT NOT NULL,
  event_type      TEXT NOT NULL,
  content_json    TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  sent_at         INTEGER,
  event_id        TEXT,
  last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

-- Direct-message rooms between the bot and a person.
CREATE TABLE dm_rooms (
  room_id    TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX dm_rooms_user ON dm_rooms (user_id);
