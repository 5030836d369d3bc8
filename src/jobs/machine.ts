// The job's state machine as pure functions: (job, what happened, now, random) → new job.
// The JobObject performs the I/O and stores whatever these return; nothing here awaits.
import type { Outcome, ProviderError, ProviderOutputRef, ProviderTask, TaskStatus } from "../providers/types.ts";
import { backoffDelay, nextPollDelay, runDeadlineMs } from "./polling.ts";
import { TERMINAL, type JobError, type JobRecord, type JobStatus, type OutputRecord } from "./record.ts";
import { conclude, moved, type Tick } from "./transitions.ts";
import { submitFateUnknown } from "./adopt.ts";

// The transition table (status × outcome → status) every status change below is taken from.
export { type ActiveStatus, conclude, finish, type JobOutcome, statusAfter, type Tick, TRANSITIONS } from "./transitions.ts";

export const MAX_SUBMIT_ATTEMPTS = 8;
/** Consecutive failed status requests before giving up on a task that may still be running: with capped backoff, about a quarter of an hour of provider outage. */
export const MAX_POLL_ERRORS = 24;
export const MAX_COPY_ATTEMPTS = 5;

export type Step = { kind: "submit" } | { kind: "poll" } | { kind: "copy"; index: number } | { kind: "idle" };

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL.has(status);
}

export function nextStep(job: JobRecord): Step {
  switch (job.status) {
    case "queued":
      return { kind: "submit" };
    case "running":
      return { kind: "poll" };
    case "copying": {
      const pending = job.outputs.find((o) => o.status === "pending");
      return pending ? { kind: "copy", index: pending.index } : { kind: "idle" };
    }
    default:
      return { kind: "idle" };
  }
}

function providerFailure(error: ProviderError): JobError {
  return { code: error.code, message: error.message, retryable: false };
}

/** Retry the current step later, or give up when attempts or the deadline run out. */
function retryOrFail(job: JobRecord, error: ProviderError, maxAttempts: number, tick: Tick): JobRecord {
  const attempts = job.attempts + 1;
  const delay = backoffDelay(attempts, tick.rand, error.retryAfterMs);
  const lastProviderError = `${error.code}: ${error.message}`;
  if (attempts >= maxAttempts || tick.now + delay > job.deadlineAt)
    return conclude({ ...job, attempts, lastProviderError }, "gave_up", tick, {
      code: "provider_unavailable",
      message: `Gave up after ${attempts} failed attempts; last error ${lastProviderError}`,
      retryable: true,
    });
  return { ...job, status: moved(job, "retry"), attempts, lastProviderError, nextAt: tick.now + delay, updatedAt: tick.now };
}

function pollShape(job: JobRecord) {
  return { spread: job.runSpread, callbackExpected: job.callbackTokenHash !== undefined, contended: job.slotContended === true };
}

/** How long a job may wait in line for a provider slot before it fails with `queue_timeout`. */
export const MAX_QUEUE_MS = 24 * 60 * 60_000;

