-- Index of jobs for listing and for the sweeper. Each JobObject is the truth; this is its projection.
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  model TEXT NOT NULL,
  status TEXT NOT NULL,
  batch_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX jobs_by_tenant ON jobs (tenant, created_at DESC, id DESC);
CREATE INDEX jobs_by_tenant_status ON jobs (tenant, status, created_at DESC, id DESC);
CREATE INDEX jobs_by_tenant_batch ON jobs (tenant, batch_id, created_at DESC, id DESC);
CREATE INDEX jobs_unfinished ON jobs (updated_at) WHERE status IN ('queued', 'running', 'copying');
