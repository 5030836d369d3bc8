// How long a model's runs take: a new job starts from the learned estimate, and a finished run
// teaches the statistics. They only tune polling, so both are best effort.
import { errorMessage } from "../lib/error-message.ts";
import { log } from "../lib/log.ts";
import { MODELS, type ModelId } from "../providers/models.ts";
import { DEFAULT_SPREAD } from "./polling.ts";
import type { JobRecord } from "./record.ts";
import { modelStats } from "./stats/stats-client.ts";

export interface RunEstimate {
  /** Multiplies the model's own prior run time. */
  factor: number;
  spread: number;
}

/** The model's prior, unchanged: used when no estimate is needed or the statistics are unreachable. */
export const PRIOR: RunEstimate = { factor: 1, spread: DEFAULT_SPREAD };

/** The learned run time for the model; without it (statistics unreachable) the model's own prior. */
export async function estimateRun(env: Env, model: ModelId): Promise<RunEstimate> {
  try {
    return await modelStats(env).estimate(model);
  } catch (err) {
    log("warn", "model statistics unavailable; using the prior", { model, error: errorMessage(err) });
    return PRIOR;
  }
}

/** Feeds a finished run's duration to the model's statistics; a failure is logged and dropped. */
export async function learnRun(env: Env, job: JobRecord, observedMs: number): Promise<void> {
  try {
    await modelStats(env).observe(job.model, observedMs, MODELS[job.model].expectedRunMs(job.params));
  } catch (err) {
    log("warn", "model statistics update failed", { jobId: job.id, error: errorMessage(err) });
  }
}
