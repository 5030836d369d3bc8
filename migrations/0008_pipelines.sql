-- Pipelines: a chain of steps run by the PipelineWorkflow (Cloudflare Workflows). These rows are
-- what clients read (the workflow writes them from its steps); each step's jobs are ordinary jobs,
-- found by pipeline_id in the jobs index.
ALTER TABLE jobs ADD COLUMN pipeline_id TEXT;
ALTER TABLE jobs ADD COLUMN pipeline_step TEXT;
CREATE INDEX jobs_by_tenant_pipeline ON jobs (tenant, pipeline_id, created_at DESC, id DESC) WHERE pipeline_id IS NOT NULL;

CREATE TABLE pipelines (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  status TEXT NOT NULL,
  -- the validated request: steps (params with their references), webhook, deadline
  spec TEXT NOT NULL,
  metadata TEXT NOT NULL,
  tags TEXT NOT NULL,
  -- [{unit, amount}] reserved at admission
  estimate TEXT NOT NULL,
  origin TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  completed_at INTEGER
);
CREATE INDEX pipelines_by_tenant ON pipelines (tenant, created_at DESC, id DESC);

CREATE TABLE pipeline_steps (
  pipeline_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  step_id TEXT NOT NULL,
  model TEXT NOT NULL,
  status TEXT NOT NULL,
  job_ids TEXT NOT NULL DEFAULT '[]',
  error TEXT,
  PRIMARY KEY (pipeline_id, idx)
);
