// Every retry cap, limit and delay of a job's own steps, in one table, by phase. The decisions
// (submit/, poll/, copy/, stop/, machine/) and the I/O (the *-io.ts files, the job object) read
// them from here. Kept with their formulas instead: the poll schedule's tuning
// (poll/poll-schedule.ts), the gate's pace and lease (gate/gate-pace.ts, gate/gate-client.ts),
// webhook delivery's retries (src/webhooks/).
import { LEASE_MS } from "../gate/gate-client.ts";

// ── Retries of a failed provider request (submit, poll, crash) ────────────────────────────────
export const RETRY_BASE_MS = 1_000;
export const RETRY_CAP_MS = 60_000;
/** No retry, poll or slot request comes sooner than this. */
const MIN_DELAY_MS = 250;

/** Full jitter: uniform in [0, min(cap, base·2^(attempt-1))], but never sooner than Retry-After. */
export function backoffDelay(attempt: number, rand: number, retryAfterMs = 0): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.max(retryAfterMs, MIN_DELAY_MS, Math.round(rand * ceiling));
}

// ── Waiting for a provider slot ───────────────────────────────────────────────────────────────
/** How long a job may wait in line for a provider slot before it fails with `queue_timeout`. */
export const MAX_QUEUE_MS = 24 * 60 * 60_000;
/** A job in line asks the gate again no sooner than this, whatever retryAt the gate named. */
export const SLOT_RETRY_MIN_MS = MIN_DELAY_MS;

// ── Submit ────────────────────────────────────────────────────────────────────────────────────
export const MAX_SUBMIT_ATTEMPTS = 8;

// ── Poll ──────────────────────────────────────────────────────────────────────────────────────
/** Consecutive failed status requests before giving up on a task that may still be running: with capped backoff, about a quarter of an hour of provider outage. */
export const MAX_POLL_ERRORS = 24;
/** How long a run may take before the job fails with `timeout`: ten times the expected run, between 15 minutes and 2 hours. */
export function runDeadlineMs(expectedMs: number): number {
  return Math.min(2 * 60 * 60_000, Math.max(15 * 60_000, expectedMs * 10));
}
/** A poll renews the slot's lease (10 min) at most this often: a gate call per poll would load the one gate every slot shares. */
export const POLL_RENEW_MS = 60_000;
/** A job holding a provider slot wakes at least this often to renew the slot's lease, however far off its next poll is. */
export const LEASE_RENEW_MS = LEASE_MS / 2;
/** Wiro callbacks trigger at most one confirming Task/Detail per window, however many arrive. */
export const CONFIRM_WINDOW_MS = 2_000;

// ── Copy ──────────────────────────────────────────────────────────────────────────────────────
export const MAX_COPY_ATTEMPTS = 5;
/** Beyond these an output is refused, not stored: they bound what one job may put into R2. */
export const MAX_MEDIA_BYTES = { video: 4 * 1024 ** 3, image: 200 * 1024 ** 2 };
/** How long a job with nothing to do (copying, no output pending) waits before it looks again. */
export const NOTHING_PENDING_RECHECK_MS = 60_000;

// ── Settings invalid ──────────────────────────────────────────────────────────────────────────
/** How often a job waiting out invalid settings (or a stop that cannot read them) looks again. */
export const CONFIG_RECHECK_MS = 60_000;

// ── Stopping a provider task after the end ────────────────────────────────────────────────────
/** Failed tries (transport errors, refusals) at stopping a task or finding a run before giving up. */
export const MAX_STOP_ATTEMPTS = 6;
/** How long a task the provider cannot stop yet (Wiro: accepted or preprocessing, not assigned) is asked again. */
export const STOP_PATIENCE_MS = 30 * 60_000;

// ── Hand-overs (webhooks, index, batch, pipeline, slot) ───────────────────────────────────────
/** Retry delay for work left after a job ended (handing over webhooks, the index). */
export const FOLLOW_UP_RETRY_MS = 5_000;
/** The index row is rewritten at least this often, so the sweeper can tell live jobs from stuck ones. */
export const INDEX_HEARTBEAT_MS = 5 * 60_000;
/** An index write that takes longer is given up (and retried): it must never hold the job up. */
export const INDEX_TIMEOUT_MS = 5_000;

// ── Alarms ────────────────────────────────────────────────────────────────────────────────────
/** Alarms may fire up to this much early; work due within it counts as due. */
export const EARLY_TOLERANCE_MS = 1_000;
/** A caller's deadline this close counts as reached (an alarm may run this much early, no start could beat it). */
export const DEADLINE_MARGIN_MS = 1_000;
/** Sweeper: an unfinished job whose index has not moved for this long is woken. Longer than any poll interval plus the index heartbeat, so live jobs are never counted idle. */
export const IDLE_MS = 15 * 60_000;
