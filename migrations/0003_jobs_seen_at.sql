-- When a job object last wrote its index row. The sweeper looks for unfinished jobs that have
-- gone quiet by this, not by updated_at: a live job that is simply waiting (a long Retry-After,
-- a slow run) refreshes it, so it stops looking idle and other jobs get their turn.
ALTER TABLE jobs ADD COLUMN seen_at INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET seen_at = updated_at;
DROP INDEX jobs_unfinished;
CREATE INDEX jobs_unfinished ON jobs (seen_at) WHERE status IN ('queued', 'running', 'copying');
