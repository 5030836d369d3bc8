// When to ask the provider again: a poll schedule shaped by how long this model's runs take
// (expected time and spread, learned per model). The backoff for failures and the run deadline
// are in machine/policies.ts.
import { phi, upperTail } from "../../lib/normal.ts";
import type { JobRecord } from "../record.ts";

const MIN_POLL_MS = 1_000;
/**
 * A job whose slot others wait for: its notice delay is idle time of that slot, paid once per run
 * in line, so it aims at a twentieth of the run (between 125 ms and the usual target) and may poll
 * as often as every 125 ms. Only short runs get denser polls: from about 30 s on the usual target
 * holds. (A tenth, from 250 ms, left a 2 s batch run's slot idle 0.35 s per run on the local runtime.)
 */
const CONTENDED_SHARE = 0.05;
const CONTENDED_MIN_DELAY_MS = 125;
const CONTENDED_MIN_POLL_MS = 125;
const MAX_POLL_MS = 60_000;
/**
 * Mean time from a run's end to the poll that sees it, the schedule's target: a little under
 * the 1.5 s of a fixed 3 s poller, so detection is never slower on average than the official client's.
 */
export const TARGET_MEAN_DELAY_MS = 1_480;
const BACKSTOP_MIN_MS = 15_000;
/** Spread (σ of log run time) assumed until a model has been learned. */
export const DEFAULT_SPREAD = 0.35;

export interface PollShape {
  /** σ of log(run time): how widely this model's runs scatter around the expected time. */
  spread?: number;
  /** A callback will signal the end: polling is only the backstop. */
  callbackExpected?: boolean;
  /** Others wait for this run's end, so aim at a shorter notice delay (see CONTENDED_SHARE). */
  contended?: boolean;
}

/**
 * The job's shape for its poll schedule: the learned spread, a callback to come, and whether others
 * wait for its end — jobs in line for its slot, or its batch, which is done only when its last jobs
 * are (those run with nobody behind them, and at the usual target a batch of 2 s runs ended a
 * second and a half after its last run).
 */
export function pollShape(job: JobRecord): PollShape {
  return {
    spread: job.runSpread,
    callbackExpected: job.callbackTokenHash !== undefined,
    contended: job.slotContended === true || job.batchId !== undefined,
  };
}

/**
 * Delay before the next status request. Run times are taken as log-normal around the expected
 * time with the learned spread. For a given mean detection delay D, the fewest polls come from
 * polling at a rate λ(t) = k·√h(t), h the hazard (the chance a run still going ends now):
 * polls ∫λS and delay ∫f/(2λ) trade off best there, and k = I/(2D) with I = ∫√(f·S) dt sets
 * the delay. The next poll is where ∫λ from now reaches 1 (± 10 % jitter so jobs do not poll
 * in step): nothing is asked while runs rarely end, polls are densest where they end most, and
 * they thin out for runs far slower than expected.
 */
export function nextPollDelay(expectedMs: number, elapsedMs: number, rand: number, shape: PollShape = {}): number {
  const base = hazardPollDelay(
    expectedMs,
    elapsedMs,
    rand,
    shape.spread ?? DEFAULT_SPREAD,
    aim(expectedMs, shape.contended === true),
  );
  return shape.callbackExpected ? Math.max(BACKSTOP_MIN_MS, 3 * base) : base;
}

const U_MIN = -8;
const U_MAX = 8;
const U_STEP = 0.01;
const CALIBRATION_ROUNDS = 4;

/** The mean notice delay a schedule aims at, and the closest two polls may be. */
interface Aim {
  delayMs: number;
  minPollMs: number;
}

function aim(expectedMs: number, contended: boolean): Aim {
  if (!contended) return { delayMs: TARGET_MEAN_DELAY_MS, minPollMs: MIN_POLL_MS };
  const delayMs = Math.min(TARGET_MEAN_DELAY_MS, Math.max(CONTENDED_MIN_DELAY_MS, CONTENDED_SHARE * expectedMs));
  return { delayMs, minPollMs: CONTENDED_MIN_POLL_MS };
}

function hazardPollDelay(expectedMs: number, elapsedMs: number, rand: number, rawSpread: number, target: Aim): number {
  const spread = Math.min(1.5, Math.max(0.02, rawSpread));
  const expected = Math.max(1_000, expectedMs);
  const next = nextPollAt(
    expected,
    spread,
    rateScale(expected, spread, target),
    Math.max(0, elapsedMs),
    0.9 + 0.2 * rand,
    target.minPollMs,
  );
  return Math.round(next - elapsedMs);
}

