// Worker entry: the HTTP app and the Durable Object classes.
import { buildApp } from "./app.ts";
import type { Env } from "./env.ts";

export { JobObject } from "./jobs/job-object.ts";
export { ModelStats } from "./jobs/model-stats.ts";
export { WebhookDelivery } from "./webhooks/delivery-object.ts";
export { IdempotencyKeys } from "./api/idempotency-object.ts";
export { BatchObject } from "./batches/batch-object.ts";

const app = buildApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
