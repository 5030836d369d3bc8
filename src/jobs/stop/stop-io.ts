// The stop's I/O, a follow-up step after the end: each attempt at stopping the provider's task
// (Wiro Task/Cancel or Task/Kill) when it is due, and marking a submit whose answer can no longer
// come as lost. What each answer means for the job is stop.ts's.
import { readConfig } from "../../config.ts";
import { providerFor } from "../../providers/index.ts";
import { MODELS } from "../../providers/models.ts";
import { type FollowUpStep, type StepHost, soonIf } from "../hand-overs/hand-overs.ts";
import { jobLog } from "../job-log.ts";
import { CONFIG_RECHECK_MS, EARLY_TOLERANCE_MS } from "../machine/policies.ts";
import { tick } from "../machine/transitions.ts";
import type { JobRecord } from "../record.ts";
import { afterStop, stopUnconfigured, submitLost } from "./stop.ts";

/** The provider's task stopped when due; a submit whose answer can no longer come is marked lost. */
export const stopProviderTask: FollowUpStep = async (host, job) => {
  let next = job;
  // still waiting for the answer of a submit whose alarm is gone (or a lookup no longer made): that answer is lost
  if (next.stop?.awaitingSubmit || (next.stop?.resolve && !next.task))
    next = host.patch(next, pickStop(submitLost(next)));
  if (next.providerStop && next.providerStop.nextAt <= Date.now() + EARLY_TOLERANCE_MS)
    next = await stopTask(host, next);
  const awaiting = soonIf(next.stop?.awaitingSubmit === true);
  return { job: next, nextWakeAt: Math.min(awaiting, next.providerStop?.nextAt ?? Number.POSITIVE_INFINITY) };
};

/**
 * One attempt at stopping the provider's task after the job ended. A submit whose answer was
 * lost is never sent again to find its run: after an end, nothing may start a provider task.
 */
async function stopTask(host: StepHost, job: JobRecord): Promise<JobRecord> {
  const configResult = readConfig(host.env);
  const lookup = configResult.ok ? providerFor(MODELS[job.model], configResult.config, fetch) : undefined;
  // without valid settings the provider cannot be asked now; the stop stays due for later
  if (!lookup)
    return host.patch(job, { providerStop: { ...job.providerStop!, nextAt: Date.now() + CONFIG_RECHECK_MS } });
  if (!lookup.ok) return host.patch(job, pickStop(stopUnconfigured(job, lookup.missing, tick())));
  const { provider } = lookup;
  if (!job.task) return host.patch(job, pickStop(submitLost({ ...job, providerStop: undefined })));
  const next = afterStop(job, await provider.cancel(job.task), tick());
  if (!next.providerStop)
    jobLog(job)[next.stop?.confirmed ? "info" : "warn"]("provider task stop ended", {
      confirmed: next.stop?.confirmed ?? false,
    });
  return host.patch(job, pickStop(next));
}

/** The fields a stop attempt may change, for `patch`. */
function pickStop(job: JobRecord): Partial<JobRecord> {
  return {
    stop: job.stop,
    providerStop: job.providerStop,
    error: job.error,
    task: job.task,
    providerStatus: job.providerStatus,
  };
}
