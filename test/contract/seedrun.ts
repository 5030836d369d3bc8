// seedrun's own provider requests, built the way a job builds them: the JobSpec validated by
// src/schemas/job-spec.ts, then the provider client from src/providers for that model, pointed at
// the live simulator. What the simulator received is the request to compare.

import type { CapturedRequest } from "../../simulator/index.ts";
import { readConfig } from "../../src/config.ts";
import type { FetchFn } from "../../src/providers/http.ts";
import { providerFor } from "../../src/providers/index.ts";
import { modelSpec } from "../../src/providers/models.ts";
import { validateJobSpec } from "../../src/schemas/job-spec.ts";
import { type LiveSim, WESHOP_KEY, WIRO_KEY, WIRO_SECRET } from "./cli.ts";

export interface SeedrunSubmit {
  /** field errors when seedrun refused the job itself (nothing was sent) */
  errors: string[];
  /** the provider request the simulator received, when one was sent */
  request?: CapturedRequest;
  ok: boolean;
}

export function seedrunEnv(
  live: Pick<LiveSim, "weshopBase" | "wiroBase">,
  extra: Record<string, string | undefined> = {},
): Env {
  return {
    API_KEYS: "contract-api-key",
    SIGNING_SECRET: "contract-signing-secret-0123456789",
    WESHOP_API_KEY: WESHOP_KEY,
    WESHOP_BASE_URL: live.weshopBase,
    WIRO_API_KEY: WIRO_KEY,
    WIRO_API_SECRET: WIRO_SECRET,
    WIRO_BASE_URL: live.wiroBase,
    ...extra,
  } as unknown as Env;
}

/** The job's validated params and the provider client a job of that model uses. */
export function seedrunJob(
  model: string,
  params: Record<string, unknown>,
  env: Env,
  fetchFn: FetchFn = (input, init) => fetch(input, init),
) {
  const { spec, errors } = validateJobSpec({ model, params }, { allowLoopbackHttp: true, webhooksEnabled: false });
  if (!spec) return { errors: errors.map((e) => `${e.path}: ${e.message}`) };
  const config = readConfig(env);
  if (!config.ok) throw new Error(`test config refused: ${JSON.stringify(config.problems)}`);
  const found = providerFor(modelSpec(spec.model)!, config.config, fetchFn);
  if (!found.ok) return { errors: [`provider not configured: ${found.missing.join(", ")}`] };
  return { errors: [], params: spec.params, provider: found.provider };
}

/** Submits one job's provider task as the job object would; returns what reached the simulator. */
export async function seedrunSubmit(
  live: LiveSim,
  model: string,
  params: Record<string, unknown>,
  env = seedrunEnv(live),
): Promise<SeedrunSubmit> {
  const job = seedrunJob(model, params, env);
  if (!job.provider) return { errors: job.errors, ok: false };
  const before = live.sim.requests.length;
  const outcome = await job.provider.submit({ jobId: crypto.randomUUID(), params: job.params });
  const request = live.sim.requests.slice(before).find((r) => r.target === "weshop.submit" || r.target === "wiro.run");
  return { errors: outcome.ok ? [] : [`${outcome.error.code}: ${outcome.error.message}`], request, ok: outcome.ok };
}
