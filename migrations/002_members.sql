-- Communities: members and their roles, consent decisions, and the audit log.

-- Who belongs to which community. Staff and admins come from the config, not from here.
-- Rows are never deleted on remove or discharge: the status changes, so a member's data
-- and choices survive a discharge and a re-add finds them again.
CREATE TABLE members (
  community_id   TEXT NOT NULL,
  user_id        TEXT NOT NULL,
  role           TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'peer', 'alumni')),
  -- The named staff member responsible for them; null until one is set.
  sponsor        TEXT,
  status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed', 'discharged')),
  added_by       TEXT NOT NULL,
  added_at       INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  removed_reason TEXT,
  PRIMARY KEY (community_id, user_id),
  -- Alumni are exactly the discharged members (a removed member keeps the role they had).
  CHECK (status = 'removed' OR (role = 'alumni') = (status = 'discharged'))
);
CREATE INDEX members_user ON members (user_id, status);

-- Rooms a member left on their own. Reconciliation reads this so carenet never invites
-- someone back into a room they chose to leave; `room_key` is the config's key for the
-- room (community, staff, alumni or an extra room's id), not a Matrix room id.
CREATE TABLE left_rooms (
  community_id TEXT NOT NULL,
  user_id      TEXT NOT NULL,
  room_key     TEXT NOT NULL,
  left_at      INTEGER NOT NULL,
  PRIMARY KEY (community_id, user_id, room_key)
);

-- Every consent decision, oldest first; the current one is the user's latest row. Consent
-- belongs to the person, not to a community. `choices_json` holds their privacy choices as
-- they stood when they decided.
CREATE TABLE consent (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id      TEXT NOT NULL,
  text_version TEXT NOT NULL CHECK (text_version <> ''),
  decision     TEXT NOT NULL CHECK (decision IN ('agreed', 'declined', 'withdrawn')),
  choices_json TEXT NOT NULL,
  decided_at   INTEGER NOT NULL
);
CREATE INDEX consent_user ON consent (user_id, id);

-- A past decision is never rewritten: a change is a new row. (Rows may still be deleted,
-- which is how a member's erasure request removes them.)
CREATE TRIGGER consent_no_update BEFORE UPDATE ON consent
BEGIN
  SELECT RAISE(ABORT, 'consent is append-only');
END;

-- Staff actions, membership and consent changes, config reloads, refused commands.
-- Metadata only: `detail` is a short description, never message content.
CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  at           INTEGER NOT NULL,
  -- Null for events that concern the whole service, such as a config reload.
  community_id TEXT,
  -- A Matrix user id, or 'carenet' for the service itself.
  actor        TEXT NOT NULL CHECK (actor <> ''),
  action       TEXT NOT NULL CHECK (action <> ''),
  subject      TEXT,
  detail       TEXT
);
CREATE INDEX audit_log_community ON audit_log (community_id, id);

-- Append-only in SQLite itself, so no code path (or hand-run SQL) can quietly edit the
-- record of what staff did. The triggers also disable DELETE's truncate optimisation.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- INSERT OR REPLACE on an existing id would delete the old row without firing the DELETE
-- trigger (recursive_triggers is off), so an insert may not reuse an id.
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
