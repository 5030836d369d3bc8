// D1 side of the data lifecycle: a deleted job's index row keeps its cost (and tags) without
// content and leaves every listing; outputs removed by retention are marked; the sweep's queries
// for what expired are bounded per call.
/** The row stays for usage totals (model, status, cost, tags); deleted_at takes it out of listings. Its delivery log goes. */
export async function markDeleted(db: D1Database, jobId: string, now: number): Promise<void> {
  await db.batch([
    db.prepare("UPDATE jobs SET deleted_at = COALESCE(deleted_at, ?) WHERE id = ?").bind(now, jobId),
    db.prepare("DELETE FROM webhook_deliveries WHERE job_id = ?").bind(jobId),
  ]);
}

export async function markOutputsExpired(db: D1Database, jobId: string, now: number): Promise<void> {
  await db.prepare("UPDATE jobs SET outputs_expired_at = COALESCE(outputs_expired_at, ?) WHERE id = ?").bind(now, jobId).run();
}

/** Ids of a batch's jobs that are still listed (not deleted), any status. */
export async function batchJobIds(db: D1Database, tenant: string, batchId: string): Promise<{ id: string; status: string }[]> {
  const rows = await db
    .prepare("SELECT id, status FROM jobs WHERE tenant = ? AND batch_id = ? AND deleted_at IS NULL")
    .bind(tenant, batchId)
    .all<{ id: string; status: string }>();
  return rows.results;
}

export interface Expired {
  tenant: string;
  id: string;
}

const FINISHED = "'succeeded', 'failed', 'canceled'";

/** Finished jobs of tenants with a job retention, created before their cutoff, oldest first, at most `limit`. */
export async function expiredJobs(db: D1Database, now: number, limit: number): Promise<Expired[]> {
  const rows = await db
    .prepare(
      `SELECT j.tenant AS tenant, j.id AS id FROM settings s JOIN jobs j ON j.tenant = s.tenant
       WHERE s.job_retention_days IS NOT NULL AND j.deleted_at IS NULL AND j.created_at < ? - s.job_retention_days * 86400000
         AND j.status IN (${FINISHED})
       ORDER BY j.created_at LIMIT ?`,
    )
    .bind(now, limit)
    .all<Expired>();
  return rows.results;
}

/** Finished jobs whose outputs outlived the tenant's output retention and are still in R2. */
export async function expiredOutputs(db: D1Database, now: number, limit: number): Promise<Expired[]> {
  const rows = await db
    .prepare(
      `SELECT j.tenant AS tenant, j.id AS id FROM settings s JOIN jobs j ON j.tenant = s.tenant
       WHERE s.output_retention_days IS NOT NULL AND j.deleted_at IS NULL AND j.outputs_expired_at IS NULL
         AND j.created_at < ? - s.output_retention_days * 86400000 AND j.status IN (${FINISHED})
       ORDER BY j.created_at LIMIT ?`,
    )
    .bind(now, limit)
    .all<Expired>();
  return rows.results;
}

/** Delivery records older than `before` go (they are kept 30 days). */
export async function pruneDeliveries(db: D1Database, before: number, limit: number): Promise<number> {
  const result = await db
    .prepare("DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE created_at < ? LIMIT ?)")
    .bind(before, limit)
    .run();
  return result.meta.changes;
}
