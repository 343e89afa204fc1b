-- Warm rooms are now made with their community's name for a support room ("Oakwood
-- support room"), so a page can invite before it gives the room the member's name: the
-- invitation never shows an unnamed room, and does not wait for a state update. Rooms made
-- before this (named = 0) are still named before anyone is invited.
ALTER TABLE warm_rooms ADD COLUMN named INTEGER NOT NULL DEFAULT 0;
