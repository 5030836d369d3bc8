// Worker entry: the HTTP app and the Durable Object classes.
import { buildApp } from "./http/app.ts";
import { sweepIdleJobs } from "./jobs/sweeper.ts";
import { sweepRetention } from "./lifecycle/retention.ts";
import { runDueSchedules } from "./schedules/schedules.ts";

export { BatchObject } from "./batches/batch-object.ts";
export { BudgetObject } from "./budgets/budget-object.ts";
export { IdempotencyKeys } from "./idempotency/idempotency-object.ts";
export { ProviderGate } from "./jobs/gate/gate-object.ts";
export { JobObject } from "./jobs/job-object.ts";
export { ModelStats } from "./jobs/stats/stats-object.ts";
export { WebhookDelivery } from "./webhooks/delivery-object.ts";

const app = buildApp();

export default {
  fetch: app.fetch,
  /** Every minute: start due schedules, and wake jobs whose alarm was lost. */
  async scheduled(_controller, env, ctx) {
    // the real time, not the tick's planned one: a late tick must still see what is due now
    const now = Date.now();
    ctx.waitUntil(Promise.all([runDueSchedules(env, now), sweepIdleJobs(env, now), sweepRetention(env, now)]));
  },
} satisfies ExportedHandler<Env>;
export { PipelineWorkflow } from "./pipelines/pipeline-workflow.ts";
