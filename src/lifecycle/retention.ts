// The cron tick's retention pass: jobs and outputs older than their tenant's settings say are
// deleted (as DELETE does) or removed from R2 (outputs then say `expired`), and delivery records
// past 30 days go. Each tick does at most a bounded amount, oldest first, however much has piled
// up: the rest waits for the next minute.

import { expiredJobs, expiredOutputs, pruneDeliveries } from "../db/lifecycle.ts";
import { jobApi } from "../jobs/job-client.ts";
import { errorMessage } from "../lib/error-message.ts";
import { log } from "../lib/log.ts";

/** Jobs deleted, and jobs whose outputs are removed, per tick (each is a Durable Object call and a few R2/D1 writes). */
export const RETENTION_PER_TICK = 50;
export const DELIVERY_RECORD_DAYS = 30;
const PARALLEL = 10;

export interface RetentionTick {
  jobsDeleted: number;
  outputsExpired: number;
  deliveriesPruned: number;
}

export async function sweepRetention(env: Env, now: number, limit = RETENTION_PER_TICK): Promise<RetentionTick> {
  const tick: RetentionTick = { jobsDeleted: 0, outputsExpired: 0, deliveriesPruned: 0 };
  const jobs = await expiredJobs(env.DB, now, limit);
  await inParallel(jobs, async ({ tenant, id }) => {
    if ((await jobApi(env, id).erase(tenant, "retention")) === "erased") tick.jobsDeleted++;
  });
  const outputs = await expiredOutputs(env.DB, now, limit);
  await inParallel(outputs, async ({ tenant, id }) => {
    if (await jobApi(env, id).expireOutputs(tenant)) tick.outputsExpired++;
  });
  tick.deliveriesPruned = await pruneDeliveries(env.DB, now - DELIVERY_RECORD_DAYS * 86400_000, limit * 10);
  if (tick.jobsDeleted + tick.outputsExpired + tick.deliveriesPruned > 0) log("info", "retention sweep", { ...tick });
  return tick;
}

async function inParallel<T extends { id: string }>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL)
    await Promise.all(
      items.slice(i, i + PARALLEL).map(async (item) => {
        try {
          await work(item);
        } catch (err) {
          log("warn", "retention sweep: job not reached; next tick", { jobId: item.id, error: errorMessage(err) });
        }
      }),
    );
}
