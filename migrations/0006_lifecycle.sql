-- Data lifecycle (delete, retention), tags, settings and the webhook delivery log.
-- A deleted job keeps its index row without content (model, status, cost, tags) so usage totals
-- keep its cost; deleted_at takes it out of every listing. outputs_expired_at: retention removed
-- its outputs from R2.
ALTER TABLE jobs ADD COLUMN deleted_at INTEGER;
ALTER TABLE jobs ADD COLUMN outputs_expired_at INTEGER;
CREATE INDEX jobs_retention ON jobs (tenant, created_at) WHERE deleted_at IS NULL;
-- A job's tags, one row each: GET /v1/jobs?tag= and usage grouped by tag.
CREATE TABLE job_tags (
  job_id TEXT NOT NULL,
  tenant TEXT NOT NULL,
  tag TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (job_id, tag)
);
CREATE INDEX job_tags_by_tenant ON job_tags (tenant, tag, created_at DESC, job_id DESC);
-- A tenant's settings (GET/PUT /v1/settings).
CREATE TABLE settings (
  tenant TEXT PRIMARY KEY,
  output_retention_days INTEGER,
  job_retention_days INTEGER,
  webhook_url TEXT,
  webhook_events TEXT,
  updated_at INTEGER NOT NULL
);
-- Every outgoing webhook message and its attempts (GET /v1/webhook-deliveries), kept 30 days.
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  job_id TEXT,
  batch_id TEXT,
  pipeline_id TEXT,
  event TEXT NOT NULL,
  url TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts TEXT NOT NULL,
  next_attempt_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_by_tenant ON webhook_deliveries (tenant, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_by_job ON webhook_deliveries (job_id);
CREATE INDEX webhook_deliveries_age ON webhook_deliveries (created_at);
