// The batch as clients see it: its record plus per-status job counts read from the D1 index.
import { batchActuals } from "../db/usage.ts";
import type { CostAmount, JobStatus } from "../jobs/record.ts";
import type { BatchRecord, BatchStatus } from "./batch-client.ts";

export interface BatchView {
  id: string;
  status: BatchStatus;
  total: number;
  counts: Record<JobStatus, number>;
  /** Per unit: the jobs' estimates at admission, and the actual costs known so far. */
  cost: { estimate: CostAmount[]; actual: CostAmount[] };
  createdAt: string;
  completedAt?: string;
  scheduleId?: string;
}

/** Counts come from the jobs index; jobs not created yet count as queued (or canceled after a cancel). */
export async function batchView(env: Env, batch: BatchRecord): Promise<BatchView> {
  const counts: Record<JobStatus, number> = { queued: 0, running: 0, copying: 0, succeeded: 0, failed: 0, canceled: 0 };
  const rows = await env.DB.prepare("SELECT status, COUNT(*) AS n FROM jobs WHERE batch_id = ? AND tenant = ? GROUP BY status")
    .bind(batch.id, batch.tenant)
    .all<{ status: JobStatus; n: number }>();
  let indexed = 0;
  for (const row of rows.results) {
    counts[row.status] = row.n;
    indexed += row.n;
  }
  counts[batch.status === "canceled" ? "canceled" : "queued"] += Math.max(0, batch.total - indexed);
  return {
    id: batch.id,
    status: batch.status,
    total: batch.total,
    counts,
    cost: { estimate: batch.estimate ?? [], actual: await batchActuals(env.DB, batch.tenant, batch.id) },
    createdAt: new Date(batch.createdAt).toISOString(),
    ...(batch.completedAt ? { completedAt: new Date(batch.completedAt).toISOString() } : {}),
    ...(batch.scheduleId ? { scheduleId: batch.scheduleId } : {}),
  };
}
