// How jobs reach the run-time statistics object: its calls and the stub builder (one object for
// all models), apart from the class so the job does not import the object.

export interface RunEstimate {
  /** Multiplier for the model's prior run time. */
  factor: number;
  /** σ of log run time. */
  spread: number;
}

export interface ModelStatsApi {
  estimate(model: string): Promise<RunEstimate>;
  /** A run that ended after `fromMs` and by `toMs` (ms after its start; `fromMs` 0 when no poll saw it running). */
  observe(model: string, run: { fromMs: number; toMs: number }, priorMs: number): Promise<void>;
}

export function modelStats(env: Env): ModelStatsApi {
  return env.STATS.get(env.STATS.idFromName("global")) as unknown as ModelStatsApi;
}
