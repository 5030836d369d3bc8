// Learns how long each model's runs really take, as a factor over the model's prior guess and
// the spread around it, so the poll schedule follows the provider's current speed.
import { DurableObject } from "cloudflare:workers";
import { DEFAULT_SPREAD } from "../poll/poll-schedule.ts";
import type { ModelStatsApi, RunEstimate } from "./stats-client.ts";

const ALPHA = 0.2;
const MIN_SAMPLES = 3;
/**
 * The narrowest spread the schedule is given. Low on purpose: a provider whose runs hardly vary
 * (a fixed-length render) is then polled once just after the end instead of across a window.
 */
const MIN_SPREAD = 0.05;
const MAX_SPREAD = 0.8;

interface Entry {
  /** Exponentially weighted mean and variance of log(observed / prior). */
  logMean: number;
  logVar: number;
  samples: number;
  /**
   * Exponentially weighted mean of the variance the poll windows alone add to log(observed):
   * a run seen ending between two polls w apart is known to ±w/2 (variance w²/12, uniform).
   * The runs' own spread is what is left of logVar after it. Absent in entries stored before.
   */
  censorVar?: number;
}

export class ModelStats extends DurableObject<Env> implements ModelStatsApi {
  /** Prior as is (factor 1, default spread) until a few runs were seen. */
  async estimate(model: string): Promise<RunEstimate> {
    const entry = this.ctx.storage.kv.get<Entry>(model);
    if (!entry || entry.samples < MIN_SAMPLES) return { factor: 1, spread: DEFAULT_SPREAD };
    return { factor: Math.exp(entry.logMean), spread: spreadOf(entry) };
  }

  async observe(model: string, run: { fromMs: number; toMs: number }, priorMs: number): Promise<void> {
    if (!(run.toMs > 0 && priorMs > 0)) return;
    const entry = this.ctx.storage.kv.get<Entry>(model);
    const { x, censor } = pointOf(run, priorMs);
    let next: Entry;
    if (!entry) next = { logMean: x, logVar: DEFAULT_SPREAD ** 2, samples: 1, censorVar: 0 };
    else {
      // plain averages while there are few samples, then exponential weighting to follow drift
      const weight = entry.samples < MIN_SAMPLES ? 1 / (entry.samples + 1) : ALPHA;
      const delta = x - entry.logMean;
      const logMean = entry.logMean + weight * delta;
      const logVar = (1 - weight) * (entry.logVar + weight * delta * delta);
      // the first samples' window variance is not counted: logVar starts from the default spread, not from them
      const censorVar = entry.samples < MIN_SAMPLES ? 0 : (1 - ALPHA) * (entry.censorVar ?? 0) + ALPHA * censor;
      next = { logMean, logVar, samples: entry.samples + 1, censorVar };
    }
    this.ctx.storage.kv.put(model, next);
  }
}

/** σ of log run time: what is left of the observed variance once the poll windows' share is taken out. */
function spreadOf(entry: Entry): number {
  const own = Math.sqrt(Math.max(0, entry.logVar - (entry.censorVar ?? 0)));
  return Math.min(MAX_SPREAD, Math.max(MIN_SPREAD, own));
}

/**
 * One run as a point in log(run / prior), with the variance its window alone adds. A run seen
 * between two polls: the middle of the window, known to ± w/2 (variance w²/12,
 * which the spread leaves out). A run the first poll found done ended somewhere before it: half
 * the poll time, in full, so such runs keep the spread wide and the next polls come earlier — which
 * is also how runs that became faster are learned. A gentler guess for polls after the learned
 * time (poll ÷ √2 at half weight) took a third fewer polls in a simulation, but on the local stack
 * a model learned from a too-long prior then stayed high for many runs (a batch's first waves
 * polled 2 s runs at 5–7 s), so it was not kept.
 */
function pointOf(run: { fromMs: number; toMs: number }, priorMs: number): Point {
  // clamped so one stuck or cached run cannot pull the mean too far (each run weighs ALPHA). The
  // floor is low on purpose: at 1/20 an 85 s prior could not learn runs under 4.25 s, and jobs
  // then polled at that floor forever (seen with 2 s runs), a fixed point the mean cannot leave
  const log = (ms: number) => Math.log(Math.min(20, Math.max(0.01, ms / priorMs)));
  if (run.fromMs <= 0) return { x: log(run.toMs / 2), censor: 0 };
  const mid = (run.fromMs + run.toMs) / 2;
  const width = Math.min(2, (run.toMs - run.fromMs) / mid);
  return { x: log(mid), censor: (width * width) / 12 };
}

interface Point {
  x: number;
  censor: number;
}
