// A job's actual cost, as its provider reported it: WeShop's `powerConsumption` comes with the
// submit answer (kept on the task), Wiro's `totalcost` with the Task/Detail of a finished task
// (0 for a failed one). A job that never reached a provider cost nothing.
import type { JobRecord } from "../jobs/record.ts";
import type { Outcome, TaskStatus } from "../providers/types.ts";
import { unitOf } from "./units.ts";

const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

/** Takes a cost reported by a status answer (Wiro totalcost) onto the job. */
export function withPolledCost(job: JobRecord, outcome: Outcome<TaskStatus>): JobRecord {
  if (!outcome.ok || outcome.value.state === "running" || outcome.value.cost === undefined) return job;
  return {
    ...job,
    cost: { estimate: job.cost?.estimate ?? null, actual: { unit: unitOf(job.provider), amount: outcome.value.cost } },
  };
}

/**
 * Fills in what is known of the actual cost: the submit's reported cost, or 0 once a job ended
 * without any provider task (nothing was sent, or the provider refused it). Otherwise unchanged:
 * a task whose cost was never reported stays `null`.
 */
export function withKnownActual(job: JobRecord): JobRecord {
  if (job.cost?.actual) return job;
  const estimate = job.cost?.estimate ?? null;
  const reported = job.task?.reportedCost;
  if (reported !== undefined)
    return { ...job, cost: { estimate, actual: { unit: unitOf(job.provider), amount: reported } } };
  // a stop record without a task means a submit whose fate is unknown (being looked up, or lost)
  const neverRan = !job.task && !job.stop && job.error?.code !== "submit_uncertain";
  if (TERMINAL.has(job.status) && neverRan)
    return { ...job, cost: { estimate, actual: { unit: unitOf(job.provider), amount: 0 } } };
  return job;
}

/** Whether the job's cost can change no more: it ended and no stop of its task, nor the answer of its submit, is pending. */
export function costFinal(job: JobRecord): boolean {
  return TERMINAL.has(job.status) && !job.providerStop && !job.stop?.awaitingSubmit;
}
