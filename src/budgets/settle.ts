// The follow-up step that settles a finished job's cost with its tenant's budget: the reservation
// becomes the actual cost (or is released when the run cost nothing), and the D1 index gets the
// actual for usage. Waits while the job's task is still being stopped (or its submit's answer is still to come), since that may change it.

import { costFinal, withKnownActual } from "../costs/actual.ts";
import { toMicro } from "../costs/units.ts";
import { recordActual } from "../db/usage.ts";
import { needsIndex } from "../jobs/hand-overs/hand-overs.ts";
import { jobLog } from "../jobs/job-log.ts";
import type { JobRecord } from "../jobs/record.ts";
import { errorMessage } from "../lib/error-message.ts";
import { budgetApi } from "./budget-client.ts";

/** The part of the job object's step host this step uses (see jobs/hand-overs/hand-overs.ts). */
interface Host {
  env: Env;
  patch(seen: JobRecord, fields: Partial<JobRecord>): JobRecord;
}

/** How soon a failed settlement is tried again. */
const SETTLE_RETRY_MS = 30_000;

export async function settleCost(host: Host, job: JobRecord): Promise<{ job: JobRecord; nextWakeAt: number }> {
  if (job.costSettled || !costFinal(job)) return { job, nextWakeAt: Number.POSITIVE_INFINITY };
  const known = withKnownActual(job);
  const actual = known.cost?.actual?.amount ?? null;
  try {
    await budgetApi(host.env, job.tenant).settle({
      jobId: job.id,
      unit:
        known.cost?.actual?.unit ?? known.cost?.estimate?.unit ?? (job.provider === "weshop" ? "weshop_power" : "usd"),
      actual,
      estimate: known.cost?.estimate?.amount ?? null,
      admittedAt: job.createdAt,
      ...(job.tags ? { tags: job.tags } : {}),
    });
    // the index write that follows an end carries the actual already; a later one (a run found afterwards) needs its own
    if (actual !== null && !(job.cost?.actual && needsIndex(job)))
      await recordActual(host.env.DB, job.id, toMicro(actual));
  } catch (err) {
    jobLog(job).warn("cost settlement failed; retried", { error: errorMessage(err) });
    return { job, nextWakeAt: Date.now() + SETTLE_RETRY_MS };
  }
  const next = host.patch(job, { costSettled: true, ...(known.cost ? { cost: known.cost } : {}) });
  return { job: next, nextWakeAt: next.costSettled ? Number.POSITIVE_INFINITY : Date.now() + SETTLE_RETRY_MS };
}
