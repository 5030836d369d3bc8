// Disabling a tenant: from the next request on its keys are refused (the per-request key lookup
// reads `disabled_at`), its schedules are paused, and its unfinished work is canceled through the
// same calls a client's cancel makes, so Wiro tasks are stopped at the provider.
import { batchApi } from "../batches/batch-client.ts";
import { disableTenantRows, unfinishedWork } from "../db/keys.ts";
import { jobApi } from "../jobs/job-client.ts";
import { log } from "../lib/log.ts";

/** How many job objects are asked to cancel at once. */
const PARALLEL = 8;

export interface DisableReport {
  jobsCanceled: number;
  batchesCanceled: number;
}

export async function disableTenant(env: Env, id: string, name: string, now = Date.now()): Promise<DisableReport> {
  await disableTenantRows(env.DB, id, name, now);
  const work = await unfinishedWork(env.DB, id);
  let batchesCanceled = 0;
  let jobsCanceled = 0;
  // batches first, so none creates another job while its jobs are being canceled
  for (const batchId of work.batches) {
    const result = await batchApi(env, batchId)
      .cancel(id)
      .catch((err: unknown) => log("warn", "tenant disable: batch cancel failed", { batchId, error: String(err) }));
    if (result?.canceled) batchesCanceled++;
  }
  for (let i = 0; i < work.jobs.length; i += PARALLEL) {
    const results = await Promise.all(
      work.jobs.slice(i, i + PARALLEL).map((jobId) =>
        jobApi(env, jobId)
          .cancel(id)
          .catch((err: unknown) => log("warn", "tenant disable: job cancel failed", { jobId, error: String(err) })),
      ),
    );
    jobsCanceled += results.filter((r) => r?.canceled).length;
  }
  log("info", "tenant disabled", { tenant: id, jobsCanceled, batchesCanceled });
  return { jobsCanceled, batchesCanceled };
}