/** Past this point (u = 3: 99.9 % of runs have ended) the run is later than the model says. */
const U_LATE = 3;
/** How fast polls thin out for a late run: each wait is this share of the time since it became late. */
const LATE_GROWTH = 0.15;

/**
 * The time (ms since submit) where ∫λ from `from` reaches `target`, λ = c·√hazard, kept between
 * the minimum and maximum poll spacing. In u = ln(t/expected)/σ the run time is a standard
 * normal and dΛ/du = c·√(φ(u)·e^{σu}/Q(u)). A late run breaks the model (the hazard of a
 * log-normal would keep polls dense forever), so from u = 3 on the spacing grows with the lateness.
 */
function nextPollAt(
  expected: number,
  spread: number,
  c: number,
  from: number,
  target: number,
  minPollMs: number,
): number {
  const late = expected * Math.exp(spread * U_LATE);
  if (from >= late) {
    const spacing = lateSpacing(expected, spread, c) + (from - late) * LATE_GROWTH;
    return from + Math.min(MAX_POLL_MS, Math.max(minPollMs, spacing * target));
  }
  let u = from > 0 ? Math.max(U_MIN, Math.log(from / expected) / spread) : U_MIN;
  let acc = 0;
  while (acc < target - 1e-9) {
    const rate = c * Math.sqrt((phi(u) * Math.exp(spread * u)) / upperTail(u));
    const step = Math.min(U_STEP, (target - acc) / rate);
    acc += rate * step;
    u += step;
  }
  const at = expected * Math.exp(spread * u);
  return Math.min(from + MAX_POLL_MS, Math.max(from + minPollMs, at));
}

/** The spacing λ gives where a run becomes late (1/λ there). */
function lateSpacing(expected: number, spread: number, c: number): number {
  const rate = c * Math.sqrt((phi(U_LATE) * Math.exp(spread * U_LATE)) / upperTail(U_LATE));
  return (expected * Math.exp(spread * U_LATE) * spread) / rate;
}

const scales = new Map<string, number>();

/**
 * The rate constant c that gives the aimed mean detection delay. The continuous
 * ideal is c = σ·expected·J(σ)/(2D); discrete polls see less delay than that where the chance of
 * ending rises within one interval, so c is corrected by the exact mean delay of the schedule
 * (a few rounds of delay ∝ 1/c). Cached per spread and expected time.
 */
function rateScale(expected: number, spread: number, target: Aim): number {
  const key = `${Math.round(spread * 1000)}:${Math.round(expected / 100)}:${Math.round(target.delayMs)}:${target.minPollMs}`;
  let c = scales.get(key);
  if (c === undefined) {
    c = (spread * expected * shapeIntegral(spread)) / (2 * target.delayMs);
    for (let round = 0; round < CALIBRATION_ROUNDS; round++)
      c *= scheduleMeanDelay(expected, spread, c, target.minPollMs) / target.delayMs;
    if (scales.size > 1024) scales.clear();
    scales.set(key, c);
  }
  return c;
}

/** Mean of (poll that sees the end − end) over log-normal run times, for the unjittered schedule. */
function scheduleMeanDelay(expected: number, spread: number, c: number, minPollMs: number): number {
  const shifted = expected * Math.exp((spread * spread) / 2);
  let at = 0;
  let u = U_MIN;
  let total = 0;
  // past the last 1e-5 of runs nothing changes the mean any more
  while (upperTail(u) > 1e-5) {
    const next = nextPollAt(expected, spread, c, at, 1, minPollMs);
    const v = Math.log(next / expected) / spread;
    // ∫ φ(u)·(next − t(u)) du over the interval, with ∫ φ(u)·e^{σu} du = e^{σ²/2}·Φ(u − σ)
    total += next * (upperTail(u) - upperTail(v)) - shifted * (upperTail(u - spread) - upperTail(v - spread));
    at = next;
    u = v;
  }
  return total;
}

const integrals = new Map<number, number>();

/** J(σ) = ∫ √(φ(u)·Q(u)·e^{σu}) du, so that I = √(σ·expected)·J(σ); cached per spread (to 0.001). */
function shapeIntegral(spread: number): number {
  const key = Math.round(spread * 1000);
  let value = integrals.get(key);
  if (value === undefined) {
    const s = key / 1000;
    value = 0;
    for (let u = U_MIN + U_STEP / 2; u < U_MAX; u += U_STEP)
      value += Math.sqrt(phi(u) * upperTail(u) * Math.exp(s * u)) * U_STEP;
    if (integrals.size > 512) integrals.clear();
    integrals.set(key, value);
  }
  return value;
}
