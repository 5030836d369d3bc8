// The tenant's default webhook endpoint (settings.webhook) for the specs that name none: applied
// when a job, a batch or a scheduled run is created, never over a job's own `webhookUrl`.
import { readSettings } from "../db/settings.ts";
import type { JobSpec } from "../schemas/job-spec.ts";

export async function withDefaultWebhook<S extends JobSpec>(db: D1Database, tenant: string, specs: S[]): Promise<S[]> {
  if (specs.every((s) => s.webhook)) return specs;
  const { webhook } = await readSettings(db, tenant);
  if (!webhook) return specs;
  return specs.map((s) => (s.webhook ? s : { ...s, webhook: { url: webhook.url, events: [...webhook.events] } }));
}
