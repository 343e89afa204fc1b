-- Check-ins: prompts sent, answers, each member's plan and its history, alumni choices,
-- and prompts skipped after downtime. Notes are the member's words: they are stored here
-- (and in nothing else carenet keeps), never logged, and shown only as the member chose.

-- One row per member per prompt occurrence: what was asked, for which time, and where.
-- `occurrence_at` is the prompt's scheduled time (a late prompt keeps it); `local_date`
-- is that time's date in the community's time zone, the day an answer counts for.
CREATE TABLE checkin_prompts (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  community_id  TEXT NOT NULL,
  user_id       TEXT NOT NULL,
  -- The config's prompt id, or 'alumni' for an alumni check-in.
  checkin_id    TEXT NOT NULL,
  occurrence_at INTEGER NOT NULL,
  local_date    TEXT NOT NULL,
  sent_at       INTEGER NOT NULL,
  late          INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
  -- The outbox message that carried it (shared by everyone when asked in a room), and the
  -- event it became once sent: reactions and replies to that event are answers.
  outbox_key    TEXT NOT NULL,
  event_id      TEXT,
  missed_at     INTEGER,
  UNIQUE (community_id, user_id, checkin_id, occurrence_at)
);
CREATE INDEX checkin_prompts_event ON checkin_prompts (event_id);
CREATE INDEX checkin_prompts_outbox ON checkin_prompts (outbox_key);
CREATE INDEX checkin_prompts_member ON checkin_prompts (community_id, user_id, occurrence_at);
CREATE INDEX checkin_prompts_occurrence ON checkin_prompts (community_id, checkin_id, occurrence_at);

-- Answers: one per prompt, or one unprompted answer per member per day. An answer can be
-- changed on the day it was given (`answered_date`); `shared` and `note_shared` hold what
-- the member's plan said when they answered (what staff may see also needs the plan now).
CREATE TABLE checkin_answers (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  community_id  TEXT NOT NULL,
  user_id       TEXT NOT NULL,
  prompt_id     INTEGER REFERENCES checkin_prompts (id) ON DELETE CASCADE,
  local_date    TEXT NOT NULL,
  value         INTEGER NOT NULL CHECK (value >= 1),
  note          TEXT,
  shared        INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
  note_shared   INTEGER NOT NULL DEFAULT 0 CHECK (note_shared IN (0, 1)),
  via           TEXT NOT NULL CHECK (via IN ('command', 'reply', 'reaction')),
  answered_at   INTEGER NOT NULL,
  answered_date TEXT NOT NULL,
  changed_at    INTEGER
);
CREATE UNIQUE INDEX checkin_answers_prompt ON checkin_answers (prompt_id) WHERE prompt_id IS NOT NULL;
CREATE UNIQUE INDEX checkin_answers_unprompted ON checkin_answers (community_id, user_id, local_date) WHERE prompt_id IS NULL;
CREATE INDEX checkin_answers_member ON checkin_answers (community_id, user_id, local_date);

-- Who was told about a low answer or a missed check-in: exactly the people the member
-- named, recorded so the member can see it and so they hear when a missed one is answered.
CREATE TABLE checkin_alerts (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  community_id    TEXT NOT NULL,
  user_id         TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('low', 'missed')),
  prompt_id       INTEGER REFERENCES checkin_prompts (id) ON DELETE CASCADE,
  answer_id       INTEGER REFERENCES checkin_answers (id) ON DELETE CASCADE,
  recipients_json TEXT NOT NULL,
  at              INTEGER NOT NULL
);
CREATE INDEX checkin_alerts_prompt ON checkin_alerts (prompt_id);

-- Each member's plan (JSON, see src/domain/checkins.ts); absent means the default plan.
CREATE TABLE checkin_plans (
  community_id       TEXT NOT NULL,
  user_id            TEXT NOT NULL,
  plan_json          TEXT NOT NULL,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  reviewed_at        INTEGER NOT NULL,
  review_reminded_at INTEGER,
  PRIMARY KEY (community_id, user_id)
);

-- Every change to a plan or an alumni choice, in words, oldest first. Never rewritten
-- (rows may still be deleted, which is how an erasure request removes them).
CREATE TABLE checkin_plan_changes (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  community_id TEXT NOT NULL,
  user_id      TEXT NOT NULL,
  at           INTEGER NOT NULL,
  setting      TEXT NOT NULL,
  before       TEXT NOT NULL,
  after        TEXT NOT NULL
);
CREATE INDEX checkin_plan_changes_member ON checkin_plan_changes (community_id, user_id, id);
CREATE TRIGGER checkin_plan_changes_no_update BEFORE UPDATE ON checkin_plan_changes
BEGIN
  SELECT RAISE(ABORT, 'checkin_plan_changes is append-only');
END;

-- An alumnus's own choice about alumni check-ins; absent means the community's default.
CREATE TABLE checkin_alumni (
  community_id TEXT NOT NULL,
  user_id      TEXT NOT NULL,
  enabled      INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  rhythm       TEXT CHECK (rhythm IN ('weekly', 'fortnightly', 'monthly')),
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (community_id, user_id)
);

-- Prompt occurrences not sent because carenet was down past the grace window: how many
-- prompts (members × occurrences), reported to staff as a count.
CREATE TABLE checkin_skips (
  community_id  TEXT NOT NULL,
  checkin_id    TEXT NOT NULL,
  slot          TEXT NOT NULL,
  occurrence_at INTEGER NOT NULL,
  prompts       INTEGER NOT NULL,
  recorded_at   INTEGER NOT NULL,
  PRIMARY KEY (community_id, checkin_id, slot, occurrence_at)
);

-- Reactions and replies name the event they answer; the outbox knows which message became
-- it (looked up through the index on outbox.event_id that 007_paging.sql created).
