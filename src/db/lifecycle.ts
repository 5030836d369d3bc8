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
  await db
    .prepare("UPDATE jobs SET outputs_expired_at = COALESCE(outputs_expired_at, ?) WHERE id = ?")
    .bind(now, jobId)
    .run();
}

/** Ids of a batch's jobs that are still listed (not deleted), any status. */
export async function batchJobIds(
  db: D1Database,
  tenant: string,
  batchId: string,
): Promise<{ id: string; status: string }[]> {
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

/**
 * Finished jobs of tenants with a job retention, created before their cutoff, at most `limit`,
 * oldest first. One query per such tenant, each a range of the `jobs_retention` index
 * (tenant, created_at < cutoff): a tick reads the expired rows it takes, not every listed job
 * (a join ordered across tenants scanned the whole index and sorted it, every tick).
 */
export async function expiredJobs(db: D1Database, now: number, limit: number): Promise<Expired[]> {
  return expiredByTenant(db, "job_retention_days", "", now, limit);
}

/** Finished jobs whose outputs outlived the tenant's output retention and are still in R2, the same way. */
export async function expiredOutputs(db: D1Database, now: number, limit: number): Promise<Expired[]> {
  return expiredByTenant(db, "output_retention_days", "AND outputs_expired_at IS NULL", now, limit);
}

async function expiredByTenant(
  db: D1Database,
  days: "job_retention_days" | "output_retention_days",
  also: string,
  now: number,
  limit: number,
): Promise<Expired[]> {
  const tenants = await db
    .prepare(`SELECT tenant, ${days} AS days FROM settings WHERE ${days} IS NOT NULL`)
    .all<{ tenant: string; days: number }>();
  if (tenants.results.length === 0) return [];
  const query = db.prepare(
    `SELECT tenant, id, created_at FROM jobs WHERE tenant = ? AND deleted_at IS NULL AND created_at < ? AND status IN (${FINISHED}) ${also}
     ORDER BY created_at LIMIT ?`,
  );
  const pages = await db.batch<Expired & { created_at: number }>(
    tenants.results.map((t) => query.bind(t.tenant, now - t.days * 86400_000, limit)),
  );
  return pages
    .flatMap((p) => p.results)
    .sort((a, b) => a.created_at - b.created_at)
    .slice(0, limit)
    .map(({ tenant, id }) => ({ tenant, id }));
}

/** Delivery records older than `before` go (they are kept 30 days). */
export async function pruneDeliveries(db: D1Database, before: number, limit: number): Promise<number> {
  const result = await db
    .prepare(
      "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE created_at < ? LIMIT ?)",
    )
    .bind(before, limit)
    .run();
  return result.meta.changes;
}
