-- Placeholder so that this branch's migration 015 follows 009 without a gap. It changes
-- nothing. At merge, the real 012 replaces this file.
SELECT 1;
