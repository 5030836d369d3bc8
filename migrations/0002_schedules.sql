-- Client schedules: a cron expression that starts a batch. The worker's own cron trigger runs due ones.
CREATE TABLE schedules (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  cron TEXT NOT NULL,
  timezone TEXT NOT NULL,
  batch TEXT NOT NULL,
  origin TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  next_run_at INTEGER,
  last_run_at INTEGER,
  last_batch_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX schedules_by_tenant ON schedules (tenant, created_at DESC, id DESC);
CREATE INDEX schedules_due ON schedules (next_run_at) WHERE enabled = 1;
