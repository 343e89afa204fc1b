-- Rights and data: a person's pending request to be forgotten (`!forgetme`), waiting for
-- `!forgetme confirm`. One row per person; it lapses at `expires_at` and is deleted by the
-- erasure itself, by a new request, or by the daily retention job once it has lapsed.
CREATE TABLE forget_requests (
  user_id    TEXT PRIMARY KEY,
  asked_at   INTEGER NOT NULL,
  expires_at INTEGER NOT NULL CHECK (expires_at > asked_at)
);

-- Retention deletes by age; these let it find old rows without reading every row.
CREATE INDEX checkin_answers_answered ON checkin_answers (answered_at);
CREATE INDEX checkin_prompts_sent ON checkin_prompts (sent_at);
CREATE INDEX members_status ON members (status, updated_at);
