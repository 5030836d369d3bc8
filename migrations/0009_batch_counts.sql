-- A batch's counts per status, its actual costs per unit and its place in the key's batch list,
-- kept up to date by triggers on the jobs index as rows change, so reading a batch costs the same
-- at 10,000 jobs as at 10 (it was a GROUP BY over the batch's rows on every read).
CREATE TABLE batch_counts (
  batch_id TEXT NOT NULL,
  tenant TEXT NOT NULL,
  status TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (batch_id, status)
);
CREATE TABLE batch_costs (
  batch_id TEXT NOT NULL,
  tenant TEXT NOT NULL,
  unit TEXT NOT NULL,
  micro INTEGER NOT NULL,
  PRIMARY KEY (batch_id, unit)
);
CREATE TABLE batch_index (
  batch_id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX batch_index_by_tenant ON batch_index (tenant, created_at DESC, batch_id DESC);

INSERT INTO batch_counts (batch_id, tenant, status, n)
  SELECT batch_id, MIN(tenant), status, COUNT(*) FROM jobs WHERE batch_id IS NOT NULL GROUP BY batch_id, status;
INSERT INTO batch_costs (batch_id, tenant, unit, micro)
  SELECT batch_id, MIN(tenant), cost_unit, SUM(cost_actual) FROM jobs
  WHERE batch_id IS NOT NULL AND cost_actual IS NOT NULL AND cost_unit IS NOT NULL GROUP BY batch_id, cost_unit;
INSERT INTO batch_index (batch_id, tenant, created_at)
  SELECT batch_id, MIN(tenant), MIN(created_at) FROM jobs WHERE batch_id IS NOT NULL GROUP BY batch_id;

CREATE TRIGGER batch_job_added AFTER INSERT ON jobs WHEN NEW.batch_id IS NOT NULL
BEGIN
  INSERT INTO batch_counts (batch_id, tenant, status, n) VALUES (NEW.batch_id, NEW.tenant, NEW.status, 1)
    ON CONFLICT (batch_id, status) DO UPDATE SET n = n + 1;
  INSERT INTO batch_index (batch_id, tenant, created_at) VALUES (NEW.batch_id, NEW.tenant, NEW.created_at)
    ON CONFLICT (batch_id) DO UPDATE SET created_at = MIN(created_at, excluded.created_at);
  INSERT INTO batch_costs (batch_id, tenant, unit, micro)
    SELECT NEW.batch_id, NEW.tenant, NEW.cost_unit, NEW.cost_actual WHERE NEW.cost_actual IS NOT NULL AND NEW.cost_unit IS NOT NULL
    ON CONFLICT (batch_id, unit) DO UPDATE SET micro = micro + excluded.micro;
END;

CREATE TRIGGER batch_job_status AFTER UPDATE OF status ON jobs WHEN NEW.batch_id IS NOT NULL AND NEW.status IS NOT OLD.status
BEGIN
  UPDATE batch_counts SET n = n - 1 WHERE batch_id = OLD.batch_id AND status = OLD.status;
  INSERT INTO batch_counts (batch_id, tenant, status, n) VALUES (NEW.batch_id, NEW.tenant, NEW.status, 1)
    ON CONFLICT (batch_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER batch_job_cost AFTER UPDATE OF cost_actual ON jobs
  WHEN NEW.batch_id IS NOT NULL AND NEW.cost_unit IS NOT NULL AND NEW.cost_actual IS NOT OLD.cost_actual
BEGIN
  INSERT INTO batch_costs (batch_id, tenant, unit, micro)
    SELECT NEW.batch_id, NEW.tenant, NEW.cost_unit, COALESCE(NEW.cost_actual, 0) - COALESCE(OLD.cost_actual, 0) WHERE 1
    ON CONFLICT (batch_id, unit) DO UPDATE SET micro = micro + excluded.micro;
END;

CREATE TRIGGER batch_job_removed AFTER DELETE ON jobs WHEN OLD.batch_id IS NOT NULL
BEGIN
  UPDATE batch_counts SET n = n - 1 WHERE batch_id = OLD.batch_id AND status = OLD.status;
  UPDATE batch_costs SET micro = micro - OLD.cost_actual WHERE batch_id = OLD.batch_id AND unit = OLD.cost_unit AND OLD.cost_actual IS NOT NULL;
  DELETE FROM batch_index WHERE batch_id = OLD.batch_id
    AND NOT EXISTS (SELECT 1 FROM jobs WHERE tenant = OLD.tenant AND batch_id = OLD.batch_id);
END;
