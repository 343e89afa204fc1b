-- Calendar feeds (`!rota calendar`): secret iCal URLs served by carenet. Only a SHA-256
-- hash of each URL's token is kept, so the database alone never gives a working URL.
--   person:    the rota of `user_id` (every community they hold shifts in);
--   community: every shift and gap of `community_id`, asked for by staff member `user_id`
--              (it stops working when they are no longer staff there).
-- `!rota calendar reset` sets `revoked_at`; a revoked token is answered like an unknown one.
CREATE TABLE calendar_feeds (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash   TEXT NOT NULL UNIQUE,
  kind         TEXT NOT NULL CHECK (kind IN ('person', 'community')),
  user_id      TEXT NOT NULL,
  community_id TEXT,
  created_at   INTEGER NOT NULL,
  revoked_at   INTEGER,
  CHECK ((kind = 'community') = (community_id IS NOT NULL))
);
CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id, revoked_at);
