// Costs in the D1 index: usage by day, model, batch or schedule (actual costs only, one tenant at
// a time), the price history quotes learn from, a batch's sums, and a schedule's skipped run.
import { fromMicro } from "../costs/units.ts";
import type { CostAmount, CostUnit } from "../jobs/record.ts";

export const USAGE_GROUPS = ["day", "model", "batch", "schedule", "tag"] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export interface UsageRow {
  key: string | null;
  unit: CostUnit;
  amount: number;
  jobs: number;
}

const GROUP_COLUMN: Record<Exclude<UsageGroup, "tag">, string> = {
  day: "strftime('%Y-%m-%d', created_at / 1000, 'unixepoch')",
  model: "model",
  batch: "batch_id",
  schedule: "schedule_id",
};

/** Actual costs of the tenant's jobs created in [from, to), grouped; a job whose cost is unknown is not counted. */
export async function usage(
  db: D1Database,
  tenant: string,
  from: number,
  to: number,
  groupBy: UsageGroup,
): Promise<UsageRow[]> {
  if (groupBy === "tag") return usageByTag(db, tenant, from, to);
  const column = GROUP_COLUMN[groupBy];
  const rows = await db
    .prepare(
      `SELECT ${column} AS key, cost_unit AS unit, SUM(cost_actual) AS micro, COUNT(*) AS jobs FROM jobs
       WHERE tenant = ? AND created_at >= ? AND created_at < ? AND cost_actual IS NOT NULL
       GROUP BY key, unit ORDER BY key, unit`,
    )
    .bind(tenant, from, to)
    .all<{ key: string | null; unit: CostUnit; micro: number; jobs: number }>();
  return rows.results.map((r) => ({ key: r.key, unit: r.unit, amount: fromMicro(r.micro), jobs: r.jobs }));
}

/** Per tag: a job with several tags counts under each; deleted jobs still count (their rows keep cost and tags). */
async function usageByTag(db: D1Database, tenant: string, from: number, to: number): Promise<UsageRow[]> {
  const rows = await db
    .prepare(
      `SELECT t.tag AS key, j.cost_unit AS unit, SUM(j.cost_actual) AS micro, COUNT(*) AS jobs FROM job_tags t JOIN jobs j ON j.id = t.job_id
       WHERE t.tenant = ? AND j.tenant = ? AND t.created_at >= ? AND t.created_at < ? AND j.cost_actual IS NOT NULL
       GROUP BY key, unit ORDER BY key, unit`,
    )
    .bind(tenant, tenant, from, to)
    .all<{ key: string; unit: CostUnit; micro: number; jobs: number }>();
  return rows.results.map((r) => ({ key: r.key, unit: r.unit, amount: fromMicro(r.micro), jobs: r.jobs }));
}

/** What recent successful runs of this model and price key actually cost (any tenant: prices are the provider's), newest first. */
export async function recentActuals(db: D1Database, model: string, key: string, limit: number): Promise<number[]> {
  const rows = await db
    .prepare(
      "SELECT cost_actual FROM jobs WHERE model = ? AND price_key = ? AND status = 'succeeded' AND cost_actual IS NOT NULL ORDER BY updated_at DESC LIMIT ?",
    )
    .bind(model, key, limit)
    .all<{ cost_actual: number }>();
  return rows.results.map((r) => fromMicro(r.cost_actual));
}

/** Stores a job's final actual cost (it may become known after the job's last index write). */
export async function recordActual(db: D1Database, jobId: string, actualMicro: number): Promise<void> {
  await db.prepare("UPDATE jobs SET cost_actual = ? WHERE id = ?").bind(actualMicro, jobId).run();
}

/** A batch's known actual costs per unit. */
export async function batchActuals(db: D1Database, tenant: string, batchId: string): Promise<CostAmount[]> {
  const rows = await db
    .prepare(
      // kept by triggers as the jobs' actual costs arrive (migrations/0009_batch_counts.sql): no scan of the batch's rows
      "SELECT unit, micro FROM batch_costs WHERE tenant = ? AND batch_id = ? ORDER BY unit",
    )
    .bind(tenant, batchId)
    .all<{ unit: CostUnit; micro: number }>();
  return rows.results.map((r) => ({ unit: r.unit, amount: fromMicro(r.micro) }));
}

/**
 * A due run that started nothing (over budget): the schedule records why and moves on to its next
 * due time, guarded like a run so a PATCH or another tick that moved it meanwhile wins.
 */
export async function recordScheduleSkip(
  db: D1Database,
  skip: { scheduleId: string; dueAt: number; at: number; code: string; nextRunAt: number | null },
): Promise<boolean> {
  const result = await db
    .prepare(
      "UPDATE schedules SET last_skip_at = ?, last_skip_code = ?, next_run_at = ?, updated_at = ? WHERE id = ? AND next_run_at = ?",
    )
    .bind(skip.at, skip.code, skip.nextRunAt, skip.at, skip.scheduleId, skip.dueAt)
    .run();
  return result.meta.changes === 1;
}
