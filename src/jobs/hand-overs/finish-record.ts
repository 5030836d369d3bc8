// What a finished job leaves for operators, once: its Analytics Engine data point (the schema is
// in docs/operations.md) and its place in the /v1/stats hourly rollups. A follow-up step: it
// waits for the cost to be settled (so the point carries the final cost) and retries a failed
// rollup write; the AE point is written only after the rollup took it, so both count it once.
import { toMicro, unitOf } from "../../costs/units.ts";
import { addFinishedJob, type FinishedJob } from "../../db/stats.ts";
import { errorMessage } from "../../lib/error-message.ts";
import { type DataPoint, writePoint } from "../../lib/metrics.ts";
import { jobLog } from "../job-log.ts";
import { FOLLOW_UP_RETRY_MS } from "../machine/policies.ts";
import { type JobRecord, TERMINAL } from "../record.ts";

interface Host {
  env: Env;
  patch(seen: JobRecord, fields: Partial<JobRecord>): JobRecord;
}

/** The job's first tag, when the job has tags. */
export function firstTag(job: JobRecord): string {
  const tags = (job as { tags?: unknown }).tags;
  return Array.isArray(tags) && typeof tags[0] === "string" ? tags[0] : "";
}

/** Time in line (until the provider took the task), at the provider, and from creation to the end. */
export function durations(job: JobRecord): { queueMs: number; runMs: number; totalMs: number } {
  const end = job.completedAt ?? job.updatedAt;
  const start = job.startedAt ?? end;
  return {
    queueMs: Math.max(0, start - job.createdAt),
    runMs: Math.max(0, end - start),
    totalMs: Math.max(0, end - job.createdAt),
  };
}

export function jobPoint(job: JobRecord): DataPoint {
  const { queueMs, runMs, totalMs } = durations(job);
  const cost = job.cost?.actual;
  return {
    indexes: [job.tenant],
    blobs: [
      "job",
      job.model,
      job.provider,
      job.status,
      job.error?.code ?? "",
      job.tenant,
      firstTag(job),
      cost?.unit ?? unitOf(job.provider),
    ],
    doubles: [queueMs, runMs, totalMs, cost?.amount ?? 0],
  };
}

export function finishedJob(job: JobRecord): FinishedJob {
  const cost = job.cost?.actual;
  return {
    tenant: job.tenant,
    model: job.model,
    status: job.status,
    errorCode: job.error?.code ?? "",
    completedAt: job.completedAt ?? job.updatedAt,
    cost: cost ? { unit: cost.unit, micro: toMicro(cost.amount) } : null,
    runMs: job.status === "succeeded" && job.startedAt !== undefined ? durations(job).runMs : null,
  };
}

export async function recordFinish(host: Host, job: JobRecord): Promise<{ job: JobRecord; nextWakeAt: number }> {
  // after the cost settled: the point and the rollup carry the final cost
  if (job.finishRecorded || !TERMINAL.has(job.status) || !job.costSettled)
    return { job, nextWakeAt: Number.POSITIVE_INFINITY };
  try {
    await addFinishedJob(host.env.DB, finishedJob(job));
  } catch (err) {
    jobLog(job).warn("stats rollup write failed; retried", { error: errorMessage(err) });
    return { job, nextWakeAt: Date.now() + FOLLOW_UP_RETRY_MS };
  }
  writePoint(host.env, jobPoint(job));
  return { job: host.patch(job, { finishRecorded: true }), nextWakeAt: Number.POSITIVE_INFINITY };
}
