-- Paging that always ends honestly (issue 16, items 4 and 5).
--
-- page_skips: everyone a ladder step left out, with the reason, so `!pages` and the
-- contact digest can say why a step asked fewer people (metadata only, never content).
-- 'nightly_cap': at the rota's max_pages_per_night; 'break': on a break from the rota;
-- 'no_consent': has not agreed to the current rights text; 'declined': said `!decline`
-- (or reacted ⛔) to this page: out of the rest of this round of it.
CREATE TABLE page_skips (
  page_id  INTEGER NOT NULL REFERENCES pages (id),
  round    INTEGER NOT NULL,
  step     INTEGER NOT NULL,
  user_id  TEXT NOT NULL,
  reason   TEXT NOT NULL CHECK (reason IN ('nightly_cap', 'break', 'no_consent', 'declined')),
  at       INTEGER NOT NULL,
  PRIMARY KEY (page_id, round, step, user_id, reason)
);
CREATE INDEX page_skips_user ON page_skips (user_id);

-- Off-Matrix contact addresses a person set for themselves (`!contact email …`,
-- `!contact webhook on`). Personal data: shown by `!mydata`, deleted by `!forgetme`.
-- An email address counts only once confirmed (confirmed_at); until then the hash of the
-- code sent to it is kept, with its expiry and how many wrong codes were tried.
CREATE TABLE contact_channels (
  user_id         TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('email', 'webhook')),
  address         TEXT,
  confirmed_at    INTEGER,
  code_hash       TEXT,
  code_expires_at INTEGER,
  wrong_codes     INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  PRIMARY KEY (user_id, kind)
);
