-- Rota: who is on call when, and who agreed to it.

-- One row per rota entry of a community:
--   weekly: a recurring slot, `day` + `from_time`..`to_time` in the community's time zone
--           (`to_time` <= `from_time` runs overnight into the next day);
--   once:   a dated one-off shift, [start_ms, end_ms);
--   cover:  `user_id` holds every shift of `covered_user_id` in [start_ms, end_ms). A swap
--           is two cover rows pointing at each other through `swap_with`.
-- Nobody is on call by an entry until both sides said yes: the person on it (`agreed_at`)
-- and, when the community requires it, staff (`approved_at`; `approved_by` is NULL when the
-- config did not require approval). Only then is `status` 'approved'. Rows are never
-- deleted by the rota: cancelling, declining or removing sets `status` = 'cancelled' and
-- records who ended it, when and why.
CREATE TABLE rota_entries (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  community_id    TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('weekly', 'once', 'cover')),
  user_id         TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('peer', 'staff')),
  -- A backup slot: the person agreed to be asked when the peers on call do not answer.
  backup          INTEGER NOT NULL DEFAULT 0 CHECK (backup IN (0, 1)),
  day             TEXT CHECK (day IN ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')),
  from_time       TEXT,
  to_time         TEXT,
  start_ms        INTEGER,
  end_ms          INTEGER,
  covered_user_id TEXT,
  swap_with       INTEGER REFERENCES rota_entries (id),
  status          TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'approved', 'cancelled')),
  proposed_by     TEXT NOT NULL,
  proposed_at     INTEGER NOT NULL,
  agreed_at       INTEGER,
  approved_by     TEXT,
  approved_at     INTEGER,
  ended_by        TEXT,
  ended_at        INTEGER,
  end_reason      TEXT CHECK (end_reason IN ('cancelled', 'declined', 'removed')),
  CHECK (kind <> 'weekly' OR (day IS NOT NULL AND from_time IS NOT NULL AND to_time IS NOT NULL)),
  CHECK (kind = 'weekly' OR (start_ms IS NOT NULL AND end_ms IS NOT NULL AND end_ms > start_ms)),
  CHECK ((kind = 'cover') = (covered_user_id IS NOT NULL)),
  CHECK (swap_with IS NULL OR kind = 'cover'),
  CHECK (status <> 'approved' OR (agreed_at IS NOT NULL AND approved_at IS NOT NULL)),
  CHECK ((status = 'cancelled') = (ended_at IS NOT NULL))
);
CREATE INDEX rota_entries_community ON rota_entries (community_id, status);
CREATE INDEX rota_entries_user ON rota_entries (user_id, status);

-- `!break`: the person is off the rota (every community) from `started_at` until `until_ms`
-- (NULL: until they end it). `ended_at` is set when they end it early or start a new one.
CREATE TABLE rota_breaks (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id    TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  until_ms   INTEGER,
  ended_at   INTEGER,
  CHECK (until_ms IS NULL OR until_ms > started_at)
);
CREATE INDEX rota_breaks_user ON rota_breaks (user_id, ended_at);
