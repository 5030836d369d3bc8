// The bindings and settings the worker receives (wrangler.toml, secrets, `--var`).
import type { JobObject } from "./jobs/job-object.ts";
import type { ModelStats } from "./jobs/model-stats.ts";
import type { WebhookDelivery } from "./webhooks/delivery-object.ts";
import type { IdempotencyKeys } from "./api/idempotency-object.ts";
import type { BatchObject } from "./batches/batch-object.ts";
import type { ProviderGate } from "./providers/gate.ts";

export interface Env {
  JOBS: DurableObjectNamespace<JobObject>;
  STATS: DurableObjectNamespace<ModelStats>;
  WEBHOOKS: DurableObjectNamespace<WebhookDelivery>;
  IDEMPOTENCY: DurableObjectNamespace<IdempotencyKeys>;
  BATCHES: DurableObjectNamespace<BatchObject>;
  GATES: DurableObjectNamespace<ProviderGate>;
  MEDIA: R2Bucket;
  DB: D1Database;
  /** public/: the /docs page and Swagger UI's files */
  ASSETS: Fetcher;
  API_KEYS?: string;
  WESHOP_API_KEY?: string;
  WIRO_API_KEY?: string;
  WIRO_API_SECRET?: string;
  WESHOP_BASE_URL?: string;
  WIRO_BASE_URL?: string;
  PUBLIC_BASE_URL?: string;
  SIGNING_SECRET?: string;
  WEBHOOK_SECRET?: string;
  PROVIDER_TIMEOUT_MS?: string;
  MEDIA_TIMEOUT_MS?: string;
  WEBHOOK_TIMEOUT_MS?: string;
  WESHOP_MAX_CONCURRENCY?: string;
  WIRO_MAX_CONCURRENCY?: string;
  /** "1": development mode (loopback image, webhook and output URLs accepted). */
  SEEDRUN_DEV?: string;
}

type SeedrunEnv = Env;

declare global {
  namespace Cloudflare {
    interface Env extends SeedrunEnv {}
    interface GlobalProps {
      mainModule: typeof import("./index.ts");
      durableNamespaces: "JobObject" | "ModelStats" | "WebhookDelivery" | "IdempotencyKeys" | "BatchObject" | "ProviderGate";
    }
  }
}
