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
    const { x, censor, weight: counts } = pointOf(run, priorMs, entry?.logMean);
    let next: Entry;
    if (!entry) next = { logMean: x, logVar: DEFAULT_SPREAD ** 2, samples: 1, censorVar: 0 };
    else {
      // plain averages while there are few samples, then exponential weighting to follow drift
      const weight = entry.samples < MIN_SAMPLES ? 1 / (entry.samples + 1) : ALPHA * counts;
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
 * One run as a point in log(run / prior), with the variance its window alone adds and how much it
 * counts. A run seen between two polls: the middle of the window, known to ± w/2 (variance w²/12,
 * which the spread leaves out). A run the first poll found done ended somewhere before it. If that
 * poll came before the learned run time, the run is faster than thought: half the poll time, in
 * full, learns that fast. If it came after, as the schedule intends: the poll time ÷ √2 (never
 * above the learned time), counting half. Half the poll time in full there made every such run
 * look twice as fast and the spread several times too wide (2 s runs polled at their end learned
 * σ ≈ 0.3), so polls spread out and came early. In a closed-loop simulation of the schedule: the same notice delay as before with a
 * third fewer polls for contended 2 s runs, and the same learning from a cold start and after runs halve.
 */
function pointOf(run: { fromMs: number; toMs: number }, priorMs: number, logMean: number | undefined): Point {
  const log = (ms: number) => Math.log(Math.min(20, Math.max(0.01, ms / priorMs)));
  if (run.fromMs <= 0) {
    if (logMean === undefined || log(run.toMs) < logMean) return { x: log(run.toMs / 2), censor: 0, weight: 1 };
    // never above the learned time: such a run only says it ended before the poll, and a poll set
    // well after the end (an unhurried job's) would otherwise hold the estimate at 2.4 × that delay
    return { x: Math.min(log(run.toMs / Math.SQRT2), logMean), censor: 0, weight: 0.5 };
  }
  const mid = (run.fromMs + run.toMs) / 2;
  const width = Math.min(2, (run.toMs - run.fromMs) / mid);
  return { x: log(mid), censor: (width * width) / 12, weight: 1 };
}

interface Point {
  x: number;
  censor: number;
  /** How much the point counts against one seen exactly or between polls. */
  weight: number;
}
