-- Empty private rooms made in advance for support rooms (docs/paging.md, "Warm rooms"), so
-- a page only names one and invites. Each serves one page, never another: `taken` rows
-- stay as the record of which page took it. A room whose community left the config (or
-- that the pool no longer wants) is `retired`: the bot leaves it (`left_at` once it has).
CREATE TABLE warm_rooms (
  room_id      TEXT PRIMARY KEY,
  community_id TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  state        TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'taken', 'retired')),
  page_id      INTEGER,
  taken_at     INTEGER,
  left_at      INTEGER
);
CREATE INDEX warm_rooms_ready ON warm_rooms (community_id, state, created_at);
CREATE UNIQUE INDEX warm_rooms_page ON warm_rooms (page_id) WHERE state = 'taken';
