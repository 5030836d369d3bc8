// What a job still has to hand over, as pure checks: the steps in hand-overs-io.ts (and the
// stop in stop/stop-io.ts) do the work; the job object asks here whether any is left. Also the
// shape every such step has, so the steps in other folders need not import each other.
import { FOLLOW_UP_RETRY_MS, INDEX_HEARTBEAT_MS } from "../machine/policies.ts";
import type { JobRecord } from "../record.ts";

/** What a step needs from the job object: its bindings and its guarded write. */
export interface StepHost {
  env: Env;
  /** Updates fields on the stored job, if it is still the state `seen` (else a newer state covers it). */
  patch(seen: JobRecord, fields: Partial<JobRecord>): JobRecord;
  renewSlot(job: JobRecord): Promise<void>;
}

export interface StepResult {
  job: JobRecord;
  /** When this step wants to run again; Infinity when it is done. */
  nextWakeAt: number;
}

/** One best-effort hand-over: does its part, stores it through `patch`, offers its next wake time. */
export type FollowUpStep = (host: StepHost, job: JobRecord) => Promise<StepResult>;

/** Work left after a job ended: hand-overs, or a provider task still to be stopped (or a submit's answer still to come). */
export function hasFollowUps(job: JobRecord): boolean {
  return (
    hasHandOvers(job) ||
    job.providerStop !== undefined ||
    job.stop?.awaitingSubmit === true ||
    (job.stop?.resolve === true && !job.task)
  );
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

/** A step with work left comes back after FOLLOW_UP_RETRY_MS; one done offers no wake (Infinity). */
export const soonIf = (left: boolean): number => (left ? Date.now() + FOLLOW_UP_RETRY_MS : Number.POSITIVE_INFINITY);
