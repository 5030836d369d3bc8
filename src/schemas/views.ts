// What the other routes answer: batches, schedules, uploads, problems and health. The TS types
// are inferred from these schemas (BatchView, ScheduleView), so the document and the code cannot
// drift; BatchSpec and JobSpec, produced by the validators, are checked against them once.
import { z } from "zod";
import { BATCH_ID, SCHEDULE_ID } from "../lib/ids.ts";
import { JOB_EVENTS } from "../jobs/record.ts";
import { MODEL_IDS } from "../providers/models.ts";
import { MAX_BATCH_JOBS, type BatchSpec } from "./batch-spec.ts";
import type { JobSpec } from "./job-spec.ts";
import { count, jobSchema, timestamp, type Same } from "./job-view.ts";
import { batchCostSchema, COST_UNIT_NAMES } from "./costs.ts";

export const problemSchema = z
  .looseObject({
    type: z.string().meta({ description: "URI naming the problem type (RFC 9457)." }),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string(),
    code: z.string().meta({ description: "Stable machine-readable code, e.g. `validation_failed`." }),
    requestId: z.string().optional().meta({ description: "Same as the `X-Request-Id` header; quote it when asking for help." }),
    errors: z
      .array(z.strictObject({ path: z.string().meta({ description: "e.g. `params.duration`, `params.images[0]`" }), message: z.string() }))
      .optional()
      .meta({ description: "Every offending field of a validation error." }),
  })
  .meta({ id: "Problem" });

export const healthSchema = z
  .union([
    z.strictObject({ status: z.literal("ok") }),
    z.strictObject({
      status: z.literal("misconfigured"),
      problems: z.array(z.string()).meta({ description: "Names of missing or invalid settings (never values)." }),
    }),
  ])
  .meta({ id: "Health" });

export const batchViewSchema = z
  .strictObject({
    id: z.string().regex(BATCH_ID),
    status: z.enum(["running", "completed", "canceled"]),
    total: count,
    counts: z.strictObject({ queued: count, running: count, copying: count, succeeded: count, failed: count, canceled: count }).meta({
      description: "Jobs by status; jobs not created yet count as queued.",
    }),
    cost: batchCostSchema,
    createdAt: timestamp,
    completedAt: timestamp.optional(),
    scheduleId: z.string().optional(),
  })
  .meta({ id: "Batch" });
export type BatchView = z.output<typeof batchViewSchema>;

/** The body BatchObject sends to a batch's `webhookUrl` when it ends. */
export const batchCompletedEventSchema = z
  .strictObject({ type: z.literal("batch.completed"), timestamp, data: batchViewSchema })
  .meta({ id: "BatchCompletedEvent" });

/** The body sent to a schedule's batch `webhookUrl` when a due run started nothing (src/schedules/budget-check.ts). */
export const scheduleSkippedEventSchema = z
  .strictObject({
    type: z.literal("schedule.skipped"),
    timestamp,
    data: z.strictObject({
      scheduleId: z.string(),
      name: z.string(),
      dueAt: timestamp.meta({ description: "The due time of the run that was skipped." }),
      code: z.enum(["budget_exceeded", "quote_unavailable"]),
      detail: z.string().meta({ description: "The problem `detail` a request refused for the same reason would get." }),
      unit: z.enum(COST_UNIT_NAMES),
      period: z.enum(["day", "month"]),
      limit: z.number().optional().meta({ description: "`budget_exceeded` only, as are `remaining` and `requested`." }),
      remaining: z.number().optional(),
      requested: z.number().optional(),
    }),
  })
  .meta({ id: "ScheduleSkippedEvent" });

/** A job spec as validated and stored (a schedule's batch): params normalised, the webhook resolved. */
export const jobSpecViewSchema = z
  .strictObject({
    model: z.enum(MODEL_IDS),
    params: z.record(z.string(), z.unknown()).meta({ description: "The params as normalised (defaults filled in)." }),
    metadata: z.record(z.string(), z.string()),
    webhook: z
      .strictObject({ url: z.url(), events: z.array(z.enum(JOB_EVENTS)) })
      .optional()
      .meta({ description: "`webhookUrl` and `webhookEvents` of the request (events defaulted)." }),
    tags: z.array(z.string()).optional(),
    deadline: z.number().optional().meta({ description: "The job's deadline, Unix milliseconds." }),
  })
  .meta({ id: "JobSpec" });
