-- Display names, so an alerting message can address the person it must wake by name
-- (docs/paging.md, "what rings"). Messages are rendered inside SQLite transactions, where
-- the homeserver cannot be asked, so names are kept here: from the m.room.member events
-- carenet receives and from profile look-ups made outside any transaction. Stored already
-- sanitised (no control characters, bounded length). Erased by `!forgetme`.
CREATE TABLE display_names (
  user_id      TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  -- 'member': from a membership event; 'profile': from a profile look-up.
  source       TEXT NOT NULL CHECK (source IN ('member', 'profile')),
  updated_at   INTEGER NOT NULL
);
