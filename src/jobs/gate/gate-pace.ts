// The provider gate's pace rules, pure: given the stored pace, an event and the time, the new pace
// and what the gate should do. The Durable Object (gate-object.ts) only loads, applies and stores, so
// these rules are unit-tested without storage or clocks.
import type { ProviderOutcome } from "./gate-client.ts";

/** A waiter that has not asked again by its retryAt plus this is presumed gone and dropped. */
export const STALE_GRACE_MS = 30_000;
/** After pushback the lowered limit holds at least this long before successes raise it. */
export const PUSHBACK_HOLD_MS = 30_000;
/** Pushback reports this close to the last cut are one overload, not another: no second halving. */
export const CUT_SPACING_MS = 5_000;
/** Successes (after the hold) needed to add back one slot. */
export const OKS_PER_SLOT = 5;

/** The configured limit and the AIMD state that lowers it under pushback. */
export interface Pace {
  limit: number;
  /** Lowered limit after pushback; null when running at the configured limit. */
  cap: number | null;
  cutAt: number;
  holdUntil: number;
  oks: number;
}

export const FULL_PACE: Pace = { limit: 1, cap: null, cutAt: 0, holdUntil: 0, oks: 0 };

/** A new pace and whether slots opened (so waiters should be woken). */
export interface PaceChange {
  pace: Pace;
  opened: boolean;
}

export function effectiveLimit(pace: Pace): number {
  return pace.cap === null ? pace.limit : Math.min(pace.cap, pace.limit);
}

/** A woken waiter should ask within this; past it (plus STALE_GRACE_MS) it is dropped and the next is woken. */
export const WAKE_ANSWER_MS = 5_000;
/**
 * The longest a waiter sleeps between asks: under the sweeper's 15 minutes of index silence
 * (src/jobs/sweeper.ts), so a waiting job is never taken for a stuck one. Long enough that a
 * waiter of a 10,000-job line asks by itself about once at most, short enough that a job whose
 * wake-up was lost (and was dropped from the line) is back within it.
 */
export const MAX_BACKSTOP_MS = 10 * 60_000;

/**
 * When a waiter asks again by itself. The gate wakes a waiter when its slot is free, so this is
 * only the backstop for a lost wake-up, and it is sparse: it grows with the place in line (a
 * waiter far back will not be served soon), up to MAX_BACKSTOP_MS, so the asks per job stay about
 * constant however long the line is. (Asking every 2 s + 0.5 s × place, up to a minute, made a
 * waiter's asks grow with the line.)
 */
export function retryDelayMs(position: number): number {
  return Math.min(MAX_BACKSTOP_MS, 60_000 + position * 100);
}

/** Applies the configured limit (callers pass it each time, so a changed setting applies at once). */
export function withLimit(pace: Pace, maxConcurrency: number): PaceChange {
  // a bad setting must not stop every job: fall back to one task at a time
  const limit = Number.isFinite(maxConcurrency) && maxConcurrency >= 1 ? Math.floor(maxConcurrency) : 1;
  if (pace.limit === limit) return { pace, opened: false };
  return {
    pace: { ...pace, limit, cap: pace.cap !== null && pace.cap < limit ? pace.cap : null },
    opened: limit > pace.limit,
  };
}

/**
 * Provider pushback (HTTP 429, Wiro code 96) halves the effective limit and holds it; successes
 * after the hold add a slot back every OKS_PER_SLOT. Running holders are never revoked.
 */
export function afterOutcome(pace: Pace, outcome: ProviderOutcome, now: number): PaceChange {
  if (outcome === "rate_limited") {
    // tasks started together fail together: one burst of reports is one cut
    const cut = now - pace.cutAt >= CUT_SPACING_MS;
    return {
      pace: {
        ...pace,
        cap: cut ? Math.max(1, Math.floor(effectiveLimit(pace) / 2)) : pace.cap,
        cutAt: cut ? now : pace.cutAt,
        holdUntil: Math.max(pace.holdUntil, now + PUSHBACK_HOLD_MS),
        oks: 0,
      },
      opened: false,
    };
  }
  if (pace.cap === null || now < pace.holdUntil) return { pace, opened: false };
  const oks = pace.oks + 1;
  if (oks < OKS_PER_SLOT) return { pace: { ...pace, oks }, opened: false };
  const cap = pace.cap + 1;
  return { pace: { ...pace, cap: cap >= pace.limit ? null : cap, oks: 0 }, opened: true };
}

/** Slots not held under the current pace (never negative: a cut does not revoke running holders). */
export function freeSlots(pace: Pace, active: number): number {
  return Math.max(0, effectiveLimit(pace) - active);
}

export type Admission = { granted: true } | { granted: false; retryAt: number };

/** Free slots are reserved for the first `free` waiters in line: nobody overtakes them. */
export function admit(position: number, free: number, now: number): Admission {
  return position <= free ? { granted: true } : { granted: false, retryAt: now + retryDelayMs(position) };
}
