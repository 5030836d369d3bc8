// What a job still has to do after it ended: pure predicates the job object and its follow-up
// steps (follow-up-steps.ts, which also say when each comes back) read.
import type { JobRecord } from "./record.ts";

/** Retry delay for work left after a job ended (handing over webhooks, the index). */
export const FOLLOW_UP_RETRY_MS = 5_000;
export const INDEX_HEARTBEAT_MS = 5 * 60_000;
/** Alarms may fire up to this much early; work due within it counts as due. */
export const EARLY_TOLERANCE_MS = 1_000;

/** Work left after a job ended: hand-overs, or a provider task still to be stopped (or a submit's answer still to come). */
export function hasFollowUps(job: JobRecord): boolean {
  return hasHandOvers(job) || job.providerStop !== undefined || job.stop?.awaitingSubmit === true || (job.stop?.resolve === true && !job.task);
}

/** Webhooks to hand over, the index to update, the provider slot (or place in line) to give back, the batch to tell. */
export function hasHandOvers(job: JobRecord): boolean {
  return (
    Boolean(job.outbox?.length) ||
    job.indexedStatus !== job.status ||
    Boolean(job.slotHeld) ||
    job.queuePosition !== undefined ||
    (job.batchId !== undefined && !job.batchNotified) ||
    (job.pipelineId !== undefined && !job.pipelineNotified)
  );
}

/** The index row gets each status change, and a heartbeat so the sweeper can tell live jobs from stuck ones. */
export function needsIndex(job: JobRecord): boolean {
  return job.indexedStatus !== job.status || Date.now() - (job.indexedAt ?? 0) >= INDEX_HEARTBEAT_MS;
}

/** The stored record is the same as `seen`: nothing was written in between. */
export function unchanged(stored: JobRecord | undefined, seen: JobRecord): boolean {
  return stored !== undefined && JSON.stringify(stored) === JSON.stringify(seen);
}
