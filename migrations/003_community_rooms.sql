-- Communities: the Space and rooms carenet provisioned for each community in the config.

-- One row per provisioned room, found again by (community_id, room_key) on every start so
-- a room is never created twice. `room_key` is 'space' for the community's Space, else the
-- config's key for the room (community, staff, alumni or an extra room's id). Rows are
-- never deleted: a room removed from the config keeps its row with `orphaned_at` set (when
-- it was first seen missing and reported), cleared again if the room comes back.
CREATE TABLE community_rooms (
  community_id TEXT NOT NULL,
  room_key     TEXT NOT NULL,
  room_id      TEXT NOT NULL UNIQUE,
  alias        TEXT NOT NULL,
  -- The room's name as last set from the config (used to name it once it is gone from there).
  name         TEXT,
  -- 'created' by carenet, or 'found' by resolving its alias (e.g. after a lost database).
  origin       TEXT NOT NULL CHECK (origin IN ('created', 'found')),
  created_at   INTEGER NOT NULL,
  orphaned_at  INTEGER,
  PRIMARY KEY (community_id, room_key)
);

-- Staff and admins carenet invited to (or found already in) a provisioned room. A person
-- recorded here who is no longer in the room left on their own (or declined), and is not
-- invited again on every start. Rows for someone who stops being staff/admin of the
-- community are removed, so being named again brings a fresh invitation.
CREATE TABLE community_invites (
  room_id      TEXT NOT NULL,
  user_id      TEXT NOT NULL,
  community_id TEXT NOT NULL,
  invited_at   INTEGER NOT NULL,
  PRIMARY KEY (room_id, user_id)
);
CREATE INDEX community_invites_community ON community_invites (community_id, user_id);