const jobSpecViewIsJobSpec: Same<z.output<typeof jobSpecViewSchema>, JobSpec> = true;
void jobSpecViewIsJobSpec;

export const BATCH_WEBHOOK_URL = "Receives `batch.completed` when the batch ends; job events go to each job's own `webhookUrl`.";
export const scheduledBatchSchema = z
  .strictObject({
    jobs: z.array(jobSpecViewSchema).min(1).max(MAX_BATCH_JOBS),
    webhookUrl: z.url().optional().meta({ description: BATCH_WEBHOOK_URL }),
    tags: z.array(z.string()).optional(),
    deadlineAfterMs: z.int().optional().meta({ description: "Each run's jobs are canceled this long after the run starts if unfinished." }),
  })
  .meta({ id: "ScheduledBatch" });
const scheduledBatchIsBatchSpec: Same<z.output<typeof scheduledBatchSchema>, BatchSpec> = true;
void scheduledBatchIsBatchSpec;

export const MAX_SCHEDULES_PER_CLIENT = 100;

export const scheduleSchema = z
  .strictObject({
    id: z.string().regex(SCHEDULE_ID),
    name: z.string(),
    cron: z.string().meta({ description: "5 fields: minute hour day-of-month month day-of-week." }),
    timezone: z.string().meta({ description: "IANA time zone the expression is read in." }),
    enabled: z.boolean(),
    batch: scheduledBatchSchema.meta({ description: "The batch started on every run, as validated." }),
    tags: z.array(z.string()).optional().meta({ description: "Given to every job each run starts, after the job's and the batch's own tags." }),
    nextRunAt: timestamp.nullable().meta({ description: "Next due time; null when disabled or when the expression never fires again." }),
    lastRunAt: timestamp.nullable(),
    lastBatchId: z.string().regex(BATCH_ID).nullable().meta({ description: "The batch the latest run started (`GET /v1/batches/{id}`)." }),
    lastSkip: z
      .strictObject({ at: timestamp, code: z.string().meta({ description: "`budget_exceeded` or `quote_unavailable`." }) })
      .nullable()
      .meta({ description: "The latest due run that started nothing, and why: over budget, or not quotable against a limit." }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: "Schedule" });
export type ScheduleView = z.output<typeof scheduleSchema>;

export const scheduleListSchema = z
  .strictObject({
    data: z.array(scheduleSchema).meta({ description: `Every schedule of this key (at most ${MAX_SCHEDULES_PER_CLIENT}), newest first.` }),
    nextCursor: z.null().meta({ description: "Always null: the list is one page." }),
  })
  .meta({ id: "ScheduleList" });

export const uploadSchema = z
  .strictObject({ url: z.url().meta({ description: "WeShop's reusable URL of the image; use it in `params.images`." }) })
  .meta({ id: "Upload" });
export type UploadView = z.output<typeof uploadSchema>;

/** A file stored in R2 (POST /v1/uploads with the field `file`). */
export const storedUploadSchema = z
  .strictObject({
    id: z.string().meta({ description: "For `DELETE /v1/uploads/{id}`." }),
    url: z.url().meta({
      description:
        "Signed link to the stored file, valid until `expiresAt` without an API key; use it in any URL param (`images`, `videos`, `audios`, `firstFrame`, `extendVideo`, …).",
    }),
    kind: z.enum(["image", "video", "audio"]),
    contentType: z.string().meta({ description: "From the file's bytes, not its name or declared type.", examples: ["video/mp4"] }),
    size: z.int().min(1).meta({ description: "Bytes stored." }),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .meta({ description: "Hex SHA-256 of the bytes stored." }),
    expiresAt: timestamp.meta({ description: "When `url` stops working (at least 7 days on)." }),
  })
  .meta({ id: "StoredUpload" });
export type StoredUploadView = z.output<typeof storedUploadSchema>;

/** Answer of the Wiro callback route. */
export const callbackReceivedSchema = z.strictObject({ received: z.literal(true) });

export { jobSchema };
