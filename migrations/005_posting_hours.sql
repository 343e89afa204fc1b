-- Posting hours: what carenet believes each scheduled room's state is.

-- One row per community room that has (or had) posting hours. `open` is the state carenet
-- last put the room in (events_default at the member level, or raised to the staff level);
-- the catch-up at start and after a reload compares it with what the schedule says now, so
-- a boundary missed during downtime gives one notice, not one per missed boundary.
-- `since` is the instant carenet counts the state from: for a closed room, a member's
-- message sent at or after it is a racing post (redacted, and the member told privately).
-- The row is removed when the room's schedule is removed (and the room opened).
CREATE TABLE room_hours (
  community_id TEXT NOT NULL,
  room_key     TEXT NOT NULL,
  room_id      TEXT NOT NULL,
  open         INTEGER NOT NULL CHECK (open IN (0, 1)),
  since        INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (community_id, room_key)
);
CREATE INDEX room_hours_room ON room_hours (room_id);
