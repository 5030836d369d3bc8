// The batch specification clients send (POST /v1/batches, and a schedule's batch): up to
// MAX_BATCH_JOBS job specs, each validated as a job spec, every problem reported by path.
import { z } from "zod";
import type { FieldError } from "../lib/problems.ts";
import { checkUrl } from "../lib/url-policy.ts";
import { fieldErrors, formatPath } from "../lib/validation.ts";
import { batchDeadline, withBatchFields } from "./batch-lifecycle.ts";
import { type JobSpec, jobSpecViewSchema, type SpecContext, validateJobSpec } from "./job-spec.ts";
import { tagsSchema } from "./lifecycle-fields.ts";

export const MAX_BATCH_JOBS = 1000;

export const batchSchema = z.strictObject({
  jobs: z
    .array(z.unknown(), { error: "must be an array of job specs" })
    .min(1, "needs at least 1 job")
    .max(MAX_BATCH_JOBS, `takes at most ${MAX_BATCH_JOBS} jobs`),
  webhookUrl: z.string({ error: "must be a URL" }).max(2048, "must be at most 2048 characters").optional(),
  tags: tagsSchema.optional(),
  deadline: z.string({ error: "must be a string" }).optional(),
});

/** A batch as validated (and stored as a schedule's batch). */
export const BATCH_WEBHOOK_URL =
  "Receives `batch.completed` when the batch ends; job events go to each job's own `webhookUrl`.";
export const scheduledBatchSchema = z
  .strictObject({
    jobs: z.array(jobSpecViewSchema).min(1).max(MAX_BATCH_JOBS),
    webhookUrl: z.url().optional().meta({ description: BATCH_WEBHOOK_URL }),
    tags: z.array(z.string()).optional().meta({ description: "Given to every job (after its own tags)." }),
    deadlineAfterMs: z
      .int()
      .optional()
      .meta({ description: "Each run's jobs are canceled this long after the run starts if unfinished." }),
  })
  .meta({ id: "ScheduledBatch" });
export type BatchSpec = z.output<typeof scheduledBatchSchema>;

/** Where the batch comes from: a request (deadline: an ISO time) or a schedule (deadline: an ISO-8601 duration from each run). */
export interface BatchOrigin {
  schedule?: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Validates a whole batch; one bad spec refuses it, with paths like `jobs[17].params.duration`.
 * Every problem is reported in one answer: the jobs are checked whenever `jobs` is an array of at
 * most MAX_BATCH_JOBS entries, and the webhook URL policy whenever `webhookUrl` has the right
 * shape, whatever else failed at the batch's own level (an unknown key, say). An over-long `jobs`
 * is reported alone: its entries are not checked one by one.
 */
export function validateBatch(
  body: unknown,
  ctx: SpecContext,
  prefix: (string | number)[] = [],
  origin: BatchOrigin = {},
): { spec?: BatchSpec; errors: FieldError[] } {
  const top = batchSchema.safeParse(body);
  const errors: FieldError[] = top.success ? [] : fieldErrors(top.error.issues, prefix);
  const raw = isObject(body) ? body : {};
  const jobs: JobSpec[] = [];
  if (Array.isArray(raw.jobs) && raw.jobs.length <= MAX_BATCH_JOBS) {
    raw.jobs.forEach((rawJob: unknown, i) => {
      const result = validateJobSpec(rawJob, ctx, [...prefix, "jobs", i]);
      errors.push(...result.errors);
      if (result.spec) jobs.push(result.spec);
    });
  }
  const { webhookUrl } = raw;
  // a non-string or over-long webhookUrl is already reported by the schema
  if (typeof webhookUrl === "string" && batchSchema.shape.webhookUrl.safeParse(webhookUrl).success) {
    const reason = ctx.webhooksEnabled
      ? checkUrl(webhookUrl, { allowLoopbackHttp: ctx.allowLoopbackHttp })
      : "webhooks are not enabled on this server (WEBHOOK_SECRET is not set)";
    if (reason) errors.push({ path: formatPath([...prefix, "webhookUrl"]), message: reason });
  }
  const deadline = batchDeadline(raw.deadline, origin.schedule === true, [...prefix, "deadline"], errors);
  const merged = top.success ? withBatchFields(jobs, top.data.tags, deadline, prefix, errors) : jobs;
  if (errors.length > 0 || !top.success) return { errors };
  return {
    spec: {
      jobs: merged,
      ...(top.data.webhookUrl ? { webhookUrl: top.data.webhookUrl } : {}),
      ...(top.data.tags?.length ? { tags: top.data.tags } : {}),
      ...(deadline?.afterMs ? { deadlineAfterMs: deadline.afterMs } : {}),
    },
    errors,
  };
}
