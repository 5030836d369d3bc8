// The batch as clients see it: its record plus per-status job counts read from the D1 index.
import { batchStatusCounts } from "../db/jobs-index.ts";
import { batchActuals } from "../db/usage.ts";
import type { JobStatus } from "../jobs/record.ts";
import type { BatchView } from "../schemas/batch-view.ts";
import type { BatchRecord } from "./batch-client.ts";

export type { BatchView };

/** Counts come from the jobs index; jobs not created yet count as queued (or canceled after a cancel). */
export async function batchView(env: Env, batch: BatchRecord): Promise<BatchView> {
  const counts: Record<JobStatus, number> = { queued: 0, running: 0, copying: 0, succeeded: 0, failed: 0, canceled: 0 };
  let indexed = 0;
  const [rows, actual] = await Promise.all([
    batchStatusCounts(env.DB, batch.id, batch.tenant),
    batchActuals(env.DB, batch.tenant, batch.id),
  ]);
  for (const row of rows) {
    counts[row.status] = row.n;
    indexed += row.n;
  }
  counts[batch.status === "canceled" ? "canceled" : "queued"] += Math.max(0, batch.total - indexed);
  return {
    id: batch.id,
    status: batch.status,
    total: batch.total,
    counts,
    cost: { estimate: batch.estimate ?? [], actual },
    createdAt: new Date(batch.createdAt).toISOString(),
    ...(batch.completedAt ? { completedAt: new Date(batch.completedAt).toISOString() } : {}),
    ...(batch.scheduleId ? { scheduleId: batch.scheduleId } : {}),
  };
}
