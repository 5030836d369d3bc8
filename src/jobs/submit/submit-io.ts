// The submit step's I/O: a provider slot from the gate, the learned run time, the Wiro callback
// URL, then the submit request itself, stored as sent before it leaves. What each answer means
// is decided in submit.ts.
import type { Config } from "../../config.ts";
import { MODELS } from "../../providers/models.ts";
import type { Provider } from "../../providers/types.ts";
import { gateApi } from "../gate/gate-client.ts";
import { tick } from "../machine/transitions.ts";
import { callbackFor } from "../poll/callbacks.ts";
import { estimateRun } from "../poll/run-times.ts";
import type { JobRecord } from "../record.ts";
import { afterSubmit, markSubmitting, slotGranted, waitForSlot, withEstimate } from "./submit.ts";

/** What the submit needs from the job object. */
export interface SubmitHost {
  env: Env;
  /** Stores the job (the submit is marked before it is sent). */
  save(job: JobRecord): void;
  /** The stored job, if a cancel ended it after `seen` was read. */
  canceledSince(seen: JobRecord): JobRecord | undefined;
}

export async function submitStep(
  host: SubmitHost,
  job: JobRecord,
  config: Config,
  provider: Provider,
  signal: AbortSignal,
): Promise<JobRecord> {
  const gate = gateApi(host.env, provider.name);
  // asked even when a slot is held: it renews that lease, or, if a long wait let it lapse,
  // puts the job back in line instead of submitting past the cap
  const grant = await gate.acquire(job.id, { maxConcurrency: config.maxConcurrency[provider.name] });
  // the cap goes on the record for the job's ETA (a place in line over that many slots)
  if (!grant.granted)
    return waitForSlot(
      { ...job, slotHeld: false, queueSlots: config.maxConcurrency[provider.name] },
      grant.position,
      grant.retryAt,
      tick(),
    );
  const callback = provider.name === "wiro" ? await callbackFor(config, job.id) : undefined;
  let marked = markSubmitting(slotGranted(job, tick(), grant), tick());
  if (callback) marked = { ...marked, callbackTokenHash: callback.tokenHash };
  // canceled while the slot was being granted: nothing is sent; the slot goes back
  if (host.canceledSince(job)) return { ...job, slotHeld: true };
  host.save(marked);
  // A WeShop submit is aborted by a cancel: WeShop has no cancel endpoint, so its answer could
  // stop nothing (the job then says a run may exist; nothing is sent again). A Wiro Run is not:
  // aborted, the task it may create could never be named, so never stopped; its answer
  // (within the provider timeout) names the task to stop.
  // The run time as learned by now, not at creation (a batch's jobs were all created before any
  // of its runs ended), read while the submit is in flight: it shapes only the polls after it, and
  // a statistics read before the submit would sit between a freed slot and the next run.
  // estimateRun never throws (the prior stands in), so the submit's answer is never lost to it.
  const [outcome, estimate] = await Promise.all([
    provider.submit({
      jobId: job.id,
      params: job.params,
      callbackUrl: callback?.url,
      signal: provider.idempotentSubmit ? signal : undefined,
    }),
    job.slotHeld ? undefined : estimateRun(host.env, job.model),
  ]);
  if (estimate) marked = withEstimate(marked, MODELS[job.model].expectedRunMs(job.params), estimate);
  const pushedBack = !outcome.ok && outcome.error.pushback === true;
  // the provider's own pace tells the gate to slow down, or that it may speed up again (a success
  // only counts while the gate recovers from pushback: at full pace it would be a call for nothing)
  if (pushedBack || (outcome.ok && grant.recovering))
    await gate.report(pushedBack ? "rate_limited" : "ok").catch(() => undefined);
  // a pushed-back job keeps its slot for its retry: the lowered pace holds back new grants only
  return afterSubmit(marked, outcome, provider.idempotentSubmit, tick());
}
