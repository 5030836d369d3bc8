// The job as clients see it (GET /v1/jobs/{id}, SSE, webhooks, MCP): the only code that decides
// what of a stored JobRecord is shown (its shape, PublicJob, is in record.ts with the record's other
// plain types). Provider URLs, tokens and bookkeeping never leave here; stored outputs are shown as
// signed links.
import type { DeliveryReport } from "../webhooks/types.ts";
import { publicCost } from "./cost-types.ts";
import { estimateCompletion } from "./poll/eta.ts";
import type {
  JobEvent,
  JobRecord,
  OutputRecord,
  PublicJob,
  PublicMedia,
  PublicOutput,
  PublicWebhook,
} from "./record.ts";

const iso = (ms: number) => new Date(ms).toISOString();

export type LinkSigner = (key: string) => Promise<{ url: string; expiresAt: string }>;

async function publicMedia(
  o: OutputRecord & { status: PublicMedia["status"] },
  sign: LinkSigner,
): Promise<PublicMedia> {
  const link = o.status === "stored" && o.key ? await sign(o.key) : undefined;
  return {
    status: o.status,
    contentType: o.contentType ?? null,
    size: o.size ?? null,
    ...(o.sha256 ? { sha256: o.sha256 } : {}),
    url: link?.url ?? null,
    expiresAt: link?.expiresAt ?? null,
    ...(o.error ? { error: o.error } : {}),
  };
}

const isSettled = (o: OutputRecord): o is OutputRecord & { status: PublicMedia["status"] } => o.status !== "pending";

/** Results are the job's outputs; a poster or last frame shows inside the result it came with. */
async function publicOutputs(job: JobRecord, sign: LinkSigner): Promise<PublicOutput[]> {
  const outputs: PublicOutput[] = [];
  for (const o of job.outputs) {
    if (o.role !== undefined || !isSettled(o)) continue;
    const extras: Pick<PublicOutput, "poster" | "lastFrame"> = {};
    for (const extra of job.outputs)
      if (extra.parent === o.index && extra.role !== undefined && isSettled(extra))
        extras[extra.role === "poster" ? "poster" : "lastFrame"] = await publicMedia(extra, sign);
    outputs.push({ index: o.index, kind: o.kind, ...(await publicMedia(o, sign)), ...extras });
  }
  return outputs;
}

function estimatedCompletionAt(job: JobRecord, now: number): string | null {
  if (job.status === "succeeded" || job.status === "failed" || job.status === "canceled") return null;
  return iso(estimateCompletion({ ...job, status: job.status }, now));
}

export async function publicJob(job: JobRecord, sign: LinkSigner, now = Date.now()): Promise<PublicJob> {
  const outputs = await publicOutputs(job, sign);
  return {
    id: job.id,
    model: job.model,
    status: job.status,
    ...(job.status === "queued" && job.queuePosition ? { queuePosition: job.queuePosition } : {}),
    params: job.params,
    metadata: job.metadata,
    ...(job.tags ? { tags: job.tags } : {}),
    ...(job.deadline ? { deadline: iso(job.deadline) } : {}),
    ...(job.batchId ? { batchId: job.batchId } : {}),
    ...(job.pipelineId ? { pipelineId: job.pipelineId, pipelineStep: job.pipelineStep } : {}),
    cost: publicCost(job.cost),
    provider: {
      name: job.provider,
      taskId: job.task?.taskId ?? null,
      status: job.providerStatus ?? null,
      ...(job.provider === "wiro" ? { callbackReceived: job.callbackReceived ?? false } : {}),
      ...(job.callbackReceivedAt ? { callbackReceivedAt: iso(job.callbackReceivedAt) } : {}),
      ...(job.stop ? { stopConfirmed: job.stop.confirmed } : {}),
    },
    ...(job.webhook ? { webhook: publicWebhook(job.webhook, job.deliveries ?? {}) } : {}),
    outputs,
    ...(job.error ? { error: job.error } : {}),
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    ...(job.startedAt ? { startedAt: iso(job.startedAt) } : {}),
    ...(job.completedAt ? { completedAt: iso(job.completedAt) } : {}),
    estimatedCompletionAt: estimatedCompletionAt(job, now),
    polls: job.polls,
  };
}

function publicWebhook(
  webhook: { url: string; events: JobEvent[] },
  deliveries: Record<string, DeliveryReport>,
): PublicWebhook {
  const list = Object.values(deliveries).map((d) => ({
    id: d.id,
    type: d.type,
    status: d.deliveredAt ? ("delivered" as const) : d.gaveUpAt ? ("failed" as const) : ("pending" as const),
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    ...(d.deliveredAt ? { deliveredAt: iso(d.deliveredAt) } : {}),
    ...(d.nextAt && !d.deliveredAt ? { nextAttemptAt: iso(d.nextAt) } : {}),
    ...(d.lastError && !d.deliveredAt ? { error: d.lastError } : {}),
  }));
  const last = list.at(-1);
  return {
    url: webhook.url,
    events: webhook.events,
    lastStatus: last?.lastStatus ?? null,
    attempts: last?.attempts ?? 0,
    ...(last?.deliveredAt ? { deliveredAt: last.deliveredAt } : {}),
    deliveries: list,
  };
}
