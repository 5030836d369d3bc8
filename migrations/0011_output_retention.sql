-- Output retention's sweep asks for a tenant's oldest listed jobs whose outputs are still stored.
-- jobs_retention (0006) also holds the listed jobs whose outputs earlier ticks removed, and those
-- stay listed, so that range grew with every tick; this index holds only what is still to expire.
CREATE INDEX jobs_outputs_retention ON jobs (tenant, created_at) WHERE deleted_at IS NULL AND outputs_expired_at IS NULL;
