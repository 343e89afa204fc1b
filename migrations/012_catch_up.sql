-- Catch-up: where carenet last read each room's timeline, so that after a homeserver
-- outage (or its own restart) it reads only what came after. Synapse keeps events it has
-- not yet pushed to an appservice in memory only; these positions are what lets carenet
-- find such events again (src/matrix/catchUp.ts).

-- One row per room the bot is in: a /messages pagination token for the end of the
-- room's timeline when carenet last read it.
CREATE TABLE room_read_positions (
  room_id TEXT PRIMARY KEY,
  token   TEXT NOT NULL,
  read_at INTEGER NOT NULL
);

-- When carenet first read timelines with this database. A room it has no position for
-- (one it joined since) is read back no further than this, so a fresh database never
-- answers what an earlier installation already answered.
CREATE TABLE catch_up_baseline (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  since INTEGER NOT NULL
);
