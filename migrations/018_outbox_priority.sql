-- Urgent messages (a page's request to the people on call, the member's answer to their
-- page, escalations) are sent before ordinary ones (docs/architecture.md, "Outbox"). The
-- order inside one room never changes: a room with an urgent message waiting sends its
-- earlier messages first, at the urgent message's priority.
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
