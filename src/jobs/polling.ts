// When to ask the provider again: a poll schedule shaped by how long this run is expected to
// take, and capped exponential backoff with full jitter for failures.
export const RETRY_BASE_MS = 1_000;
export const RETRY_CAP_MS = 60_000;
const MIN_DELAY_MS = 250;
const MIN_POLL_MS = 1_000;
const MAX_POLL_MS = 60_000;
const BACKSTOP_MIN_MS = 15_000;

/** Full jitter: uniform in [0, min(cap, base·2^(attempt-1))], but never sooner than Retry-After. */
export function backoffDelay(attempt: number, rand: number, retryAfterMs = 0): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.max(retryAfterMs, MIN_DELAY_MS, Math.round(rand * ceiling));
}

/**
 * Delay before the next status request. Nothing is asked while the run is very unlikely to be
 * done (first half of its expected time); around the expected finish polls are dense; past it
 * they thin out geometrically, so a slow run costs few requests.
 */
export function nextPollDelay(expectedMs: number, elapsedMs: number, rand: number, callbackExpected = false): number {
  // with a callback on its way, polling is only the backstop for a callback that never comes
  if (callbackExpected) return Math.max(BACKSTOP_MIN_MS, 3 * densePollDelay(expectedMs, elapsedMs, rand));
  return densePollDelay(expectedMs, elapsedMs, rand);
}

function densePollDelay(expectedMs: number, elapsedMs: number, rand: number): number {
  const jitter = 0.85 + 0.3 * rand;
  const dense = Math.max(MIN_POLL_MS, expectedMs / 12);
  let delay: number;
  if (elapsedMs < expectedMs * 0.5) delay = expectedMs * 0.5 - elapsedMs;
  else if (elapsedMs < expectedMs * 1.5) delay = dense;
  else delay = Math.min(MAX_POLL_MS, dense * 1.25 ** ((elapsedMs - expectedMs * 1.5) / dense));
  return Math.max(MIN_POLL_MS, Math.round(delay * jitter));
}

/** How long a run may take before the job fails with `timeout`. */
export function runDeadlineMs(expectedMs: number): number {
  return Math.min(2 * 60 * 60_000, Math.max(15 * 60_000, expectedMs * 10));
}
