// Learns how long each model's runs really take, as a factor over the model's prior guess and
// the spread around it, so the poll schedule follows the provider's current speed.
import { DurableObject } from "cloudflare:workers";
import { DEFAULT_SPREAD } from "../poll/poll-schedule.ts";
import type { ModelStatsApi, RunEstimate } from "./stats-client.ts";

const ALPHA = 0.2;
const MIN_SAMPLES = 3;
const MIN_SPREAD = 0.08;
const MAX_SPREAD = 0.8;

interface Entry {
  /** Exponentially weighted mean and variance of log(observed / prior). */
  logMean: number;
  logVar: number;
  samples: number;
}

export class ModelStats extends DurableObject<Env> implements ModelStatsApi {
  /** Prior as is (factor 1, default spread) until a few runs were seen. */
  async estimate(model: string): Promise<RunEstimate> {
    const entry = this.ctx.storage.kv.get<Entry>(model);
    if (!entry || entry.samples < MIN_SAMPLES) return { factor: 1, spread: DEFAULT_SPREAD };
    return {
      factor: Math.exp(entry.logMean),
      spread: Math.min(MAX_SPREAD, Math.max(MIN_SPREAD, Math.sqrt(entry.logVar))),
    };
  }

  async observe(model: string, observedMs: number, priorMs: number): Promise<void> {
    if (!(observedMs > 0 && priorMs > 0)) return;
    // clamp so one stuck or cached run cannot pull the mean too far (each run weighs ALPHA). The
    // floor is low on purpose: at 1/20 an 85 s prior could not learn runs under 4.25 s, and jobs
    // then polled at that floor forever (seen with 2 s runs), a fixed point the mean cannot leave
    const x = Math.log(Math.min(20, Math.max(0.01, observedMs / priorMs)));
    const entry = this.ctx.storage.kv.get<Entry>(model);
    let next: Entry;
    if (!entry) next = { logMean: x, logVar: DEFAULT_SPREAD ** 2, samples: 1 };
    else {
      // plain averages while there are few samples, then exponential weighting to follow drift
      const weight = entry.samples < MIN_SAMPLES ? 1 / (entry.samples + 1) : ALPHA;
      const delta = x - entry.logMean;
      const logMean = entry.logMean + weight * delta;
      const logVar = (1 - weight) * (entry.logVar + weight * delta * delta);
      next = { logMean, logVar, samples: entry.samples + 1 };
    }
    this.ctx.storage.kv.put(model, next);
  }
}
