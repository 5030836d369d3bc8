// The hourly rollups behind GET /v1/stats (migrations/0007_stats.sql): a finished job adds
// itself once; a read sums the window's rows, never the jobs themselves.
import { fromMicro } from "../costs/units.ts";
import type { CostAmount, CostUnit } from "../jobs/record.ts";

export const HOUR_MS = 3_600_000;
/** Histogram buckets grow by this ratio: a percentile read from them is within 10 % of the true one. */
const BUCKET_RATIO = 1.1;

export interface FinishedJob {
  tenant: string;
  model: string;
  status: string;
  errorCode: string;
  completedAt: number;
  cost: { unit: CostUnit; micro: number } | null;
  /** Run time of a succeeded job; null when it did not run to a result. */
  runMs: number | null;
}

export function bucketOf(ms: number): number {
  return Math.max(0, Math.ceil(Math.log(Math.max(1, ms)) / Math.log(BUCKET_RATIO)));
}

export function bucketMs(bucket: number): number {
  return Math.round(BUCKET_RATIO ** bucket);
}

/** Adds one finished job to its hour's rows, both tables in one transaction. */
export async function addFinishedJob(db: D1Database, job: FinishedJob): Promise<void> {
  const hour = Math.floor(job.completedAt / HOUR_MS) * HOUR_MS;
  const statements = [
    db
      .prepare(
        `INSERT INTO stats_hourly (tenant, hour, model, status, error_code, cost_unit, jobs, cost) VALUES (?, ?, ?, ?, ?, ?, 1, ?)
         ON CONFLICT (tenant, hour, model, status, error_code, cost_unit) DO UPDATE SET jobs = jobs + 1, cost = cost + excluded.cost`,
      )
      .bind(job.tenant, hour, job.model, job.status, job.errorCode, job.cost?.unit ?? "", job.cost?.micro ?? 0),
  ];
  if (job.runMs !== null)
    statements.push(
      db
        .prepare(
          `INSERT INTO stats_run_ms (tenant, hour, model, bucket, jobs) VALUES (?, ?, ?, ?, 1)
           ON CONFLICT (tenant, hour, model, bucket) DO UPDATE SET jobs = jobs + 1`,
        )
        .bind(job.tenant, hour, job.model, bucketOf(job.runMs)),
    );
  await db.batch(statements);
}

export interface WindowStats {
  byStatus: Record<string, number>;
  byErrorCode: Record<string, number>;
  runMs: Record<string, { p50: number; p95: number }>;
  cost: CostAmount[];
  /** Finished jobs per hour of the window, oldest first (every hour present, zero when none). */
  hours: { start: string; succeeded: number; failed: number; canceled: number }[];
}

/** The tenant's jobs that finished in the `hours` whole hours up to and including the current one. */
export async function windowStats(db: D1Database, tenant: string, now: number, hours = 24): Promise<WindowStats> {
  const first = Math.floor(now / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS;
  const [rows, runs] = await db.batch([
    db
      .prepare(
        "SELECT hour, model, status, error_code, cost_unit, jobs, cost FROM stats_hourly WHERE tenant = ? AND hour >= ?",
      )
      .bind(tenant, first),
    db
      .prepare(
        "SELECT model, bucket, SUM(jobs) AS jobs FROM stats_run_ms WHERE tenant = ? AND hour >= ? GROUP BY model, bucket ORDER BY model, bucket",
      )
      .bind(tenant, first),
  ]);
  const byStatus: Record<string, number> = {};
  const byErrorCode: Record<string, number> = {};
  const cost = new Map<string, number>();
  const perHour = Array.from({ length: hours }, (_, i) => ({
    start: new Date(first + i * HOUR_MS).toISOString(),
    succeeded: 0,
    failed: 0,
    canceled: 0,
  }));
  for (const r of rows!.results as {
    hour: number;
    model: string;
    status: string;
    error_code: string;
    cost_unit: string;
    jobs: number;
    cost: number;
  }[]) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + r.jobs;
    if (r.error_code) byErrorCode[r.error_code] = (byErrorCode[r.error_code] ?? 0) + r.jobs;
    if (r.cost_unit) cost.set(r.cost_unit, (cost.get(r.cost_unit) ?? 0) + r.cost);
    const slot = perHour[(r.hour - first) / HOUR_MS];
    if (slot && (r.status === "succeeded" || r.status === "failed" || r.status === "canceled"))
      slot[r.status] += r.jobs;
  }
  const histograms = new Map<string, { bucket: number; jobs: number }[]>();
  for (const r of runs!.results as { model: string; bucket: number; jobs: number }[]) {
    const list = histograms.get(r.model) ?? [];
    list.push({ bucket: r.bucket, jobs: r.jobs });
    histograms.set(r.model, list);
  }
  const runMs: WindowStats["runMs"] = {};
  for (const [model, list] of histograms) runMs[model] = { p50: percentile(list, 0.5), p95: percentile(list, 0.95) };
  return {
    byStatus,
    byErrorCode,
    runMs,
    cost: [...cost]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([unit, micro]) => ({ unit: unit as CostUnit, amount: fromMicro(micro) })),
    hours: perHour,
  };
}

/** The bucket bound under which `q` of the runs fall (list sorted by bucket). */
function percentile(list: { bucket: number; jobs: number }[], q: number): number {
  const total = list.reduce((sum, b) => sum + b.jobs, 0);
  let seen = 0;
  for (const b of list) {
    seen += b.jobs;
    if (seen >= q * total) return bucketMs(b.bucket);
  }
  return bucketMs(list.at(-1)?.bucket ?? 0);
}

/** When a job was created, by its index row (null before its first index write). */
export async function jobCreatedAt(db: D1Database, jobId: string): Promise<number | null> {
  return db.prepare("SELECT created_at FROM jobs WHERE id = ?").bind(jobId).first<number>("created_at");
}
