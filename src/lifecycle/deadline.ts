// The caller's deadline (`deadline` on a job, batch spec or schedule's batch): an unfinished job is
// ended then exactly as a client cancel would end it (a Wiro task is stopped, a WeShop run can
// only stop being followed), with `code: "deadline_exceeded"`. A job still waiting for a provider
// slot ends before it ever asks the gate again, so nothing is sent and its cost is 0.
import { DEADLINE_MARGIN_MS } from "../jobs/machine/policies.ts";
import type { Tick } from "../jobs/machine/transitions.ts";
import { type JobRecord, TERMINAL } from "../jobs/record.ts";
import { cancelJob } from "../jobs/stop/stop.ts";

export function deadlinePassed(job: JobRecord, now: number): boolean {
  return job.deadline !== undefined && !TERMINAL.has(job.status) && now + DEADLINE_MARGIN_MS >= job.deadline;
}

/** When the job must wake for its deadline; Infinity when it has none or has ended. */
export function deadlineWake(job: JobRecord | undefined): number {
  return job?.deadline !== undefined && !TERMINAL.has(job.status) ? job.deadline : Number.POSITIVE_INFINITY;
}

const CLIENT = "Canceled by the client";

/** The job ended at its deadline: a cancel's outcome, said as a deadline's. */
export function endAtDeadline(job: JobRecord, tick: Tick): JobRecord {
  const ended = cancelJob(job, false, tick);
  const at = new Date(job.deadline ?? tick.now).toISOString();
  const say = (text: string) => text.replace(CLIENT, `Canceled at its deadline (${at})`);
  return {
    ...ended,
    ...(ended.error
      ? { error: { code: "deadline_exceeded", message: say(ended.error.message), retryable: false } }
      : {}),
    ...(ended.stop ? { stop: { ...ended.stop, headline: say(ended.stop.headline) } } : {}),
  };
}
