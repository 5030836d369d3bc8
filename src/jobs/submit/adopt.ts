// A Wiro submit whose answer was lost (a timeout after sending) may still have created a task:
// Wiro has no idempotent submit, so it is never sent again. But the job's callback URL went
// with it, and Wiro calls it when the task ends, with the task's id, authenticated by the job's
// own token. So instead of failing at once the job waits (status `running`, no task) until its
// run deadline for that callback, adopts the task it names, and confirms it with Task/Detail
// like any callback. Only when nothing reports in by the deadline does it end
// `submit_uncertain`. A task named after the job ended (deadline passed, or canceled) is stopped.
//
// Wiro's Task/List (docs/providers.md) lists the account's tasks by model, newest first; nothing it
// is documented to return ties a task to one job (two jobs may send the same prompt), so it is
// not used to guess.
import { conclude, moved, type Tick } from "../machine/transitions.ts";
import type { JobError, JobRecord } from "../record.ts";

export const UNCERTAIN_SUBMIT: JobError = {
  code: "submit_uncertain",
  message:
    "The provider may have accepted the run but did not confirm it, and it offers no way to submit idempotently; the job was stopped rather than risk a second paid task. Create a new job to try again.",
  retryable: true,
};

const NO_CALLBACK: JobError = {
  ...UNCERTAIN_SUBMIT,
  message:
    "Wiro may have accepted the run but did not confirm it, and no callback from Wiro named a task before the job's deadline; Wiro offers no way to submit idempotently, so the job was stopped rather than risk a second paid task. If a task does report in later, it is stopped. Create a new job to try again.",
};

/** The job waits for the callback of a submit whose answer was lost: `running`, with no task yet. */
export function awaitingCallback(job: JobRecord): boolean {
  return job.status === "running" && !job.task;
}

/**
 * A non-idempotent submit whose fate is unknown: with a callback URL given, the job waits for
 * the callback until its run deadline (the alarm comes back then); without one it ends now.
 */
export function submitFateUnknown(job: JobRecord, tick: Tick): JobRecord {
  if (job.callbackTokenHash === undefined) return conclude(job, "submit_uncertain", tick, UNCERTAIN_SUBMIT);
  const since = job.submitStartedAt ?? tick.now;
  return {
    ...job,
    status: moved(job, "submit_unconfirmed"),
    startedAt: since,
    submitStartedAt: since,
    nextAt: job.deadlineAt,
    updatedAt: tick.now,
  };
}

/** The deadline came and no callback named the task: the job ends `submit_uncertain`. */
export function noCallbackCame(job: JobRecord, tick: Tick): JobRecord {
  return conclude(job, "submit_uncertain", tick, NO_CALLBACK);
}

/** A task id a callback body names: Wiro's ids are short digit strings; anything else is not adopted. */
export function taskIdOf(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const record = body as Record<string, unknown>;
  const raw = record.id ?? record.taskid;
  const id = typeof raw === "number" && Number.isSafeInteger(raw) ? String(raw) : raw;
  return typeof id === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : undefined;
}

/**
 * The job's own callback names `taskId` while the job waits for it: the task becomes the job's,
 * and the confirming Task/Detail (by taskid) is due now. Undefined when the job does not wait.
 */
export function adoptWhileWaiting(job: JobRecord, taskId: string, now: number): JobRecord | undefined {
  if (job.provider !== "wiro" || !awaitingCallback(job)) return undefined;
  return {
    ...job,
    task: { taskId },
    submitStartedAt: undefined,
    callbackReceived: true,
    callbackReceivedAt: job.callbackReceivedAt ?? now,
    nextAt: now,
    updatedAt: now,
  };
}

/** The job ended while its submit's task was unknown (no callback by the deadline, or canceled): a task named now is to be stopped. */
export function adoptableAfterEnd(job: JobRecord): boolean {
  if (job.provider !== "wiro" || job.task || (job.status !== "failed" && job.status !== "canceled")) return false;
  return job.error?.code === "submit_uncertain" || job.stop?.taskUnknown === true;
}
