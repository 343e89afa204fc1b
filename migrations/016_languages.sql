-- The language each person chose with `!language` (the community's `language:` otherwise),
-- so every message to them is rendered from that language's catalogue. Shown by `!mydata`,
-- erased by `!forgetme`.
CREATE TABLE person_languages (
  user_id    TEXT PRIMARY KEY,
  language   TEXT NOT NULL,
  set_at     INTEGER NOT NULL
);
