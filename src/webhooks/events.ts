// Which webhook events a job's transition produces, and the messages that carry them.
import type { Config } from "../config.ts";
import { publicJob } from "../jobs/public-job.ts";
import type { JobEvent, JobRecord } from "../jobs/record.ts";
import { makeLinkSigner } from "../media/links.ts";
import { WEBHOOK_LINK_TTL_SECONDS } from "./schedule.ts";
import type { WebhookMessage } from "./types.ts";

/** Events the client asked for that this transition produced. */
export function transitionEvents(before: JobRecord, after: JobRecord): JobEvent[] {
  if (!after.webhook || before.status === after.status) return [];
  const event: JobEvent | undefined =
    after.status === "running"
      ? "job.running"
      : after.status === "succeeded" || after.status === "failed" || after.status === "canceled"
        ? `job.${after.status}`
        : undefined;
  return event && after.webhook.events.includes(event) ? [event] : [];
}

/** One id per job and event: an event is handed over at most once however often this runs. */
export function messageId(jobId: string, event: JobEvent): string {
  return `msg_${jobId.slice(4)}_${event.slice(4)}`;
}

export async function buildMessage(job: JobRecord, event: JobEvent, config: Config): Promise<WebhookMessage> {
  const now = Date.now();
  // the body is fixed now but may be sent on the last retry, ~30 h later: its links must outlive that
  const signer = makeLinkSigner(
    config.signingSecret,
    config.publicBaseUrl ?? job.origin,
    now,
    WEBHOOK_LINK_TTL_SECONDS,
  );
  const data = await publicJob(job, signer);
  return {
    id: messageId(job.id, event),
    jobId: job.id,
    url: job.webhook!.url,
    type: event,
    body: JSON.stringify({ type: event, timestamp: new Date(now).toISOString(), data }),
    createdAt: Math.floor(now / 1000),
    tenant: job.tenant,
    ...(job.batchId ? { batchId: job.batchId } : {}),
  };
}
