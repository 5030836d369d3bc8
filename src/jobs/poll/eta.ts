// When a job is expected to end (`estimatedCompletionAt`), from what the job already knows: its
// model's learned run time (the median `expectedRunMs`, a log-normal with spread `runSpread`),
// when the provider started it, and its place in the provider's line. No extra calls: the job's
// public view computes it on every read.
import { DEFAULT_SPREAD } from "./poll-schedule.ts";

/** The fields of the stored job the estimate reads (public-job.ts calls this with the record). */
export interface EtaInput {
  status: "queued" | "running" | "copying";
  startedAt?: number;
  expectedRunMs: number;
  runSpread?: number;
  queuePosition?: number;
  /** The provider's concurrency cap when the job was put in line. */
  queueSlots?: number;
}

/** Time from a slot being granted to the provider's task existing (one submit request). */
const SUBMIT_MS = 1_000;
/** Copying the outputs to R2 once the provider is done (seconds for images and short videos). */
const COPY_MS = 2_000;

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; error under 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Inverse of the standard normal CDF (Acklam's rational approximation; relative error under 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.928510446969, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < low) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - low) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/**
 * Median of the run's total time given it has already lasted `elapsedMs`: before the median that
 * is the median itself; past it, the run is one of the slow ones, and the estimate moves out to
 * the point that half of the runs this slow reach (S(x) = S(elapsed) / 2), instead of sitting in
 * the past.
 */
export function remainingRunMs(expectedMs: number, spread: number, elapsedMs: number): number {
  if (elapsedMs <= expectedMs) return expectedMs - elapsedMs;
  const survival = 1 - normalCdf(Math.log(elapsedMs / expectedMs) / spread);
  // so far out that the tail says nothing useful: the run ends "soon", a few seconds at a time
  if (survival < 1e-9) return COPY_MS;
  const total = expectedMs * Math.exp(spread * normalQuantile(1 - survival / 2));
  return Math.max(0, total - elapsedMs);
}

/**
 * With every slot busy, slots come free at about `slots` per run time (the running tasks end at
 * staggered times), so the n-th job in line gets one after about n / slots run times. The job's
 * own model stands in for the run times of the tasks ahead of it, which it cannot see.
 */
function queueWaitMs(position: number, slots: number, runMs: number): number {
  return (position * runMs) / Math.max(1, slots);
}

/** ms epoch at which an unfinished job is expected to end. */
export function estimateCompletion(job: EtaInput, now: number): number {
  const spread = job.runSpread ?? DEFAULT_SPREAD;
  if (job.status === "copying") return now + COPY_MS;
  if (job.status === "running" && job.startedAt !== undefined)
    return now + remainingRunMs(job.expectedRunMs, spread, now - job.startedAt) + COPY_MS;
  // queued: a slot first (when in line), then the submit, the whole run and the copy
  const wait = job.queuePosition ? queueWaitMs(job.queuePosition, job.queueSlots ?? 1, job.expectedRunMs) : 0;
  return now + wait + SUBMIT_MS + job.expectedRunMs + COPY_MS;
}
