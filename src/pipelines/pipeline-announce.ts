// The pipeline's end as a signed webhook (pipeline.succeeded | failed | canceled), handed to its
// own delivery object like a job's events, with a stable message id so a replayed step sends once.
import { readConfig } from "../config.ts";
import { readPipeline } from "../db/pipelines.ts";
import type { PipelineEvent } from "../schemas/pipeline-spec.ts";
import { deliveryApi } from "../webhooks/delivery-client.ts";
import type { WebhookMessage } from "../webhooks/types.ts";
import { pipelineView } from "./pipeline-view.ts";

export async function announcePipeline(env: Env, pipelineId: string, tenant: string): Promise<boolean> {
  const p = await readPipeline(env.DB, pipelineId, tenant);
  const config = readConfig(env);
  if (!p?.spec.webhook || p.status === "running" || !config.ok || !config.config.webhookSecret) return false;
  const type = `pipeline.${p.status}` as PipelineEvent;
  if (!p.spec.webhook.events.includes(type)) return false;
  const now = Date.now();
  const message: WebhookMessage = {
    id: `msg_${p.id}_${p.status}`,
    jobId: p.id,
    url: p.spec.webhook.url,
    type,
    body: JSON.stringify({ type, timestamp: new Date(now).toISOString(), data: await pipelineView(env, p) }),
    createdAt: Math.floor(now / 1000),
  };
  await deliveryApi(env, message.id).enqueue(message);
  return true;
}
