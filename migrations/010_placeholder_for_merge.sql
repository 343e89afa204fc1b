-- Placeholder so that this branch's migration 011 follows 010 without a gap. It changes
-- nothing. At merge, the real 010 replaces this file.
SELECT 1;
