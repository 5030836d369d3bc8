// One step of a due job, as I/O only: the copy of an output, a poll, or a submit (with its
// provider slot). What each answer means for the job is the machine's (machine.ts, stop.ts);
// here the request is made and its outcome handed over.
import { withPolledCost } from "../costs/actual.ts";
import { type Config, readConfig } from "../config.ts";
import { errorMessage } from "../lib/error-message.ts";
import { jobLog } from "./job-log.ts";
import { log } from "../lib/log.ts";
import { providerFor } from "../providers/index.ts";
import type { ModelId } from "../providers/models.ts";
import { MODELS } from "../providers/models.ts";
import type { Provider } from "../providers/types.ts";
import { callbackFor } from "./callbacks.ts";
import { copyOutput } from "./copy-output.ts";
import { gateApi } from "./gate/gate-client.ts";
import { afterCopy, afterCrash, afterSubmit, markSubmitting, slotGranted, type Step, type Tick, waitForSlot, withEstimate } from "./machine.ts";
import type { Setup } from "./plan.ts";
import type { JobRecord } from "./record.ts";
import { estimateRun } from "./run-times.ts";
import { afterPollOrStop } from "./stop.ts";

/** A poll renews the slot's lease (10 min) at most this often: a gate call per poll would load the one gate every slot shares. */
const POLL_RENEW_MS = 60_000;

/** What a step needs from the job object. */
export interface ActHost {
  env: Env;
  /** Stores the job (the submit is marked before it is sent). */
  save(job: JobRecord): void;
  /** The stored job, if a cancel ended it after `seen` was read. */
  canceledSince(seen: JobRecord): JobRecord | undefined;
  renewSlot(job: JobRecord): Promise<void>;
}

/** The worker's settings and the model's provider client as far as they exist, and what the planner needs to know of them. */
export function readSetup(env: Env, jobId: string, model: ModelId): { config?: Config; provider?: Provider; setup: Setup } {
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

const tick = (): Tick => ({ now: Date.now(), rand: Math.random() });

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
    if (step.kind === "copy") {
      const output = job.outputs.find((o) => o.index === step.index)!;
      return afterCopy(job, step.index, await copyOutput(host.env, job, output, config, signal), tick());
    }
    if (!provider) throw new Error(`no provider client for a ${step.kind}`);
    if (step.kind === "poll") {
      const renew = job.slotHeld === true && Date.now() - (job.slotRenewedAt ?? 0) >= POLL_RENEW_MS;
      if (renew) await host.renewSlot(job);
      const renewed = renew ? { ...job, slotRenewedAt: Date.now() } : job;
      // past its deadline, or unreadable for good, the task may still be running (and billing): the follow-ups stop it
      const polled = await provider.poll(job.task!, { signal });
      // Wiro's totalcost comes with the status of a finished task
      return withPolledCost(afterPollOrStop(renewed, polled, tick()), polled);
    }
    return await submit(host, job, config, provider, signal);
  } catch (err) {
    const message = errorMessage(err);
    jobLog(job).error("unexpected error in job alarm", { step: step.kind, error: message });
    return afterCrash(job, message, tick());
  }
}

async function submit(host: ActHost, job: JobRecord, config: Config, provider: Provider, signal: AbortSignal): Promise<JobRecord> {
  const gate = gateApi(host.env, provider.name);
  // asked even when a slot is held: it renews that lease, or, if a long wait let it lapse,
  // puts the job back in line instead of submitting past the cap
  const grant = await gate.acquire(job.id, { maxConcurrency: config.maxConcurrency[provider.name] });
  // the cap goes on the record for the job's ETA (a place in line over that many slots)
  if (!grant.granted) return waitForSlot({ ...job, slotHeld: false, queueSlots: config.maxConcurrency[provider.name] }, grant.position, grant.retryAt, tick());
  // the estimate as learned by now, not at creation: a batch's jobs were all created before any of its runs ended
  const [estimate, callback] = await Promise.all([
    job.slotHeld ? undefined : estimateRun(host.env, job.model),
    provider.name === "wiro" ? callbackFor(config, job.id) : undefined,
  ]);
  const estimated = estimate ? withEstimate(job, MODELS[job.model].expectedRunMs(job.params), estimate) : job;
  let marked = markSubmitting(slotGranted(estimated, tick(), grant), tick());
  if (callback) marked = { ...marked, callbackTokenHash: callback.tokenHash };
  // canceled while the slot was being granted: nothing is sent; the slot goes back
  if (host.canceledSince(job)) return { ...job, slotHeld: true };
  host.save(marked);
  // A WeShop submit is aborted by a cancel: WeShop has no cancel endpoint, so its answer could
  // stop nothing (the job then says a run may exist; nothing is sent again). A Wiro Run is not:
  // aborted, the task it may create could never be named, so never stopped; its answer
  // (within the provider timeout) names the task to stop.
  const outcome = await provider.submit({
    jobId: job.id,
    params: job.params,
    callbackUrl: callback?.url,
    signal: provider.idempotentSubmit ? signal : undefined,
  });
  const pushedBack = !outcome.ok && outcome.error.pushback === true;
  // the provider's own pace tells the gate to slow down, or that it may speed up again
  if (outcome.ok || pushedBack) await gate.report(pushedBack ? "rate_limited" : "ok").catch(() => undefined);
  // a pushed-back job keeps its slot for its retry: the lowered pace holds back new grants only
  return afterSubmit(marked, outcome, provider.idempotentSubmit, tick());
}
