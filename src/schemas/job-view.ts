// The job as clients see it (responses of /v1/jobs, the body of job webhooks). `.meta({ id })`
// names each schema's component in the OpenAPI document. PublicJob (src/jobs/record.ts) is the
// presenter's type; the check below fails type checking the moment the two drift.
import { z } from "zod";
import { JOB_EVENTS, type PublicJob } from "../jobs/record.ts";
import { JOB_ID } from "../lib/ids.ts";
import { JOB_ERROR_CODES } from "../lib/problems.ts";
import { MODEL_IDS } from "../providers/models.ts";
import { jobCostSchema } from "./costs.ts";

export const timestamp = z.string().meta({ format: "date-time", description: "ISO-8601 UTC time." });
export const count = z.int().min(0);

export const jobErrorSchema = z
  .strictObject({
    code: z
      .union([
        z.enum(JOB_ERROR_CODES).meta({ description: "Why the job ended (docs/jobs.md#why-a-job-ended)." }),
        z.string().meta({
          description:
            "The provider's own code, when it refused the run for good (e.g. WeShop `INSUFFICIENT_POWER`, Wiro `97`).",
        }),
      ])
      .meta({ description: "Stable reason: one of ours, or the provider's own code when it refused the run." }),
    message: z.string(),
    retryable: z.boolean().meta({ description: "Whether sending the same request again may succeed." }),
  })
  .meta({ id: "JobError" });

const storedMedia = {
  status: z
    .enum(["stored", "failed", "expired"])
    .meta({ description: "`expired`: removed from R2 by the tenant's output retention (`GET /v1/settings`)." }),
  contentType: z.string().nullable(),
  size: count.nullable().meta({ description: "Bytes stored in R2." }),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  url: z
    .url()
    .nullable()
    .meta({ description: "Signed, expiring `/media/…` link; works in `<img>`/`<video>` without the API key." }),
  expiresAt: timestamp.nullable(),
  error: z.string().optional(),
};
const extraImage = (what: string) =>
  z
    .strictObject(storedMedia)
    .optional()
    .meta({
      description: `${what}, copied to R2 like the video. Absent when the provider gave none; a failed copy never fails the job.`,
    });

export const outputSchema = z
  .strictObject({
    index: count,
    kind: z.enum(["video", "image"]),
    ...storedMedia,
    poster: extraImage("WeShop's poster image (`videoPoster`) of this video"),
    lastFrame: extraImage("WeShop's last frame (`lastFrame`, asked for with `returnLastFrame`) of this video"),
  })
  .meta({ id: "Output" });

export const webhookStateSchema = z
  .strictObject({
    url: z.url(),
    events: z.array(z.enum(JOB_EVENTS)),
    lastStatus: z
      .int()
      .nullable()
      .meta({ description: "HTTP status of the latest delivery attempt of the latest event." }),
    attempts: count,
    deliveredAt: timestamp.optional(),
    deliveries: z.array(
      z.strictObject({
        id: z.string().meta({ description: "The `webhook-id`, stable across retries." }),
        type: z.string(),
        status: z.enum(["pending", "delivered", "failed"]),
        attempts: count,
        lastStatus: z.int().nullable(),
        deliveredAt: timestamp.optional(),
        nextAttemptAt: timestamp.optional(),
        error: z.string().optional(),
      }),
    ),
  })
  .meta({ id: "WebhookState" });

export const jobSchema = z
  .strictObject({
    id: z.string().regex(JOB_ID),
    model: z.enum(MODEL_IDS),
    status: z.enum(["queued", "running", "copying", "succeeded", "failed", "canceled"]).meta({
      description: "`queued` → `running` → `copying` → `succeeded` | `failed` | `canceled`.",
    }),
    queuePosition: z
      .int()
      .min(1)
      .optional()
      .meta({ description: "While `queued` behind the provider's concurrency limit: the place in line (1 = next)." }),
    params: z
      .record(z.string(), z.unknown())
      .meta({ description: "The params as normalised and sent to the provider (defaults filled in)." }),
    metadata: z.record(z.string(), z.string()),
    tags: z.array(z.string()).optional(),
    deadline: timestamp
      .optional()
      .meta({ description: "The caller's deadline: an unfinished job is canceled then (`deadline_exceeded`)." }),
    batchId: z.string().optional(),
    pipelineId: z.string().optional().meta({ description: "The pipeline this job is one of (see `pipelineStep`)." }),
    pipelineStep: z.string().optional().meta({ description: "The id of its step in that pipeline." }),
    cost: jobCostSchema,
    provider: z.strictObject({
      name: z.enum(["weshop", "wiro"]),
      taskId: z.string().nullable(),
      status: z.string().nullable().meta({ description: "The provider's own status word." }),
      callbackReceived: z.boolean().optional(),
      callbackReceivedAt: timestamp.optional(),
      stopConfirmed: z.boolean().optional().meta({
        description:
          "Present once the job ended (canceled, or past its deadline) while a provider task might exist: true when the provider's own status shows the task no longer runs; false while it is still being stopped, when it could not be, or when the provider cannot stop tasks (WeShop). `error.message` says which.",
      }),
    }),
    webhook: webhookStateSchema.optional(),
    outputs: z.array(outputSchema),
    error: jobErrorSchema.optional(),
    createdAt: timestamp,
    updatedAt: timestamp,
    startedAt: timestamp.optional(),
    completedAt: timestamp.optional(),
    estimatedCompletionAt: timestamp.nullable().meta({
      description:
        "When the job is expected to end: its model's learned run time (median), counted from when the provider started it, plus its place in the provider's line while queued. Past the median the estimate moves out with the run (the median of runs that slow). `null` once the job ended.",
    }),
    polls: count.meta({ description: "Provider status requests made for this job." }),
  })
  .meta({ id: "Job" });

/** Exact type equality, used once per schema whose type is kept elsewhere. */
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// A type error here means jobSchema and PublicJob (src/jobs/record.ts) differ: update jobSchema.
const jobSchemaIsPublicJob: Same<z.output<typeof jobSchema>, PublicJob> = true;
void jobSchemaIsPublicJob;

export const jobListSchema = z
  .strictObject({
    data: z.array(jobSchema).meta({ description: "Newest first." }),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: "Pass as `cursor` for the next page; null on the last page." }),
  })
  .meta({ id: "JobList" });
export type JobList = z.output<typeof jobListSchema>;

/** The body of a job webhook (src/webhooks/events.ts). */
export const webhookEventSchema = z
  .strictObject({ type: z.enum(JOB_EVENTS), timestamp, data: jobSchema })
  .meta({ id: "WebhookEvent" });
