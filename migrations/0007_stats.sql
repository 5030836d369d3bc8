-- Rollups for GET /v1/stats, kept incrementally: each finished job adds itself once to its hour's
-- rows (src/db/stats.ts), so the last 24 h are at most a few hundred small rows per tenant
-- whatever the number of jobs. Hours are ms epochs of the hour's start (UTC), by completion time.
CREATE TABLE stats_hourly (
  tenant TEXT NOT NULL,
  hour INTEGER NOT NULL,
  model TEXT NOT NULL,
  status TEXT NOT NULL,
  error_code TEXT NOT NULL DEFAULT '',
  cost_unit TEXT NOT NULL DEFAULT '',
  jobs INTEGER NOT NULL,
  -- actual cost in millionths of cost_unit, as in the jobs index
  cost INTEGER NOT NULL,
  PRIMARY KEY (tenant, hour, model, status, error_code, cost_unit)
) WITHOUT ROWID;
-- Run times of succeeded jobs as a histogram: bucket b holds runs of at most 1.1^b ms, so a
-- percentile read back from it is within 10 % of the true one.
CREATE TABLE stats_run_ms (
  tenant TEXT NOT NULL,
  hour INTEGER NOT NULL,
  model TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  jobs INTEGER NOT NULL,
  PRIMARY KEY (tenant, hour, model, bucket)
) WITHOUT ROWID;
