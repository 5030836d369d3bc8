// The job's hand-overs as small best-effort steps: each does one (webhooks, the index, the slot,
// the batch, the pipeline), stores what it did through the host's `patch`, and offers its own
// next wake time (Infinity when it has nothing left). The job object runs them in order (ONGOING
// while the job goes on, FOLLOW_UPS once it ended) and sets its one alarm from the minimum.
// Whether any is left is hand-overs.ts's (pure); the stop of a provider task is stop/stop-io.ts.
import { batchApi } from "../../batches/batch-client.ts";
import { settleCost } from "../../budgets/settle.ts";
import { indexJob } from "../../db/jobs-index.ts";
import { errorMessage } from "../../lib/error-message.ts";
import { sendJobEnd } from "../../pipelines/pipeline-client.ts";
import { deliveryApi } from "../../webhooks/delivery-client.ts";
import { gateApi } from "../gate/gate-client.ts";
import { jobLog } from "../job-log.ts";
import { INDEX_TIMEOUT_MS, LEASE_RENEW_MS } from "../machine/policies.ts";
import type { JobRecord } from "../record.ts";
import { stopProviderTask } from "../stop/stop-io.ts";
import { recordFinish } from "./finish-record.ts";
import { type FollowUpStep, needsIndex, type StepHost, soonIf } from "./hand-overs.ts";

/** Hands pending webhook messages to their delivery objects; what fails stays for the next alarm. */
export const handOverOutbox: FollowUpStep = async (host, job) => {
  if (!job.outbox?.length) return { job, nextWakeAt: Number.POSITIVE_INFINITY };
  const remaining = [];
  for (const message of job.outbox) {
    try {
      await deliveryApi(host.env, message.id).enqueue(message);
    } catch (err) {
      jobLog(job).warn("webhook enqueue failed", { webhookId: message.id, error: errorMessage(err) });
      remaining.push(message);
    }
  }
  const next = host.patch(job, { outbox: remaining.length > 0 ? remaining : undefined });
  return { job: next, nextWakeAt: soonIf(Boolean(next.outbox?.length)) };
};

/** Keeps the D1 projection current; a failure never holds the job up, the next alarm retries. */
export const writeIndex: FollowUpStep = async (host, job) => {
  let next = job;
  try {
    // bounded: a slow or hung index must never hold up the job (or the request creating it)
    await withTimeout(indexJob(host.env.DB, job), INDEX_TIMEOUT_MS, "index write timed out");
    next = host.patch(job, { indexedStatus: job.status, indexedAt: Date.now() });
  } catch (err) {
    jobLog(job).warn("job index write failed", { error: errorMessage(err) });
  }
  return { job: next, nextWakeAt: soonIf(next.indexedStatus !== next.status) };
};

/** Tells the batch this job ended, once; a failure is retried by the follow-up alarm. */
export const notifyBatch: FollowUpStep = async (host, job) => {
  if (!job.batchId || job.batchNotified) return { job, nextWakeAt: Number.POSITIVE_INFINITY };
  try {
    await batchApi(host.env, job.batchId).jobFinished(job.id, job.status);
  } catch (err) {
    jobLog(job).warn("batch notification failed", { error: errorMessage(err) });
    return { job, nextWakeAt: soonIf(true) };
  }
  const next = host.patch(job, { batchNotified: true });
  return { job: next, nextWakeAt: soonIf(next.batchId !== undefined && !next.batchNotified) };
};

/** Tells the pipeline's workflow this job ended (its event), once; a failure is retried by the follow-up alarm. */
export const notifyPipeline: FollowUpStep = async (host, job) => {
  if (!job.pipelineId || job.pipelineNotified) return { job, nextWakeAt: Number.POSITIVE_INFINITY };
  try {
    await sendJobEnd(host.env, job.pipelineId, { jobId: job.id, status: job.status });
  } catch (err) {
    jobLog(job).warn("pipeline notification failed", { pipelineId: job.pipelineId, error: errorMessage(err) });
    return { job, nextWakeAt: soonIf(true) };
  }
  return { job: host.patch(job, { pipelineNotified: true }), nextWakeAt: Number.POSITIVE_INFINITY };
};

/** Gives the provider slot back once the task no longer runs there; a lost release expires with its lease. */
export const releaseSlot: FollowUpStep = async (host, job) => {
  try {
    await gateApi(host.env, job.provider).release(job.id);
  } catch (err) {
    jobLog(job).warn("provider slot release failed; its lease will expire", { error: errorMessage(err) });
  }
  const next = host.patch(job, { slotHeld: false, queuePosition: undefined });
  return { job: next, nextWakeAt: soonIf(next.slotHeld === true || next.queuePosition !== undefined) };
};

/** After the end: the slot (or place in line) goes back. */
export const giveBackSlot: FollowUpStep = async (host, job) => {
  if (job.slotHeld || job.queuePosition) return releaseSlot(host, job);
  return { job, nextWakeAt: Number.POSITIVE_INFINITY };
};

/** The provider's task is done once outputs are being copied: its slot goes back then, not at the end of the copies. */
export const releaseSlotWhenCopying: FollowUpStep = async (host, job) => {
  if (!job.slotHeld || job.status !== "copying") return { job, nextWakeAt: Number.POSITIVE_INFINITY };
  return releaseSlot(host, job);
};

/** The index row when the status changed or its heartbeat is due. */
export const writeIndexIfDue: FollowUpStep = async (host, job) => {
  if (!needsIndex(job)) return { job, nextWakeAt: Number.POSITIVE_INFINITY };
  return writeIndex(host, job);
};

/** A job that goes on: what its last step left to hand over (the slot once copying, the index, webhooks). */
export const ONGOING: readonly FollowUpStep[] = [releaseSlotWhenCopying, writeIndexIfDue, handOverOutbox];

/** A finished job's follow-ups, in order: the cost (its budget frees up first), its metrics, webhooks, the index, the provider stop, the slot, the batch, the pipeline. */
export const FOLLOW_UPS: readonly FollowUpStep[] = [
  settleCost,
  recordFinish,
  handOverOutbox,
  writeIndexIfDue,
  stopProviderTask,
  giveBackSlot,
  notifyBatch,
  notifyPipeline,
];

/** A finished job's record about to go (DELETE, retention): its cost settled and its batch told first. */
export const BEFORE_ERASE: readonly FollowUpStep[] = [settleCost, notifyBatch];

/** Keeps the slot's lease alive while the task runs; losing it only loosens the cap, so failures are logged, not fatal. */
export async function renewSlot(env: Env, job: JobRecord): Promise<void> {
  const held = await gateApi(env, job.provider)
    .renew(job.id)
    .catch(() => true);
  if (!held) jobLog(job).warn("provider slot lease had lapsed");
}

/** When a job that goes on wakes next: when it is due, or earlier to renew a held slot's lease. */
export function dueWake(job: JobRecord): number {
  return job.slotHeld ? Math.min(job.nextAt, Date.now() + LEASE_RENEW_MS) : job.nextAt;
}

/** Rejects with `message` if `work` has not settled within `ms` (the work itself is not stopped). */
function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Runs `steps` in order, each on the job the previous one left; `wakeAt` is the earliest time any of them offered. */
export async function runSteps(
  host: StepHost,
  steps: readonly FollowUpStep[],
  start: JobRecord,
): Promise<{ job: JobRecord; wakeAt: number }> {
  let job = start;
  let wakeAt = Number.POSITIVE_INFINITY;
  for (const step of steps) {
    const done = await step(host, job);
    job = done.job;
    wakeAt = Math.min(wakeAt, done.nextWakeAt);
  }
  return { job, wakeAt };
}
