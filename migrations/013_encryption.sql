-- End-to-end encrypted rooms: carenet cannot read them yet (docs/encryption.md), so it
-- answers what it cannot read and tells staff. No content and no user ids are kept here.

-- When a room last got carenet's "I cannot read encrypted messages" answer: at most one
-- such answer per room per window, across restarts.
CREATE TABLE encrypted_answers (
  room_id     TEXT PRIMARY KEY,
  answered_at INTEGER NOT NULL
);

-- carenet's notices in a member's encrypted direct chat that a reaction turns into a page
-- (reactions are not encrypted; `!page` there is). Keyed by the outbox row's dedupe key,
-- whose event id the outbox records once sent.
CREATE TABLE encrypted_tap_notices (
  dedupe_key TEXT PRIMARY KEY,
  room_id    TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Provisioned rooms found end-to-end encrypted when carenet read their state back.
-- by_homeserver: the m.room.encryption event was sent in carenet's name when it created
-- the room, i.e. the homeserver added it (encryption_enabled_by_default_for_room_type).
-- staff_told_at: when the community's staff room was told (once per room).
CREATE TABLE encrypted_rooms (
  room_id       TEXT PRIMARY KEY,
  community_id  TEXT NOT NULL,
  room_key      TEXT NOT NULL,
  by_homeserver INTEGER NOT NULL,
  found_at      INTEGER NOT NULL,
  staff_told_at INTEGER
);
