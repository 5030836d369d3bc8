// Learns how long each model's runs really take, as a factor over the model's prior guess,
// so the poll schedule follows the provider's current speed instead of a fixed interval.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";

const ALPHA = 0.2;
const MIN_SAMPLES = 3;

interface Entry {
  /** Exponentially weighted mean of log(observed / prior). */
  logMean: number;
  samples: number;
}

export class ModelStats extends DurableObject<Env> {
  /** Multiplier for the prior run time; 1 until a few runs were seen. */
  async factor(model: string): Promise<number> {
    const entry = await this.ctx.storage.get<Entry>(model);
    return entry && entry.samples >= MIN_SAMPLES ? Math.exp(entry.logMean) : 1;
  }

  async observe(model: string, observedMs: number, priorMs: number): Promise<void> {
    if (!(observedMs > 0 && priorMs > 0)) return;
    // clamp so one stuck or cached run cannot swing the schedule by more than 20x
    const sample = Math.log(Math.min(20, Math.max(0.05, observedMs / priorMs)));
    const entry = await this.ctx.storage.get<Entry>(model);
    const next: Entry = entry
      ? { logMean: entry.samples < MIN_SAMPLES ? (entry.logMean * entry.samples + sample) / (entry.samples + 1) : entry.logMean * (1 - ALPHA) + sample * ALPHA, samples: entry.samples + 1 }
      : { logMean: sample, samples: 1 };
    await this.ctx.storage.put(model, next);
  }
}

export function modelStats(env: Env) {
  return env.STATS.get(env.STATS.idFromName("global"));
}
