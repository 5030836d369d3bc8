// A failed provider request (or an exception of our own) as a pure decision: retry the current
// step later with backoff, or give up when its cap or the run deadline is reached.
import type { ProviderError } from "../../providers/types.ts";
import type { JobError, JobRecord } from "../record.ts";
import { backoffDelay, MAX_POLL_ERRORS } from "./policies.ts";
import { conclude, moved, type Tick } from "./transitions.ts";

/** A refusal no retry can get past: the job ends with the provider's own code and message. */
export function providerFailure(error: ProviderError): JobError {
  return { code: error.code, message: error.message, retryable: false };
}

/** Retry the current step later, or give up when attempts or the deadline run out. */
export function retryOrFail(job: JobRecord, error: ProviderError, maxAttempts: number, tick: Tick): JobRecord {
  const attempts = job.attempts + 1;
  const delay = backoffDelay(attempts, tick.rand, error.retryAfterMs);
  const lastProviderError = `${error.code}: ${error.message}`;
  if (attempts >= maxAttempts || tick.now + delay > job.deadlineAt)
    return conclude({ ...job, attempts, lastProviderError }, "gave_up", tick, {
      code: "provider_unavailable",
      message: `Gave up after ${attempts} failed attempts; last error ${lastProviderError}`,
      retryable: true,
    });
  return {
    ...job,
    status: moved(job, "retry"),
    attempts,
    lastProviderError,
    nextAt: tick.now + delay,
    updatedAt: tick.now,
  };
}

/** An exception we did not expect (a bug or a platform fault) is retried like a provider error. */
export function afterCrash(job: JobRecord, message: string, tick: Tick): JobRecord {
  return retryOrFail(job, { retryable: true, code: "internal_error", message }, MAX_POLL_ERRORS, tick);
}
