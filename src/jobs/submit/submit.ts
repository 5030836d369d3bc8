// Getting a job to the provider, as pure decisions: waiting in line for a provider slot, the
// slot granted (the run deadline starts then), the submit marked before it leaves, and what its
// answer means. The request itself is made in submit-io.ts; a lost answer is adopt.ts's.
import type { Outcome, ProviderTask } from "../../providers/types.ts";
import { MAX_QUEUE_MS, MAX_SUBMIT_ATTEMPTS, runDeadlineMs, SLOT_RETRY_MIN_MS } from "../machine/policies.ts";
import { providerFailure, retryOrFail } from "../machine/retry.ts";
import { conclude, moved, type Tick } from "../machine/transitions.ts";
import { nextPollDelay, pollShape } from "../poll/poll-schedule.ts";
import type { JobRecord } from "../record.ts";
import { submitFateUnknown } from "./adopt.ts";

/** No provider slot is free: stay queued, with the place in line, and ask again by `retryAt`. */
export function waitForSlot(job: JobRecord, position: number, retryAt: number, tick: Tick): JobRecord {
  if (tick.now - job.createdAt >= MAX_QUEUE_MS)
    // queuePosition stays on the record: it tells the job object to take it out of the line
    return conclude(job, "queue_timeout", tick, {
      code: "queue_timeout",
      message: `No provider slot came free within ${MAX_QUEUE_MS / 3_600_000} hours (place in line: ${position}); nothing was sent to the provider`,
      retryable: true,
    });
  return {
    ...job,
    status: moved(job, "no_slot"),
    queuePosition: position,
    nextAt: Math.max(tick.now + SLOT_RETRY_MIN_MS, retryAt),
    updatedAt: tick.now,
  };
}

/**
 * A provider slot was granted. The run deadline counts from here, not from creation: time spent
 * waiting in line for a slot is not time the provider had to do the work.
 */
export function slotGranted(job: JobRecord, tick: Tick, grant: { behind?: number } = {}): JobRecord {
  if (job.slotHeld) return job;
  return {
    ...job,
    slotHeld: true,
    slotContended: (grant.behind ?? 0) > 0,
    slotRenewedAt: tick.now,
    queuePosition: undefined,
    deadlineAt: tick.now + runDeadlineMs(job.expectedRunMs),
  };
}

/** The run time learned by the moment of the submit: a job that waited in line starts from what the runs before it taught. */
export function withEstimate(job: JobRecord, priorMs: number, estimate: { factor: number; spread: number }): JobRecord {
  return { ...job, expectedRunMs: Math.round(priorMs * estimate.factor), runSpread: estimate.spread };
}

/** Recorded and stored before the submit request leaves, so a crash mid-call is noticed. */
export function markSubmitting(job: JobRecord, tick: Tick): JobRecord {
  return { ...job, submitStartedAt: tick.now, submitAttempts: job.submitAttempts + 1, updatedAt: tick.now };
}

export function afterSubmit(
  job: JobRecord,
  outcome: Outcome<ProviderTask>,
  idempotentSubmit: boolean,
  tick: Tick,
): JobRecord {
  if (outcome.ok) {
    // the run is timed from when the submit that made it left, not from its answer: the answer
    // can wait behind other work on a busy runtime, and every poll would be late by as much
    const startedAt = Math.min(tick.now, job.submitStartedAt ?? tick.now);
    return {
      ...job,
      status: moved(job, "submitted"),
      task: outcome.value,
      startedAt,
      attempts: 0,
      submitStartedAt: undefined,
      lastProviderError: undefined,
      nextAt: startedAt + nextPollDelay(job.expectedRunMs, 0, tick.rand, pollShape(job)),
      updatedAt: tick.now,
    };
  }
  const { error } = outcome;
  if (!error.retryable) return conclude(job, "submit_refused", tick, providerFailure(error));
  // never sent again: the job waits for a callback to name the task, or ends submit_uncertain (adopt.ts)
  if (error.uncertain && !idempotentSubmit)
    return submitFateUnknown({ ...job, lastProviderError: `${error.code}: ${error.message}` }, tick);
  // the provider answered, so no task exists: the recovery point can go
  const cleared = error.uncertain ? job : { ...job, submitStartedAt: undefined };
  return retryOrFail(cleared, error, MAX_SUBMIT_ATTEMPTS, tick);
}

/** A previous submit started and never reported back: only an idempotent provider may be asked again; otherwise its callback may name the task. */
export function unconfirmedSubmit(job: JobRecord, idempotentSubmit: boolean, tick: Tick): JobRecord | undefined {
  if (job.submitStartedAt === undefined || idempotentSubmit) return undefined;
  return submitFateUnknown(job, tick);
}
