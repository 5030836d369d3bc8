-- Costs in the jobs index (amounts in millionths of their unit, so sums are exact), the schedule a
-- job came from, and the price key past actual costs are looked up by. Schedules remember why
-- their last due run started nothing.
ALTER TABLE jobs ADD COLUMN schedule_id TEXT;
ALTER TABLE jobs ADD COLUMN cost_unit TEXT;
ALTER TABLE jobs ADD COLUMN cost_estimate INTEGER;
ALTER TABLE jobs ADD COLUMN cost_actual INTEGER;
ALTER TABLE jobs ADD COLUMN price_key TEXT;
CREATE INDEX jobs_usage ON jobs (tenant, created_at) WHERE cost_actual IS NOT NULL;
CREATE INDEX jobs_price_history ON jobs (model, price_key, updated_at DESC) WHERE status = 'succeeded' AND cost_actual IS NOT NULL;
ALTER TABLE schedules ADD COLUMN last_skip_at INTEGER;
ALTER TABLE schedules ADD COLUMN last_skip_code TEXT;
