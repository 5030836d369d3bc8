// One step of a due job, as I/O only: the worker's setup read, then the planned step handed to
// its phase (copy/copy-io.ts, poll/poll-io.ts, submit/submit-io.ts), each of which makes its
// request and hands the outcome to its pure decision. An exception we did not expect is caught here.
import { type Config, readConfig } from "../../config.ts";
import { errorMessage } from "../../lib/error-message.ts";
import { log } from "../../lib/log.ts";
import { providerFor } from "../../providers/index.ts";
import { MODELS, type ModelId } from "../../providers/models.ts";
import type { Provider } from "../../providers/types.ts";
import { copyStep } from "../copy/copy-io.ts";
import { jobLog } from "../job-log.ts";
import { type PollHost, pollStep } from "../poll/poll-io.ts";
import type { JobRecord } from "../record.ts";
import { type SubmitHost, submitStep } from "../submit/submit-io.ts";
import type { Setup, Step } from "./plan.ts";
import { afterCrash } from "./retry.ts";
import { tick } from "./transitions.ts";

/** What a step needs from the job object. */
export interface ActHost extends SubmitHost, PollHost {}

/** The worker's settings and the model's provider client as far as they exist, and what the planner needs to know of them. */
export function readSetup(
  env: Env,
  jobId: string,
  model: ModelId,
): { config?: Config; provider?: Provider; setup: Setup } {
  const configResult = readConfig(env);
  if (!configResult.ok) {
    const configProblems = configResult.problems.map((p) => p.name);
    log("error", "configuration invalid; job waits", { jobId, problems: configProblems });
    return { setup: { configProblems, idempotentSubmit: false } };
  }
  const { config } = configResult;
  const lookup = providerFor(MODELS[model], config, fetch);
  if (!lookup.ok) return { config, setup: { missingKeys: lookup.missing, idempotentSubmit: false } };
  return { config, provider: lookup.provider, setup: { idempotentSubmit: lookup.provider.idempotentSubmit } };
}

/**
 * Takes `step` and returns the job it leads to; `signal` aborts its provider request or copy when
 * the job is canceled. An unexpected exception (a bug or a platform fault) is retried like a
 * provider error, never lost.
 */
export async function act(
  host: ActHost,
  job: JobRecord,
  step: Exclude<Step, { kind: "idle" }>,
  config: Config,
  provider: Provider | undefined,
  signal: AbortSignal,
): Promise<JobRecord> {
  try {
    if (step.kind === "copy") return await copyStep(host.env, job, step.index, config, signal);
    if (!provider) throw new Error(`no provider client for a ${step.kind}`);
    if (step.kind === "poll") return await pollStep(host, job, provider, signal);
    return await submitStep(host, job, config, provider, signal);
  } catch (err) {
    const message = errorMessage(err);
    jobLog(job).error("unexpected error in job alarm", { step: step.kind, error: message });
    return afterCrash(job, message, tick());
  }
}
