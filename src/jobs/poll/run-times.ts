// How long a model's runs take: a new job starts from the learned estimate, and a finished run
// teaches the statistics. They only tune polling, so both are best effort.
import { errorMessage } from "../../lib/error-message.ts";
import { log } from "../../lib/log.ts";
import { MODELS, type ModelId } from "../../providers/models.ts";
import { jobLog } from "../job-log.ts";
import type { JobRecord } from "../record.ts";
import { modelStats } from "../stats/stats-client.ts";
import type { ObservedRun } from "./poll.ts";
import { DEFAULT_SPREAD } from "./poll-schedule.ts";

export interface RunEstimate {
  /** Multiplies the model's own prior run time. */
  factor: number;
  spread: number;
}

/** The model's prior, unchanged: used when no estimate is needed or the statistics are unreachable. */
export const PRIOR: RunEstimate = { factor: 1, spread: DEFAULT_SPREAD };

/** How long a read estimate serves new jobs in this isolate: their ETA only, the submit reads it afresh. */
const CACHE_MS = 60_000;
const cache = new Map<ModelId, { estimate: RunEstimate; at: number }>();

/** The learned run time for the model; without it (statistics unreachable) the model's own prior. */
export async function estimateRun(env: Env, model: ModelId): Promise<RunEstimate> {
  try {
    const estimate = await modelStats(env).estimate(model);
    cache.set(model, { estimate, at: Date.now() });
    return estimate;
  } catch (err) {
    log("warn", "model statistics unavailable; using the prior", { model, error: errorMessage(err) });
    return PRIOR;
  }
}

/** As estimateRun, but a read from the last minute in this isolate is reused: a new job needs it only for its ETA. */
export async function recentEstimate(env: Env, model: ModelId): Promise<RunEstimate> {
  const hit = cache.get(model);
  return hit && Date.now() - hit.at < CACHE_MS ? hit.estimate : estimateRun(env, model);
}

/** Feeds when a finished run ended to the model's statistics; a failure is logged and dropped. */
export async function learnRun(env: Env, job: JobRecord, observed: ObservedRun): Promise<void> {
  try {
    await modelStats(env).observe(job.model, observed, MODELS[job.model].expectedRunMs(job.params));
  } catch (err) {
    jobLog(job).warn("model statistics update failed", { error: errorMessage(err) });
  }
}