/** No provider slot is free: stay queued, with the place in line, and ask again by `retryAt`. */
export function waitForSlot(job: JobRecord, position: number, retryAt: number, tick: Tick): JobRecord {
  if (tick.now - job.createdAt >= MAX_QUEUE_MS)
    // queuePosition stays on the record: it tells the job object to take it out of the line
    return conclude(job, "queue_timeout", tick, {
      code: "queue_timeout",
      message: `No provider slot came free within ${MAX_QUEUE_MS / 3_600_000} hours (place in line: ${position}); nothing was sent to the provider`,
      retryable: true,
    });
  return { ...job, status: moved(job, "no_slot"), queuePosition: position, nextAt: Math.max(tick.now + 250, retryAt), updatedAt: tick.now };
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

export { UNCERTAIN_SUBMIT } from "./adopt.ts";

export function afterSubmit(job: JobRecord, outcome: Outcome<ProviderTask>, idempotentSubmit: boolean, tick: Tick): JobRecord {
  if (outcome.ok) {
    return {
      ...job,
      status: moved(job, "submitted"),
      task: outcome.value,
      startedAt: tick.now,
      attempts: 0,
      submitStartedAt: undefined,
      lastProviderError: undefined,
      nextAt: tick.now + nextPollDelay(job.expectedRunMs, 0, tick.rand, pollShape(job)),
      updatedAt: tick.now,
    };
  }
  const { error } = outcome;
  if (!error.retryable) return conclude(job, "submit_refused", tick, providerFailure(error));
  // never sent again: the job waits for a callback to name the task, or ends submit_uncertain (adopt.ts)
  if (error.uncertain && !idempotentSubmit) return submitFateUnknown({ ...job, lastProviderError: `${error.code}: ${error.message}` }, tick);
  // the provider answered, so no task exists: the recovery point can go
  const cleared = error.uncertain ? job : { ...job, submitStartedAt: undefined };
  return retryOrFail(cleared, error, MAX_SUBMIT_ATTEMPTS, tick);
}

/**
 * A failed status request says nothing about the task, which already exists at the provider and
 * may well be running (and billing): polling goes on through every error, up to the poll-error
 * cap, except one no later request can get past (credentials refused, a redirect).
 */
export function afterPoll(job: JobRecord, outcome: Outcome<TaskStatus>, tick: Tick): JobRecord {
  const polled = { ...job, polls: job.polls + 1, lastPollAt: tick.now, updatedAt: tick.now };
  if (!outcome.ok) {
    if (outcome.error.fatal) return conclude(polled, "poll_fatal", tick, providerFailure(outcome.error));
    return retryOrFail(polled, outcome.error, MAX_POLL_ERRORS, tick);
  }
  const status = outcome.value;
  const seen = { ...polled, providerStatus: status.providerStatus, attempts: 0, lastProviderError: undefined };
  switch (status.state) {
    case "running": {
      if (tick.now >= job.deadlineAt)
        return conclude(seen, "timeout", tick, {
          code: "timeout",
          message: `The provider did not finish within ${Math.round((job.deadlineAt - (job.startedAt ?? job.createdAt)) / 60_000)} minutes`,
          retryable: true,
        });
      const elapsed = tick.now - (job.startedAt ?? job.createdAt);
      return { ...seen, status: moved(seen, "still_running"), nextAt: tick.now + nextPollDelay(job.expectedRunMs, elapsed, tick.rand, pollShape(job)) };
    }
    case "failed":
      return conclude(seen, "provider_failed", tick, { code: status.code, message: status.message, retryable: false });
    case "canceled":
      return conclude(seen, "provider_canceled", tick, {
        code: "provider_canceled",
        message: status.message ?? "The provider canceled the task",
        retryable: true,
      });
    case "succeeded":
      return settleOutputs({ ...seen, status: moved(seen, "provider_succeeded"), outputs: outputRecords(job, status.outputs), nextAt: tick.now }, tick);
  }
}

/**
 * One record per provider result, in the provider's order (index = result number), then one per
 * extra image a stored-to-be result came with (poster, last frame), pointing at its result.
 */
function outputRecords(job: JobRecord, results: ProviderOutputRef[]): OutputRecord[] {
  const kind = job.outputs[0]?.kind ?? (job.model === "weshop/seedream" ? "image" : "video");
  const outputs: OutputRecord[] = results.map((o, index) =>
    o.ok && o.url
      ? { index, kind, status: "pending", sourceUrl: o.url, sourceContentType: o.contentType, sourceSize: o.size, attempts: 0 }
      : { index, kind, status: "failed", error: o.error ?? "The provider returned no media for this output", attempts: 0 },
  );
  results.forEach((o, parent) => {
    if (!o.ok || !o.url) return;
    for (const [role, url] of [
      ["poster", o.poster],
      ["last_frame", o.lastFrame],
    ] as const)
      if (url) outputs.push({ index: outputs.length, kind: "image", role, parent, status: "pending", sourceUrl: url, attempts: 0 });
  });
  return outputs;
}

export type CopyOutcome =
  | { ok: true; key: string; size: number; sha256: string; contentType: string }
  | { ok: false; retryable: boolean; code: string; message: string };

export function afterCopy(job: JobRecord, index: number, result: CopyOutcome, tick: Tick): JobRecord {
  const outputs = job.outputs.map((o): OutputRecord => {
    if (o.index !== index) return o;
    if (result.ok) return { ...o, status: "stored", key: result.key, size: result.size, sha256: result.sha256, contentType: result.contentType };
    const attempts = o.attempts + 1;
    if (result.retryable && attempts < MAX_COPY_ATTEMPTS) return { ...o, attempts, error: `${result.code}: ${result.message}` };
    return { ...o, attempts, status: "failed", error: `${result.code}: ${result.message}` };
  });
  const updated = { ...job, outputs, updatedAt: tick.now };
  const retrying = outputs.find((o) => o.index === index && o.status === "pending");
  if (retrying) return { ...updated, status: moved(updated, "copy_pending"), nextAt: tick.now + backoffDelay(retrying.attempts, tick.rand) };
  return settleOutputs({ ...updated, nextAt: tick.now }, tick);
}

/**
 * When no output is pending, the job ends: succeeded if at least one result is stored. Posters
 * and last frames are extras: copied before the end, but never what decides it.
 */
function settleOutputs(settling: JobRecord, tick: Tick): JobRecord {
  const job = dropOrphanExtras(settling);
  if (job.outputs.some((o) => o.status === "pending")) return { ...job, status: moved(job, "copy_pending") };
  const results = job.outputs.filter((o) => o.role === undefined);
  if (results.some((o) => o.status === "stored")) return conclude(job, "outputs_stored", tick);
  const firstError = results.find((o) => o.error)?.error;
  if (results.length === 0)
    return conclude(job, "no_outputs", tick, { code: "no_outputs", message: "The provider finished without any output", retryable: false });
  // no copy was ever tried: every result had already failed at the provider
  if (results.every((o) => o.attempts === 0))
    return conclude(job, "results_failed", tick, {
      code: "run_failed",
      message: `Every result failed at the provider: ${firstError ?? "unknown error"}`,
      retryable: false,
    });
  return conclude(job, "media_copy_failed", tick, {
    code: "media_copy_failed",
    message: `No output could be stored: ${firstError ?? "unknown error"}`,
    retryable: true,
  });
}

/** A poster or last frame is not copied once its video could not be stored: a failed job keeps nothing. */
function dropOrphanExtras(job: JobRecord): JobRecord {
  const failed = new Set(job.outputs.filter((o) => o.role === undefined && o.status === "failed").map((o) => o.index));
  if (!job.outputs.some((o) => o.status === "pending" && o.parent !== undefined && failed.has(o.parent))) return job;
  const outputs = job.outputs.map(
    (o): OutputRecord =>
      o.status === "pending" && o.parent !== undefined && failed.has(o.parent)
        ? { ...o, status: "failed", error: "not copied: its video could not be stored" }
        : o,
  );
  return { ...job, outputs };
}

/**
 * The worker's settings are invalid, so nothing can be done: wait and look again, until the
 * job's limit, then end with `configuration_error`. A job still waiting for a slot has no run
 * deadline yet: its limit is the time it may wait in line.
 */
export function whileConfigInvalid(job: JobRecord, problems: string[], tick: Tick): { wait: true; wakeAt: number } | { wait: false; job: JobRecord } {
  const limit = job.status === "queued" && !job.slotHeld ? job.createdAt + MAX_QUEUE_MS : job.deadlineAt;
  if (tick.now < limit) return { wait: true, wakeAt: tick.now + CONFIG_RECHECK_MS };
  return {
    wait: false,
    job: conclude(job, "configuration_error", tick, {
      code: "configuration_error",
      message: `The worker's configuration stayed invalid (${problems.join(", ")}) for longer than this job could wait`,
      retryable: true,
    }),
  };
}

/** How often a job waiting out invalid settings looks again. */
export const CONFIG_RECHECK_MS = 60_000;

/** The model's provider has no credentials set: nothing can be sent, now or later. */
export function providerNotConfigured(job: JobRecord, missing: string[], tick: Tick): JobRecord {
  return conclude(job, "provider_not_configured", tick, {
    code: "provider_not_configured",
    message: `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set`,
    retryable: false,
  });
}

/** A previous submit started and never reported back: only an idempotent provider may be asked again; otherwise its callback may name the task. */
export function unconfirmedSubmit(job: JobRecord, idempotentSubmit: boolean, tick: Tick): JobRecord | undefined {
  if (job.submitStartedAt === undefined || idempotentSubmit) return undefined;
  return submitFateUnknown(job, tick);
}

/** An exception we did not expect (a bug or a platform fault) is retried like a provider error. */
export function afterCrash(job: JobRecord, message: string, tick: Tick): JobRecord {
  return retryOrFail(job, { retryable: true, code: "internal_error", message }, MAX_POLL_ERRORS, tick);
}

/** Best estimate of how long the provider took: it finished somewhere between the last two polls. */
export function observedRunMs(before: JobRecord, after: JobRecord): number | undefined {
  if (before.status !== "running" || after.status === "running" || !before.startedAt || !after.lastPollAt) return undefined;
  if (after.status === "failed" && after.error?.code !== "run_failed") return undefined;
  const previous = before.lastPollAt ?? before.startedAt;
  return (previous + after.lastPollAt) / 2 - before.startedAt;
}
