// A due schedule's batch goes through admission like any other: over budget (or unquotable
// against a limit), it starts nothing, the schedule records why (`lastSkip`) and moves on to its
// next due time, and a `schedule.skipped` webhook goes to the batch's webhookUrl if it has one.

import { batchJobId, type QuotedSpec } from "../batches/batch-client.ts";
import { admitJobs, refusal } from "../budgets/admission.ts";
import { budgetApi } from "../budgets/budget-client.ts";
import { readConfig } from "../config.ts";
import { recordScheduleSkip } from "../db/usage.ts";
import { errorMessage } from "../lib/error-message.ts";
import { log } from "../lib/log.ts";
import type { BatchSpec } from "../schemas/batch-spec.ts";
import { deliveryApi } from "../webhooks/delivery-client.ts";
import type { WebhookMessage } from "../webhooks/types.ts";

/** The due run being started: its schedule, and where the schedule goes next if the run is skipped. */
export interface DueRun {
  scheduleId: string;
  tenant: string;
  name: string;
  dueAt: number;
  nextRunAt: number | null;
}

const jobIds = (batchId: string, n: number) => Promise.all(Array.from({ length: n }, (_, i) => batchJobId(batchId, i)));

/** The run's specs with their estimates when admitted; undefined when the run was skipped (and recorded as such). */
export async function admitScheduledRun(
  env: Env,
  run: DueRun,
  batchId: string,
  spec: BatchSpec,
  now: number,
): Promise<QuotedSpec[] | undefined> {
  const configResult = readConfig(env);
  // without settings nothing can be quoted, and no job can run either: it waits as any job does
  if (!configResult.ok) return spec.jobs;
  const config = configResult.config;
  const ids = await jobIds(batchId, spec.jobs.length);
  const { estimates, result } = await admitJobs(
    env,
    config,
    run.tenant,
    spec.jobs.map((j, i) => ({ jobId: ids[i]!, model: j.model, params: j.params, tags: j.tags })),
  );
  if (result.ok) return spec.jobs.map((j, i) => ({ ...j, estimate: estimates[i] ?? null }));
  const { scheduleId, dueAt } = run;
  const recorded = await recordScheduleSkip(env.DB, {
    scheduleId,
    dueAt,
    at: now,
    code: result.code,
    nextRunAt: run.nextRunAt,
  });
  log("warn", "scheduled run skipped", {
    scheduleId,
    tenant: run.tenant,
    code: result.code,
    unit: result.unit,
    period: result.period,
  });
  if (recorded && spec.webhookUrl && config.webhookSecret) {
    const problem = refusal(result);
    const message: WebhookMessage = {
      id: `msg_${scheduleId.slice(6)}_skipped_${dueAt}`,
      jobId: scheduleId,
      url: spec.webhookUrl,
      type: "schedule.skipped",
      body: JSON.stringify({
        type: "schedule.skipped",
        timestamp: new Date(now).toISOString(),
        data: {
          scheduleId,
          name: run.name,
          dueAt: new Date(dueAt).toISOString(),
          code: result.code,
          detail: problem.detail,
          ...problem.extensions,
        },
      }),
      createdAt: Math.floor(now / 1000),
    };
    await deliveryApi(env, message.id)
      .enqueue(message)
      .catch((err: unknown) =>
        log("warn", "schedule.skipped webhook enqueue failed", { scheduleId, error: errorMessage(err) }),
      );
  }
  return undefined;
}

/** A run that was admitted but could not be started gives its reservations back (its due time moves, so its batch id will not be used). */
export async function releaseRun(env: Env, tenant: string, batchId: string, jobs: number): Promise<void> {
  try {
    await budgetApi(env, tenant).release(await jobIds(batchId, jobs));
  } catch (err) {
    log("warn", "budget release of a failed scheduled run failed", { batchId, error: errorMessage(err) });
  }
}
