// When to ask the provider again: a poll schedule shaped by how long this model's runs take
// (expected time and spread, learned per model), and capped exponential backoff with full
// jitter for failures.
export const RETRY_BASE_MS = 1_000;
export const RETRY_CAP_MS = 60_000;
const MIN_DELAY_MS = 250;
const MIN_POLL_MS = 1_000;
const MAX_POLL_MS = 60_000;
/** Spacing inside the window where runs finish: under 3 s, so detection is never slower than a 3 s poller's. */
export const DENSE_POLL_MS = 2_800;
const BACKSTOP_MIN_MS = 15_000;
/** Spread (σ of log run time) assumed until a model has been learned. */
export const DEFAULT_SPREAD = 0.35;

/** Full jitter: uniform in [0, min(cap, base·2^(attempt-1))], but never sooner than Retry-After. */
export function backoffDelay(attempt: number, rand: number, retryAfterMs = 0): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.max(retryAfterMs, MIN_DELAY_MS, Math.round(rand * ceiling));
}

export interface PollShape {
  /** σ of log(run time): how widely this model's runs scatter around the expected time. */
  spread?: number;
  /** A callback will signal the end: polling is only the backstop. */
  callbackExpected?: boolean;
}

/**
 * Delay before the next status request. Runs finish inside a window around the expected time
 * (± two spreads): before it nothing is asked, inside it polls come every ~2.8 s, after it they
 * thin out, so a run costs few requests and is noticed as fast as by a fixed 3 s poller.
 */
export function nextPollDelay(expectedMs: number, elapsedMs: number, rand: number, shape: PollShape = {}): number {
  const base = densePollDelay(expectedMs, elapsedMs, rand, shape.spread ?? DEFAULT_SPREAD);
  return shape.callbackExpected ? Math.max(BACKSTOP_MIN_MS, 3 * base) : base;
}

function densePollDelay(expectedMs: number, elapsedMs: number, rand: number, spread: number): number {
  const start = expectedMs * Math.exp(-2 * spread);
  const end = expectedMs * Math.exp(2 * spread);
  let delay: number;
  if (elapsedMs < start) delay = (start - elapsedMs) * (0.97 + 0.06 * rand);
  else if (elapsedMs < end) delay = DENSE_POLL_MS * (0.9 + 0.2 * rand);
  else delay = Math.min(MAX_POLL_MS, DENSE_POLL_MS + (elapsedMs - end) * 0.15) * (0.9 + 0.2 * rand);
  return Math.max(MIN_POLL_MS, Math.round(delay));
}

/** How long a run may take before the job fails with `timeout`. */
export function runDeadlineMs(expectedMs: number): number {
  return Math.min(2 * 60 * 60_000, Math.max(15 * 60_000, expectedMs * 10));
}
