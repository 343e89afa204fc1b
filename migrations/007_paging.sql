-- Paging: every page's escalation state (src/domain/escalation.ts, one row per page), who
-- was asked at each step and who came, crisis meetings, for the contact digest.
-- Metadata only. A member's note is held in page_notes just until it has been shown in the
-- support room, then deleted; it is never copied anywhere else in the database.

CREATE TABLE pages (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  community_id     TEXT NOT NULL,
  member           TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved', 'exhausted')),
  -- Index of the ladder step last notified; -1 before the first (or with an empty ladder).
  step             INTEGER NOT NULL,
  -- 1 for the first run of the ladder; +1 each time a repeat page restarts an exhausted one.
  round            INTEGER NOT NULL DEFAULT 1,
  -- The ladder this page follows, as it was when its current round started ([{notify, waitMs}]).
  ladder_json      TEXT NOT NULL,
  opened_at        INTEGER NOT NULL,
  next_deadline_at INTEGER,
  acknowledged_by  TEXT,
  acknowledged_at  INTEGER,
  resolved_by      TEXT,
  resolved_at      INTEGER,
  exhausted_at     INTEGER,
  repeat_count     INTEGER NOT NULL DEFAULT 0,
  -- The private room carenet opened for the member; null until the homeserver made it.
  support_room_id  TEXT UNIQUE,
  -- 1 once the staff room has been told about the page (its later changes are told there too).
  staff_told       INTEGER NOT NULL DEFAULT 0,
  -- When the contact digest last reported this page in its final state.
  digested_at      INTEGER
);
-- One active page per member and community: a repeat page joins it.
CREATE UNIQUE INDEX pages_one_active ON pages (community_id, member) WHERE status <> 'resolved';
CREATE INDEX pages_community ON pages (community_id, opened_at);
CREATE INDEX pages_status ON pages (status);

-- Each ladder step as it was taken: whom it targeted and how many people that reached
-- (0: nobody was on call for it, so escalation moved straight on).
CREATE TABLE page_steps (
  page_id  INTEGER NOT NULL REFERENCES pages (id),
  round    INTEGER NOT NULL,
  step     INTEGER NOT NULL,
  target   TEXT NOT NULL,
  at       INTEGER NOT NULL,
  notified INTEGER NOT NULL,
  PRIMARY KEY (page_id, round, step)
);

-- Who was asked to come, at which step. `notice_key` is the outbox key of the direct
-- message they got, so a ✅ reaction to that message can be traced back to the page.
CREATE TABLE page_contacts (
  page_id     INTEGER NOT NULL REFERENCES pages (id),
  round       INTEGER NOT NULL,
  step        INTEGER NOT NULL,
  user_id     TEXT NOT NULL,
  notified_at INTEGER NOT NULL,
  notice_key  TEXT NOT NULL UNIQUE,
  PRIMARY KEY (page_id, round, step, user_id)
);
CREATE INDEX page_contacts_user ON page_contacts (user_id);

-- Who said they were coming (first time only), and how: !ack, a ✅ reaction, or joining.
CREATE TABLE page_responses (
  page_id      INTEGER NOT NULL REFERENCES pages (id),
  user_id      TEXT NOT NULL,
  how          TEXT NOT NULL CHECK (how IN ('command', 'reaction', 'join')),
  responded_at INTEGER NOT NULL,
  PRIMARY KEY (page_id, user_id)
);

-- A member's note, waiting to be shown in the support room; deleted once shown (or when
-- the page is resolved first). `txn_id` is fixed here so a resend shows it once.
CREATE TABLE page_notes (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  page_id    INTEGER NOT NULL REFERENCES pages (id),
  txn_id     TEXT NOT NULL UNIQUE,
  note       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX page_notes_page ON page_notes (page_id);

-- Crisis meetings a member called, and whom carenet invited.
CREATE TABLE crisis_meetings (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  community_id TEXT NOT NULL,
  caller       TEXT NOT NULL,
  called_at    INTEGER NOT NULL,
  room_id      TEXT UNIQUE,
  digested_at  INTEGER
);
CREATE INDEX crisis_meetings_community ON crisis_meetings (community_id, called_at);

CREATE TABLE crisis_meeting_people (
  meeting_id INTEGER NOT NULL REFERENCES crisis_meetings (id),
  user_id    TEXT NOT NULL,
  PRIMARY KEY (meeting_id, user_id)
);

-- A reaction names the event it reacts to; this finds which sent message that was.
CREATE INDEX outbox_event ON outbox (event_id);
