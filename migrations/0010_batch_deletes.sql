-- A deleted job keeps its index row (deleted_at set, for usage totals), so the batch list's row of
-- a batch whose jobs are all deleted must go when the last of them is marked, as it goes when rows
-- are removed (0009's batch_job_removed).
CREATE TRIGGER batch_job_deleted AFTER UPDATE OF deleted_at ON jobs
  WHEN NEW.batch_id IS NOT NULL AND OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL
BEGIN
  DELETE FROM batch_index WHERE batch_id = NEW.batch_id
    AND NOT EXISTS (SELECT 1 FROM jobs WHERE tenant = NEW.tenant AND batch_id = NEW.batch_id AND deleted_at IS NULL);
END;
