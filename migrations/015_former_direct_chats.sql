-- A direct chat that stopped being private (someone else was brought in, or it was made
-- readable by others) is not deleted but marked: a reply queued for it before that
-- happened must still be recognised as private when it is sent, and go to the person's
-- private chat instead of the room as it is now. Erased with the person (`!forgetme`).
ALTER TABLE dm_rooms ADD COLUMN forgotten_at INTEGER;
