// Learns how long each model's runs really take, as a factor over the model's prior guess and
// the spread around it, so the poll schedule follows the provider's current speed.
import { DurableObject } from "cloudflare:workers";
import { upperTail } from "../../lib/normal.ts";
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
/**
 * The least share of a full sample's weight a run the first poll found done keeps (see `learnEnded`):
 * enough that runs which became faster are still learned when every poll comes after their end.
 */
const MIN_ENDED_SHARE = 0.25;

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
    else if (run.fromMs <= 0 && entry.samples >= MIN_SAMPLES) next = learnEnded(entry, x, logOf(run.toMs, priorMs));
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

/**
 * A run the first poll already found done, once the model has samples: it moves the mean toward half the
 * poll time by as much as the model finds that poll surprising — the share of runs it expects to be still
 * going then (at least MIN_ENDED_SHARE) — and leaves the spread alone. A poll the model placed after most
 * runs end says little: a near-fixed run polled once just after its end is what a tight schedule aims at,
 * and counting it in full (as half the poll time) widened the spread and drew the next polls early (a
 * 1,000-job batch of 2 s runs spent 2.3–2.7 polls per WeShop task, against 1.7–2.0 with this rule). A poll before
 * the expected end that finds the run done is a surprise, and counts nearly in full, which is how a model
 * learned from a too-long prior comes down.
 */
function learnEnded(entry: Entry, halfPoll: number, poll: number): Entry {
  const surprise = upperTail((poll - entry.logMean) / spreadOf(entry));
  const weight = ALPHA * Math.max(MIN_ENDED_SHARE, surprise);
  return { ...entry, logMean: entry.logMean + weight * (halfPoll - entry.logMean), samples: entry.samples + 1 };
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
 * the poll time (in full among the first samples, then as `learnEnded` weighs it). A gentler guess
 * for every such run (poll ÷ √2 at half weight) left a model learned from a too-long prior high for
 * many runs on the local stack (a batch's first waves polled 2 s runs at 5–7 s), so it was not kept.
 */
function pointOf(run: { fromMs: number; toMs: number }, priorMs: number): Point {
  if (run.fromMs <= 0) return { x: logOf(run.toMs / 2, priorMs), censor: 0 };
  const mid = (run.fromMs + run.toMs) / 2;
  const width = Math.min(2, (run.toMs - run.fromMs) / mid);
  return { x: logOf(mid, priorMs), censor: (width * width) / 12 };
}

/**
 * log(ms / prior), clamped so one stuck or cached run cannot pull the mean too far (each run weighs ALPHA).
 * The floor is low on purpose: at 1/20 an 85 s prior could not learn runs under 4.25 s, and jobs then
 * polled at that floor forever (seen with 2 s runs), a fixed point the mean cannot leave.
 */
function logOf(ms: number, priorMs: number): number {
  return Math.log(Math.min(20, Math.max(0.01, ms / priorMs)));
}

interface Point {
  x: number;
  censor: number;
}
