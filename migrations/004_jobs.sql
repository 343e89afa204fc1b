-- Durable time and durable actions: every piece of scheduled or retried work is a row here.

-- A job is something to do at `due_at`: a posting-hours transition, an escalation step, a
-- check-in prompt, or a homeserver action (an invitation, a kick) that must survive a
-- restart and be retried until it is done. `key` names what the job is for, so scheduling
-- the same thing twice adds nothing (and a reschedule moves the one row).
CREATE TABLE jobs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  kind         TEXT NOT NULL CHECK (kind <> ''),
  key          TEXT NOT NULL UNIQUE,
  due_at       INTEGER NOT NULL,
  payload_json TEXT NOT NULL DEFAULT '{}',
  state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed', 'cancelled')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  finished_at  INTEGER,
  last_error   TEXT
);
CREATE INDEX jobs_due ON jobs (state, due_at);
CREATE INDEX jobs_kind ON jobs (kind, state);

-- A message for a person rather than a room: the sender finds (or opens) the direct
-- conversation with them when it sends, and fills in room_id then.
ALTER TABLE outbox ADD COLUMN to_user TEXT;
