// GET /openapi.json: an OpenAPI 3.1 description generated from the zod schemas that validate
// requests (request bodies, io "input") and from response schemas held equal to PublicJob by the
// type checker. Routes are a table: documenting a new route is one entry in ROUTES.
import { Hono } from "hono";
import { z } from "zod";
import { listQuery, type listJobs } from "./jobs.ts";
import { batchSchema, MAX_BATCH_JOBS, validateBatch, type BatchSpec } from "../../schemas/batch-spec.ts";
import { jobSpecSchema, type JobSpec } from "../../schemas/job-spec.ts";
import { createScheduleSchema, MAX_SCHEDULES_PER_CLIENT, patchScheduleSchema } from "./schedules.ts";
import { MAX_IMAGE_BYTES, MAX_UPLOAD_BODY_BYTES } from "./uploads.ts";
import type { BatchView } from "../../batches/batch-view.ts";
import { cronFor, isTimeZone, type ScheduleView } from "../../schedules/schedules.ts";
import type { uploadWeshopImage } from "../../providers/weshop-assets.ts";
import { documentCatalogue } from "../../providers/catalogue/json-schema.ts";
import { MODELS, MODEL_IDS, type ModelId } from "../../providers/models.ts";
import { DEFAULT_JOB_EVENTS, JOB_EVENTS, type PublicJob } from "../../jobs/record.ts";
import { fieldErrors, validationError } from "../../lib/validation.ts";
import { messageId } from "../../webhooks/events.ts";
import { ApiError } from "../../lib/errors.ts";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../context.ts";

type Json = Record<string, unknown>;
type JsonSchema = z.core.JSONSchema.BaseSchema;

// ---------------------------------------------------------------------------------------------
// Response schemas. `Same<…>` below fails type checking the moment PublicJob and these drift.

const timestamp = z.string().meta({ format: "date-time", description: "ISO-8601 UTC time." });
const count = z.int().min(0);

export const jobErrorSchema = z.strictObject({
  code: z.string().meta({ description: "Stable reason, e.g. `timeout`, `provider_not_configured`, `submit_uncertain`." }),
  message: z.string(),
  retryable: z.boolean().meta({ description: "Whether sending the same request again may succeed." }),
});

const storedMedia = {
  status: z.enum(["stored", "failed"]),
  contentType: z.string().nullable(),
  size: count.nullable().meta({ description: "Bytes stored in R2." }),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  url: z.url().nullable().meta({ description: "Signed, expiring `/media/…` link; works in `<img>`/`<video>` without the API key." }),
  expiresAt: timestamp.nullable(),
  error: z.string().optional(),
};
const extraImage = (what: string) =>
  z
    .strictObject(storedMedia)
    .optional()
    .meta({ description: `${what}, copied to R2 like the video. Absent when the provider gave none; a failed copy never fails the job.` });

export const outputSchema = z.strictObject({
  index: count,
  kind: z.enum(["video", "image"]),
  ...storedMedia,
  poster: extraImage("WeShop's poster image (`videoPoster`) of this video"),
  lastFrame: extraImage("WeShop's last frame (`lastFrame`, asked for with `returnLastFrame`) of this video"),
});

export const webhookStateSchema = z.strictObject({
  url: z.url(),
  events: z.array(z.enum(JOB_EVENTS)),
  lastStatus: z.int().nullable().meta({ description: "HTTP status of the latest delivery attempt of the latest event." }),
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
});

export const jobSchema = z.strictObject({
  id: z.string().regex(/^job_[0-9a-z]{20}$/),
  model: z.enum(MODEL_IDS),
  status: z.enum(["queued", "running", "copying", "succeeded", "failed", "canceled"]).meta({
    description: "`queued` → `running` → `copying` → `succeeded` | `failed` | `canceled`.",
  }),
  queuePosition: z.int().min(1).optional().meta({ description: "While `queued` behind the provider's concurrency limit: the place in line (1 = next)." }),
  params: z.record(z.string(), z.unknown()).meta({ description: "The params as normalised and sent to the provider (defaults filled in)." }),
  metadata: z.record(z.string(), z.string()),
  batchId: z.string().optional(),
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
});

// A type error on the next lines means jobSchema and PublicJob (src/jobs/record.ts) differ: update jobSchema.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const jobSchemaIsPublicJob: Same<z.output<typeof jobSchema>, PublicJob> = true;
void jobSchemaIsPublicJob;

export const problemSchema = z.looseObject({
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
});

const healthSchema = z.union([
  z.strictObject({ status: z.literal("ok") }),
  z.strictObject({
    status: z.literal("misconfigured"),
    problems: z.array(z.string()).meta({ description: "Names of missing or invalid settings (never values)." }),
  }),
]);

const webhookEventSchema = z.strictObject({ type: z.enum(JOB_EVENTS), timestamp, data: jobSchema });

export const jobListSchema = z.strictObject({
  data: z.array(jobSchema).meta({ description: "Newest first." }),
  nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last page." }),
});
const jobListIsListJobs: Same<z.output<typeof jobListSchema>, Awaited<ReturnType<typeof listJobs>>> = true;
void jobListIsListJobs;

const statusCount = count;
export const batchViewSchema = z.strictObject({
  id: z.string().regex(/^batch_[0-9a-z]{20}$/),
  status: z.enum(["running", "completed", "canceled"]),
  total: count,
  counts: z
    .strictObject({ queued: statusCount, running: statusCount, copying: statusCount, succeeded: statusCount, failed: statusCount, canceled: statusCount })
    .meta({
      description: "Jobs by status; jobs not created yet count as queued.",
    }),
  createdAt: timestamp,
  completedAt: timestamp.optional(),
  scheduleId: z.string().optional(),
});
const batchViewIsBatchView: Same<z.output<typeof batchViewSchema>, BatchView> = true;
void batchViewIsBatchView;

/** The body BatchObject.announce (src/batches/batch-object.ts) sends to a batch's `webhookUrl`. */
const batchCompletedEventSchema = z.strictObject({ type: z.literal("batch.completed"), timestamp, data: batchViewSchema });

/** A job spec as validated and stored (a schedule's batch): params normalised, the webhook resolved. */
export const jobSpecViewSchema = z.strictObject({
  model: z.enum(MODEL_IDS),
  params: z.record(z.string(), z.unknown()).meta({ description: "The params as normalised (defaults filled in)." }),
  metadata: z.record(z.string(), z.string()),
  webhook: z
    .strictObject({ url: z.url(), events: z.array(z.enum(JOB_EVENTS)) })
    .optional()
    .meta({ description: "`webhookUrl` and `webhookEvents` of the request (events defaulted)." }),
});
const jobSpecViewIsJobSpec: Same<z.output<typeof jobSpecViewSchema>, JobSpec> = true;
void jobSpecViewIsJobSpec;

const BATCH_WEBHOOK_URL = "Receives `batch.completed` when the batch ends; job events go to each job's own `webhookUrl`.";
export const scheduledBatchSchema = z.strictObject({
  jobs: z.array(jobSpecViewSchema).min(1).max(MAX_BATCH_JOBS),
  webhookUrl: z.url().optional().meta({ description: BATCH_WEBHOOK_URL }),
});
const scheduledBatchIsBatchSpec: Same<z.output<typeof scheduledBatchSchema>, BatchSpec> = true;
void scheduledBatchIsBatchSpec;

const SCHEDULE_ID_PATTERN = /^sched_[0-9a-z]{20}$/;
const BATCH_ID_PATTERN = /^batch_[0-9a-z]{20}$/;
export const scheduleSchema = z.strictObject({
  id: z.string().regex(SCHEDULE_ID_PATTERN),
  name: z.string(),
  cron: z.string().meta({ description: "5 fields: minute hour day-of-month month day-of-week." }),
  timezone: z.string().meta({ description: "IANA time zone the expression is read in." }),
  enabled: z.boolean(),
  batch: scheduledBatchSchema.meta({ description: "The batch started on every run, as validated." }),
  nextRunAt: timestamp.nullable().meta({ description: "Next due time; null when disabled or when the expression never fires again." }),
  lastRunAt: timestamp.nullable(),
  lastBatchId: z.string().regex(BATCH_ID_PATTERN).nullable().meta({ description: "The batch the latest run started (`GET /v1/batches/{id}`)." }),
  createdAt: timestamp,
  updatedAt: timestamp,
});
const scheduleIsScheduleView: Same<z.output<typeof scheduleSchema>, ScheduleView> = true;
void scheduleIsScheduleView;

export const scheduleListSchema = z.strictObject({
  data: z.array(scheduleSchema).meta({ description: `Every schedule of this key (at most ${MAX_SCHEDULES_PER_CLIENT}), newest first.` }),
  nextCursor: z.null().meta({ description: "Always null: the list is one page." }),
});
const scheduleListIsList: Same<z.output<typeof scheduleListSchema>, { data: ScheduleView[]; nextCursor: null }> = true;
void scheduleListIsList;

export const uploadSchema = z.strictObject({
  url: z.url().meta({ description: "WeShop's reusable URL of the image; use it in `params.images`." }),
});
type UploadResult = Extract<Awaited<ReturnType<typeof uploadWeshopImage>>, { ok: true }>["value"];
const uploadIsUploadResult: Same<z.output<typeof uploadSchema>, UploadResult> = true;
void uploadIsUploadResult;

// ---------------------------------------------------------------------------------------------
// Request schemas, straight from the validators.

const slug = (id: ModelId) => id.replace(/[^A-Za-z0-9._-]+/g, ".");
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const paramsName = (id: ModelId) => `Params.${slug(id)}`;
const requestName = (id: ModelId) => `CreateJob.${slug(id)}`;

/**
 * Fills in what `z.toJSONSchema(…, { io: "input" })` leaves out of our validators:
 * - a `.default()` over a transform loses its default; it is restored when it is also a valid input;
 * - `.trim().min(1)` exports as minLength 1, which accepts "   "; a `\S` pattern says "not blank";
 * - `x.transform(String).pipe(enum)` (Wiro's `duration`/`fps`) and `….pipe(z.number().int()…)`
 *   (Wiro's `seed`) export only the loose input types; the pipe's output constraints are applied to
 *   the input branches of the same JSON type, keeping only values the real schema accepts.
 */
function inputOverride(ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }): void {
  const { zodSchema, jsonSchema: json } = ctx;
  const def = zodSchema._zod.def;
  if (def.type === "default" && json.default === undefined) {
    const value: unknown = def.defaultValue;
    if (z.safeParse(def.innerType, value).success) json.default = value as JsonSchema["default"];
  }
  // `.trim().min(1)`: blank strings are refused, which minLength alone does not say
  if (def.type === "string" && json.minLength === 1 && json.pattern === undefined && !z.safeParse(zodSchema, " ").success) json.pattern = "\\S";
  if (def.type !== "pipe") return;
  const out = (def.out as z.core.$ZodTypes)._zod.def;
  const accepts = (v: unknown) => z.safeParse(zodSchema, v).success;
  const branches: JsonSchema[] = Array.isArray(json.anyOf) ? json.anyOf : Array.isArray(json.type) ? json.type.map((type) => ({ type })) : [];
  if (branches.length === 0) return;
  let narrowed: JsonSchema[];
  if (out.type === "enum") {
    const values = Object.values(out.entries);
    narrowed = branches.flatMap((b): JsonSchema[] => {
      if (b.type === "string") return [{ ...b, enum: values.filter((v): v is string => typeof v === "string" && accepts(v)) }];
      if (b.type === "number" || b.type === "integer") {
        const numbers = values.map(Number).filter((n) => Number.isFinite(n) && accepts(n));
        return numbers.length > 0 ? [{ ...b, enum: numbers }] : [];
      }
      return [b];
    });
  } else if (out.type === "number") {
    const { $schema: _, ...numeric } = z.toJSONSchema(def.out, { io: "output" });
    narrowed = branches.map((b) => (b.type === "number" || b.type === "integer" ? { ...b, ...numeric } : b));
  } else return;
  delete json.type;
  json.anyOf = narrowed;
}

function toJson(schema: z.core.$ZodType, io: "input" | "output"): Json {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io, ...(io === "input" ? { override: inputOverride } : {}) });
  return json;
}

/** Registered schemas become components that refer to each other by `$ref`. */
function components(entries: [string, z.core.$ZodType][], io: "input" | "output"): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of entries) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io,
    uri: (id) => `#/components/schemas/${id}`,
    ...(io === "input" ? { override: inputOverride } : {}),
  });
  const out: Record<string, Json> = {};
  for (const [id, json] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = json;
    out[id] = rest;
  }
  return out;
}

/** jobSpecSchema's refinements: at most 16 metadata values; no repeated event; events need a URL. */
function jobSpecRules(schema: Json): void {
  const props = schema.properties as Record<string, Json>;
  if (props.metadata) props.metadata = { ...props.metadata, maxProperties: 16, description: "Up to 16 string values, returned with the job." };
  if (props.webhookEvents) props.webhookEvents = { ...props.webhookEvents, uniqueItems: true, description: `Default ${JSON.stringify(DEFAULT_JOB_EVENTS)}.` };
  if (props.webhookUrl) props.webhookUrl = { ...props.webhookUrl, description: "HTTPS URL that receives each event, signed per Standard Webhooks." };
  if (props.webhookEvents && props.webhookUrl) schema.dependentRequired = { webhookEvents: ["webhookUrl"] };
}

// POST and PATCH /v1/schedules are documented from the schemas the route validates with; this
// compile-time check ties their fields to ScheduleView.
type ScheduleSettings = Pick<ScheduleView, "name" | "cron" | "timezone" | "enabled">;
const createScheduleIsView: Same<{ [K in keyof ScheduleSettings]: z.output<typeof createScheduleSchema>[K] }, ScheduleSettings> = true;
const createScheduleKeys: Same<keyof z.output<typeof createScheduleSchema>, keyof ScheduleSettings | "batch"> = true;
const patchScheduleKeys: Same<keyof z.output<typeof patchScheduleSchema>, keyof ScheduleSettings | "batch"> = true;
void [createScheduleIsView, createScheduleKeys, patchScheduleKeys];

/** What the route checks after zod: a 5-field cron expression (croner), an IANA zone, a batch. */
function scheduleRequest(schema: z.core.$ZodType, title: string, description: string): Json {
  const json = toJson(schema, "input");
  const props = json.properties as Record<string, Json>;
  return {
    ...json,
    title,
    description,
    properties: {
      ...props,
      name: { ...props.name, description: "Up to 100 characters." },
      cron: {
        ...props.cron,
        // necessary, not sufficient: the route parses the fields themselves (ranges, steps, names)
        pattern: "^\\s*\\S+(\\s+\\S+){4}\\s*$",
        description:
          "5 fields: minute hour day-of-month month day-of-week (ranges `1-5`, steps `*/15`, lists `1,15`, names `MON`, `JAN`); day-of-month and day-of-week combine with OR, as in classic cron.",
        examples: ["0 3 * * *", "*/15 * * * *", "0 9 * * MON-FRI"],
      },
      timezone: { ...props.timezone, description: "IANA time zone the expression is read in.", examples: ["UTC", "Europe/Istanbul", "America/New_York"] },
      batch: { ...ref("CreateBatch"), description: "Validated like `POST /v1/batches` (paths like `batch.jobs[0].params.textDescription`)." },
      enabled: { ...props.enabled, description: "A disabled schedule keeps its settings and has no `nextRunAt`." },
    },
  };
}

function requestComponents(): Record<string, Json> {
  const params = components(
    MODEL_IDS.map((id) => [paramsName(id), MODELS[id].params]),
    "input",
  );
  const out: Record<string, Json> = {};
  const spec = toJson(jobSpecSchema, "input");
  jobSpecRules(spec);
  for (const id of MODEL_IDS) {
    const model = MODELS[id];
    const p = params[paramsName(id)]!;
    // the variant rules our validator checks in code, restated from the same catalogue
    if (model.catalogue) documentCatalogue(model.catalogue, p);
    const sent = `Sent to ${model.provider} \`${model.agent}\`; output: ${model.kind}.`;
    out[paramsName(id)] = { title: `${id} params`, ...p, description: p.description ? `${sent} ${String(p.description)}` : sent };
    const props = spec.properties as Record<string, Json>;
    out[requestName(id)] = {
      ...spec,
      title: id,
      properties: { ...props, model: { type: "string", const: id }, params: ref(paramsName(id)) },
    };
  }
  const batch = toJson(batchSchema, "input");
  const batchProps = batch.properties as Record<string, Json>;
  out.CreateBatch = {
    ...batch,
    description: `Up to ${MAX_BATCH_JOBS} jobs, all validated before any is created (paths like \`jobs[17].params.duration\`).`,
    properties: {
      ...batchProps,
      jobs: { ...batchProps.jobs, items: ref("CreateJob") },
      ...(batchProps.webhookUrl ? { webhookUrl: { ...batchProps.webhookUrl, description: BATCH_WEBHOOK_URL } } : {}),
    },
  };
  out.CreateSchedule = scheduleRequest(
    createScheduleSchema,
    "CreateSchedule",
    `Starts \`batch\` whenever \`cron\` is due in \`timezone\`; at most ${MAX_SCHEDULES_PER_CLIENT} schedules per API key.`,
  );
  out.PatchSchedule = scheduleRequest(
    patchScheduleSchema,
    "PatchSchedule",
    "Only the fields given change. A new `cron`, `timezone` or `enabled` recomputes `nextRunAt`; a new `batch` replaces the whole batch.",
  );
  out.UploadImage = {
    type: "object",
    description: "One file field; no other fields.",
    properties: {
      image: {
        type: "string",
        format: "binary",
        description: `PNG, JPEG or WebP, recognised by its bytes (the part's file name and declared type are ignored); at most 10 MiB (${MAX_IMAGE_BYTES} bytes), the whole body at most ${MAX_UPLOAD_BODY_BYTES} bytes.`,
      },
    },
    required: ["image"],
    additionalProperties: false,
  };
  out.CreateJob = {
    description:
      "A job for one model; `params` depend on `model` and use the provider's own names and values. URL inputs (images, frames, videos, audios) and `webhookUrl` must be public `https` URLs (no credentials, no non-default port, no private or loopback host).",
    oneOf: MODEL_IDS.map((id) => ref(requestName(id))),
    discriminator: { propertyName: "model", mapping: Object.fromEntries(MODEL_IDS.map((id) => [id, `#/components/schemas/${requestName(id)}`])) },
  };
  return out;
}

// ---------------------------------------------------------------------------------------------
// Examples. Typed as the real shapes, and the tests validate each against its schema.

const MODEL_EXAMPLES: Record<ModelId, { summary: string; params: Record<string, unknown>; metadata?: Record<string, string> }> = {
  "weshop/seedance": {
    summary: "Seedance: animate a product photo",
    params: {
      images: ["https://images.example.com/products/sneaker-4021.jpg"],
      textDescription: "The sneaker turns slowly on a white pedestal, soft studio light, shallow depth of field",
      modelName: "Seedance_15_Pro",
      duration: "5s",
      aspectRatio: "9:16",
      generateAudio: false,
      batchCount: 1,
    },
    metadata: { sku: "SNK-4021" },
  },
  "weshop/seedance-25": {
    summary: "Seedance 2.5: a 12 s video from a first and a last frame",
    params: {
      textDescription: "The bottle turns from its front to its label, studio light",
      firstFrame: "https://images.example.com/products/bottle-front.jpg",
      lastFrame: "https://images.example.com/products/bottle-label.jpg",
      duration: "12s",
      resolution: "1080p",
      outputFormat: "mp4",
    },
  },
  "weshop/seedream": {
    summary: "Seedream: two images from a prompt",
    params: {
      textDescription: "A lighthouse on a rocky coast at dawn, photorealistic",
      imageSize: "2K",
      aspectRatio: "16:9",
      outputFormat: "png",
      batchCount: 2,
    },
  },
  "wiro/ByteDance/text-to-video-seedance-v1": {
    summary: "Wiro Seedance: text to video",
    params: {
      prompt: "A paper boat drifts down a rain-soaked street at night, neon reflections, cinematic",
      resolution: "720p",
      ratio: "16:9",
      duration: 5,
      fps: 24,
      seed: 42,
    },
  },
};

const EXAMPLE_ID = "job_8x2kq4m9p1r7t3v5w6y0";
const created = "2026-11-21T10:00:00.000Z";
const queuedJob: PublicJob = {
  id: EXAMPLE_ID,
  model: "weshop/seedream",
  status: "queued",
  params: MODELS["weshop/seedream"].params.parse(MODEL_EXAMPLES["weshop/seedream"].params),
  metadata: {},
  provider: { name: "weshop", taskId: null, status: null },
  outputs: [],
  createdAt: created,
  updatedAt: created,
  estimatedCompletionAt: "2026-11-21T10:00:28.000Z",
  polls: 0,
};
const media = (i: number) =>
  `https://seedrun.example.com/media/jobs/${EXAMPLE_ID}/${i}.png?expires=1795860000&sig=Q2hhbmdlIG1lOiB0aGlzIGlzIGFuIGV4YW1wbGUgc2ln`;
const succeededJob: PublicJob = {
  ...queuedJob,
  status: "succeeded",
  provider: { name: "weshop", taskId: "a1b2c3d4e5f6", status: "Success" },
  outputs: [0, 1].map((index) => ({
    index,
    kind: "image" as const,
    status: "stored" as const,
    contentType: "image/png",
    size: 2_483_121 + index,
    sha256: (index ? "9f" : "3c").padEnd(64, "0a"),
    url: media(index),
    expiresAt: "2026-11-22T11:00:00.000Z",
  })),
  updatedAt: "2026-11-21T10:00:41.000Z",
  startedAt: "2026-11-21T10:00:01.000Z",
  completedAt: "2026-11-21T10:00:41.000Z",
  estimatedCompletionAt: null,
  polls: 4,
};
const failedJob: PublicJob = {
  ...queuedJob,
  model: "wiro/ByteDance/text-to-video-seedance-v1",
  status: "failed",
  params: MODELS["wiro/ByteDance/text-to-video-seedance-v1"].params.parse(MODEL_EXAMPLES["wiro/ByteDance/text-to-video-seedance-v1"].params),
  provider: { name: "wiro", taskId: "2221", status: "task_start", callbackReceived: false },
  error: { code: "timeout", message: "The provider did not finish within 20 minutes", retryable: true },
  updatedAt: "2026-11-21T10:20:00.000Z",
  startedAt: "2026-11-21T10:00:02.000Z",
  completedAt: "2026-11-21T10:20:00.000Z",
  estimatedCompletionAt: null,
  polls: 31,
};

const REQUEST_ID = "req_3f9a1c7e5b2d4068";
const problemBody = (e: ApiError, requestId: string | undefined = REQUEST_ID) => ({
  type: `https://seedrun.dev/problems/${e.code}`,
  title: e.title,
  status: e.status,
  detail: e.detail,
  code: e.code,
  ...(requestId ? { requestId } : {}),
  ...(e.errors ? { errors: e.errors } : {}),
});
const problem = (status: ContentfulStatusCode, code: string, title: string, detail: string) => problemBody(new ApiError(status, code, title, detail));

/** The 400 example is what the real validator says about a real bad request. */
function validationExample() {
  const bad = {
    model: "weshop/seedance",
    params: { images: [], textDescription: "", modelName: "Seedance_10_Pro", duration: "13s", batchCount: 0 },
    surprise: true,
  };
  const top = jobSpecSchema.safeParse(bad);
  const params = MODELS["weshop/seedance"].params.safeParse(bad.params);
  const errors = [...(top.success ? [] : fieldErrors(top.error.issues)), ...(params.success ? [] : fieldErrors(params.error.issues, ["params"]))];
  return problemBody(validationError(errors));
}

// ---------------------------------------------------------------------------------------------
// The routes.

type Method = "get" | "post" | "put" | "patch" | "delete";
interface ParamEntry {
  name: string;
  in: "path" | "query" | "header";
  description: string;
  schema: Json;
  required?: boolean;
  example?: unknown;
}
type Examples = Record<string, { summary: string; value: unknown }>;
interface ResponseEntry {
  description: string;
  /** Component name or inline JSON Schema; omitted for bodiless answers. */
  schema?: string | Json;
  contentType?: string;
  headers?: Record<string, { description: string; schema: Json }>;
  examples?: Examples;
}
export interface RouteEntry {
  method: Method;
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Bearer auth: adds the security requirement and the 401 and 500 configuration answers. */
  auth?: boolean;
  parameters?: ParamEntry[];
  body?: BodyEntry;
  responses: Record<string, ResponseEntry>;
}
/**
 * A request body. JSON (the default) adds the 413 and 415 answers (and 400 invalid JSON unless
 * given); a multipart body is read by its own route, which documents its own 400, 413 and 415.
 */
type BodyEntry =
  | { contentType?: "application/json"; schema: string; examples: Examples; description?: string }
  | {
      contentType: "multipart/form-data";
      /** An object schema: one property per part; files are `type: string, format: binary`. */
      schema: string;
      /** The parts' own headers (OpenAPI Encoding Objects), by property. */
      encoding?: Record<string, { contentType: string }>;
      description?: string;
    };

const problemResponse = (description: string, examples: Record<string, { title: string } & Json>): ResponseEntry => ({
  description,
  schema: "Problem",
  contentType: "application/problem+json",
  examples: Object.fromEntries(Object.entries(examples).map(([k, v]) => [k, { summary: v.title, value: v }])),
});
const jobIdParam: ParamEntry = {
  name: "id",
  in: "path",
  required: true,
  description: "Job id.",
  schema: { type: "string", pattern: "^job_[0-9a-z]{20}$" },
  example: EXAMPLE_ID,
};
const preferWait: ParamEntry = {
  name: "Prefer",
  in: "header",
  description: "`wait=N` (RFC 7240): hold the answer up to N seconds (at most 60) until the job ends; `Preference-Applied` confirms.",
  schema: { type: "string", pattern: "wait\\s*=\\s*\\d+" },
  example: "wait=30",
};
const preferenceApplied = { "Preference-Applied": { description: "`wait=N` when `Prefer: wait` was honoured.", schema: { type: "string" } } };
const jobNotFound = problemResponse("No such job for this key", { not_found: problem(404, "not_found", "Not Found", `Job ${EXAMPLE_ID} was not found.`) });
const BATCH_ID = "batch_4n7q2w9e5r1t8y3u6i0o";
const batchIdParam: ParamEntry = {
  name: "id",
  in: "path",
  required: true,
  description: "Batch id.",
  schema: { type: "string", pattern: "^batch_[0-9a-z]{20}$" },
  example: BATCH_ID,
};
const batchNotFound = problemResponse("No such batch for this key", { not_found: problem(404, "not_found", "Not Found", `Batch ${BATCH_ID} was not found.`) });
const runningBatch: BatchView = {
  id: BATCH_ID,
  status: "running",
  total: 2,
  counts: { queued: 1, running: 0, copying: 0, succeeded: 1, failed: 0, canceled: 0 },
  createdAt: created,
};
const completedBatch: BatchView = {
  ...runningBatch,
  status: "completed",
  counts: { ...runningBatch.counts, queued: 0, succeeded: 2 },
  completedAt: "2026-11-21T10:01:30.000Z",
};
const idempotencyKey = (what: string): ParamEntry => ({
  name: "Idempotency-Key",
  in: "header",
  description: `Any 1–255 visible ASCII characters. For 24 hours, the same key with the same body returns the same ${what} (\`Idempotent-Replayed: true\`); with another body it is \`422\`.`,
  schema: { type: "string", pattern: "^[\\x21-\\x7e]{1,255}$" },
  example: `order-1042-${what}`,
});
const idempotencyReused = problemResponse("Idempotency-Key reused with another body", {
  idempotency_key_reused: problem(
    422,
    "idempotency_key_reused",
    "Idempotency-Key reused",
    "This Idempotency-Key was already used with a different request body in the last 24 hours.",
  ),
});
const replayedHeader = {
  "Idempotent-Replayed": { description: "`true` when an earlier request with the same `Idempotency-Key` made this.", schema: { type: "string" } },
};
/** Words for each parameter of a query schema; a key the schema gains or loses fails type checking here. */
type QueryDocs<T extends z.ZodObject> = { [K in keyof z.input<T>]-?: { description: string; example?: z.input<T>[K] } };
/** Query parameters generated from the zod object that validates the query, as it reads its input. */
function queryParams<T extends z.ZodObject>(schema: T, docs: QueryDocs<T>): ParamEntry[] {
  const json = toJson(schema, "input");
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(json.properties as Record<string, Json>).map(([name, property]) => {
    const { description, example } = docs[name as keyof QueryDocs<T>] as { description: string; example?: unknown };
    return {
      name,
      in: "query",
      ...(required.has(name) ? { required: true } : {}),
      description,
      schema: property,
      ...(example !== undefined ? { example } : {}),
    };
  });
}
const listParams = queryParams(listQuery, {
  status: { description: "Only jobs in this status.", example: "succeeded" },
  model: { description: "Only jobs of this model." },
  batchId: { description: "Only jobs of this batch." },
  limit: { description: "Page size.", example: 20 },
  cursor: { description: "`nextCursor` of the previous page." },
});
/** GET /v1/batches/{id}/jobs sets `batchId` from its path, over any in the query. */
const batchListParams = listParams.filter((p) => p.name !== "batchId");
const listResponses: Record<string, ResponseEntry> = {
  "200": {
    description: "A page of jobs, newest first.",
    schema: "JobList",
    examples: { page: { summary: "One page", value: { data: [succeededJob], nextCursor: null } } },
  },
  "400": problemResponse("Invalid query (a bad value or an unknown parameter)", {
    validation_failed: problemBody(validationError([{ path: "limit", message: "must be an integer from 1 to 100" }])),
  }),
};
const mediaProblem = (status: ContentfulStatusCode, code: string, title: string, detail: string) =>
  problemResponse(title, { [code]: problem(status, code, title, detail) });

const SCHEDULE_ID = "sched_2m8k4q7w1e9r3t5y6u0p";
const scheduleIdParam: ParamEntry = {
  name: "id",
  in: "path",
  required: true,
  description: "Schedule id.",
  schema: { type: "string", pattern: SCHEDULE_ID_PATTERN.source },
  example: SCHEDULE_ID,
};
const scheduleNotFound = problemResponse("No such schedule for this key", {
  not_found: problem(404, "not_found", "Not Found", `Schedule ${SCHEDULE_ID} was not found.`),
});
const EXAMPLE_CONTEXT = { allowLoopbackHttp: false, webhooksEnabled: false };
const nightlyRequest = {
  name: "Nightly lookbook",
  cron: "0 3 * * *",
  timezone: "Europe/Istanbul",
  batch: { jobs: [{ model: "weshop/seedream", params: MODEL_EXAMPLES["weshop/seedream"].params, metadata: { collection: "autumn" } }] },
};
const nightlySchedule: ScheduleView = {
  id: SCHEDULE_ID,
  name: nightlyRequest.name,
  cron: nightlyRequest.cron,
  timezone: nightlyRequest.timezone,
  enabled: true,
  batch: validateBatch(nightlyRequest.batch, EXAMPLE_CONTEXT).spec!,
  nextRunAt: "2026-11-22T00:00:00.000Z",
  lastRunAt: null,
  lastBatchId: null,
  createdAt: created,
  updatedAt: created,
};
const ranSchedule: ScheduleView = {
  ...nightlySchedule,
  nextRunAt: "2026-11-23T00:00:00.000Z",
  lastRunAt: "2026-11-22T00:00:00.000Z",
  lastBatchId: BATCH_ID,
  updatedAt: "2026-11-22T00:00:00.000Z",
};

/** The route's own messages for a bad cron expression and zone, from the same checks it runs. */
function cronError(expression: string): { path: string; message: string } {
  try {
    cronFor(expression, "UTC");
  } catch (err) {
    return { path: "cron", message: `is not a valid cron expression: ${err instanceof Error ? err.message : String(err)}` };
  }
  throw new Error(`example cron expression ${expression} is valid`);
}
/** A bad create request (exported for the tests, which send it to the real route and compare). */
export const BAD_SCHEDULE_REQUEST = { name: "nightly", cron: "61 * * * *", timezone: "Mars/Base", batch: { jobs: [{ model: "weshop/seedream", params: {} }] } };
function scheduleValidationExample() {
  if (isTimeZone(BAD_SCHEDULE_REQUEST.timezone)) throw new Error("example time zone is valid");
  return problemBody(
    validationError([
      { path: "timezone", message: "is not an IANA time zone" },
      cronError(BAD_SCHEDULE_REQUEST.cron),
      ...validateBatch(BAD_SCHEDULE_REQUEST.batch, EXAMPLE_CONTEXT, ["batch"]).errors,
    ]),
  );
}

export const ROUTES: RouteEntry[] = [
  {
    method: "post",
    path: "/v1/jobs",
    operationId: "createJob",
    summary: "Create a job",
    description:
      "Validates the whole request first (every bad field is reported by path and nothing reaches a provider), then answers `202` at once. Follow the job with `GET /v1/jobs/{id}` or a webhook.",
    tag: "Jobs",
    auth: true,
    parameters: [idempotencyKey("job"), preferWait],
    body: {
      schema: "CreateJob",
      examples: Object.fromEntries(
        MODEL_IDS.map((id) => {
          const e = MODEL_EXAMPLES[id];
          return [slug(id), { summary: e.summary, value: { model: id, params: e.params, ...(e.metadata ? { metadata: e.metadata } : {}) } }];
        }),
      ),
    },
    responses: {
      "202": {
        description: "Accepted; the job is queued.",
        schema: "Job",
        headers: {
          Location: { description: "`/v1/jobs/{id}` of the new job.", schema: { type: "string" } },
          ...replayedHeader,
          ...preferenceApplied,
        },
        examples: { queued: { summary: "A queued job", value: queuedJob } },
      },
      "422": idempotencyReused,
      "400": problemResponse("Invalid JSON or invalid fields", {
        validation_failed: validationExample(),
        invalid_json: problem(400, "invalid_json", "Invalid JSON", "The request body is not valid JSON."),
      }),
    },
  },
  {
    method: "get",
    path: "/v1/jobs/{id}",
    operationId: "getJob",
    summary: "Get a job",
    description: "A job is visible only to the API key that created it; others get `404`.",
    tag: "Jobs",
    auth: true,
    parameters: [jobIdParam, preferWait],
    responses: {
      "200": {
        description: "The job.",
        schema: "Job",
        headers: preferenceApplied,
        examples: { succeeded: { summary: "Succeeded, two stored images", value: succeededJob }, failed: { summary: "Failed", value: failedJob } },
      },
      "404": jobNotFound,
    },
  },
  {
    method: "get",
    path: "/v1/jobs",
    operationId: "listJobs",
    summary: "List jobs",
    description: "This key's jobs, newest first, a page at a time.",
    tag: "Jobs",
    auth: true,
    parameters: listParams,
    responses: listResponses,
  },
  {
    method: "post",
    path: "/v1/jobs/{id}/cancel",
    operationId: "cancelJob",
    summary: "Cancel a job",
    description: "Stops following the job at the provider (Wiro tasks are killed; WeShop has no cancel) and ends it as `canceled`.",
    tag: "Jobs",
    auth: true,
    parameters: [jobIdParam],
    responses: {
      "200": {
        description: "The canceled job.",
        schema: "Job",
        examples: { canceled: { summary: "Canceled", value: { ...queuedJob, status: "canceled", completedAt: created } } },
      },
      "404": jobNotFound,
      "409": problemResponse("The job already ended", {
        job_finished: problem(409, "job_finished", "Job already finished", `Job ${EXAMPLE_ID} already ended as succeeded; it cannot be canceled.`),
      }),
    },
  },
  {
    method: "get",
    path: "/v1/jobs/{id}/events",
    operationId: "jobEvents",
    summary: "Follow a job (server-sent events)",
    description:
      "A `text/event-stream`: an `event: job` with the Job as `data` (and its update time as `id`) at once and on every change, until the job ends; a `: keep-alive` comment every 15 s. Reconnect with `Last-Event-ID` to skip what you saw.",
    tag: "Jobs",
    auth: true,
    parameters: [
      jobIdParam,
      { name: "Last-Event-ID", in: "header", description: "The `id` of the last event received.", schema: { type: "string", pattern: "^\\d+$" } },
    ],
    responses: {
      "200": {
        description: "The event stream.",
        contentType: "text/event-stream",
        schema: { type: "string" },
        examples: {
          events: {
            summary: "Two events",
            value: `event: job\nid: 1795773600000\ndata: {"id":"${EXAMPLE_ID}","status":"queued",…}\n\nevent: job\nid: 1795773641000\ndata: {"id":"${EXAMPLE_ID}","status":"succeeded",…}\n\n`,
          },
        },
      },
      "404": jobNotFound,
    },
  },
  {
    method: "post",
    path: "/v1/batches",
    operationId: "createBatch",
    summary: "Create a batch of jobs",
    description:
      "One bad job spec refuses the whole batch, every problem listed by path; otherwise the jobs are created in the background and the batch answers `202` at once.",
    tag: "Batches",
    auth: true,
    parameters: [idempotencyKey("batch")],
    body: {
      schema: "CreateBatch",
      examples: {
        twoModels: {
          summary: "Two jobs, two models",
          value: {
            jobs: (["weshop/seedream", "wiro/ByteDance/text-to-video-seedance-v1"] as const).map((id) => ({ model: id, params: MODEL_EXAMPLES[id].params })),
          },
        },
      },
    },
    responses: {
      "202": {
        description: "Accepted; the jobs are being created.",
        schema: "Batch",
        headers: { Location: { description: "`/v1/batches/{id}`.", schema: { type: "string" } }, ...replayedHeader },
        examples: { created: { summary: "A new batch", value: { ...runningBatch, counts: { ...runningBatch.counts, queued: 2, succeeded: 0 } } } },
      },
      "400": problemResponse("Invalid JSON or invalid fields", {
        validation_failed: problemBody(
          validationError(
            validateBatch(
              {
                jobs: [
                  { model: "weshop/seedream", params: { textDescription: "a fox" } },
                  { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a fox", duration: 7 } },
                ],
              },
              {
                allowLoopbackHttp: false,
                webhooksEnabled: false,
              },
            ).errors,
          ),
        ),
      }),
      "422": idempotencyReused,
    },
  },
  {
    method: "get",
    path: "/v1/batches/{id}",
    operationId: "getBatch",
    summary: "Get a batch",
    tag: "Batches",
    auth: true,
    parameters: [batchIdParam],
    responses: {
      "200": { description: "The batch.", schema: "Batch", examples: { running: { summary: "Half done", value: runningBatch } } },
      "404": batchNotFound,
    },
  },
  {
    method: "get",
    path: "/v1/batches/{id}/jobs",
    operationId: "listBatchJobs",
    summary: "List a batch's jobs",
    tag: "Batches",
    auth: true,
    parameters: [batchIdParam, ...batchListParams],
    responses: { ...listResponses, "404": batchNotFound },
  },
  {
    method: "post",
    path: "/v1/batches/{id}/cancel",
    operationId: "cancelBatch",
    summary: "Cancel a batch",
    description: "Cancels every job of the batch that has not ended.",
    tag: "Batches",
    auth: true,
    parameters: [batchIdParam],
    responses: {
      "200": {
        description: "The canceled batch.",
        schema: "Batch",
        examples: {
          canceled: {
            summary: "Canceled",
            value: { ...runningBatch, status: "canceled", counts: { ...runningBatch.counts, queued: 0, canceled: 1 }, completedAt: created },
          },
        },
      },
      "404": batchNotFound,
      "409": problemResponse("The batch already ended", {
        batch_finished: problem(409, "batch_finished", "Batch already finished", `Batch ${BATCH_ID} is already completed.`),
      }),
    },
  },
  {
    method: "post",
    path: "/v1/schedules",
    operationId: "createSchedule",
    summary: "Create a schedule",
    description:
      "Starts the batch each time the cron expression is due in the schedule's time zone, once per due time (a run missed during downtime starts once, later). Each run is a batch with `scheduleId` set; `lastBatchId` names the latest.",
    tag: "Schedules",
    auth: true,
    body: {
      schema: "CreateSchedule",
      examples: { nightly: { summary: "Every night at 03:00 in Istanbul", value: nightlyRequest } },
    },
    responses: {
      "201": {
        description: "Created.",
        schema: "Schedule",
        headers: { Location: { description: "`/v1/schedules/{id}`.", schema: { type: "string" } } },
        examples: { created: { summary: "A new schedule", value: nightlySchedule } },
      },
      "400": problemResponse("Invalid JSON or invalid fields", {
        validation_failed: scheduleValidationExample(),
        invalid_json: problem(400, "invalid_json", "Invalid JSON", "The request body is not valid JSON."),
      }),
      "422": problemResponse(`This key already has ${MAX_SCHEDULES_PER_CLIENT} schedules`, {
        too_many_schedules: problem(
          422,
          "too_many_schedules",
          "Too many schedules",
          `A client may have at most ${MAX_SCHEDULES_PER_CLIENT} schedules; delete one first.`,
        ),
      }),
    },
  },
  {
    method: "get",
    path: "/v1/schedules",
    operationId: "listSchedules",
    summary: "List schedules",
    description: "Every schedule of this key, newest first, in one page.",
    tag: "Schedules",
    auth: true,
    responses: {
      "200": {
        description: "This key's schedules.",
        schema: "ScheduleList",
        examples: { one: { summary: "One schedule", value: { data: [ranSchedule], nextCursor: null } } },
      },
    },
  },
  {
    method: "get",
    path: "/v1/schedules/{id}",
    operationId: "getSchedule",
    summary: "Get a schedule",
    tag: "Schedules",
    auth: true,
    parameters: [scheduleIdParam],
    responses: {
      "200": { description: "The schedule.", schema: "Schedule", examples: { ran: { summary: "After its first run", value: ranSchedule } } },
      "404": scheduleNotFound,
    },
  },
  {
    method: "patch",
    path: "/v1/schedules/{id}",
    operationId: "updateSchedule",
    summary: "Change a schedule",
    description: "Only the fields sent change; a new `cron`, `timezone` or `enabled` recomputes `nextRunAt`. Runs already started are not affected.",
    tag: "Schedules",
    auth: true,
    parameters: [scheduleIdParam],
    body: {
      schema: "PatchSchedule",
      examples: {
        pause: { summary: "Pause", value: { enabled: false } },
        weekdays: { summary: "Weekdays at 06:30", value: { cron: "30 6 * * 1-5" } },
      },
    },
    responses: {
      "200": {
        description: "The changed schedule.",
        schema: "Schedule",
        examples: { paused: { summary: "Paused", value: { ...ranSchedule, enabled: false, nextRunAt: null, updatedAt: "2026-11-22T08:00:00.000Z" } } },
      },
      "400": problemResponse("Invalid JSON or invalid fields", {
        validation_failed: problemBody(validationError([cronError("0 25 * * *")])),
        invalid_json: problem(400, "invalid_json", "Invalid JSON", "The request body is not valid JSON."),
      }),
      "404": scheduleNotFound,
      "409": problemResponse("The schedule kept changing (a due run being recorded) while it was updated; send the PATCH again", {
        schedule_conflict: problem(
          409,
          "schedule_conflict",
          "Schedule changed meanwhile",
          `Schedule ${SCHEDULE_ID} kept changing while it was being updated; try again.`,
        ),
      }),
    },
  },
  {
    method: "delete",
    path: "/v1/schedules/{id}",
    operationId: "deleteSchedule",
    summary: "Delete a schedule",
    description: "No further runs start; batches already started go on.",
    tag: "Schedules",
    auth: true,
    parameters: [scheduleIdParam],
    responses: { "204": { description: "Deleted." }, "404": scheduleNotFound },
  },
  {
    method: "post",
    path: "/v1/uploads",
    operationId: "uploadImage",
    summary: "Upload an image",
    description:
      "`multipart/form-data` with exactly one file field `image` (PNG, JPEG or WebP, recognised by its bytes; at most 10 MiB). The image is forwarded to WeShop and the reusable URL it returns is answered; use it in `params.images`.",
    tag: "Uploads",
    auth: true,
    body: { contentType: "multipart/form-data", schema: "UploadImage", encoding: { image: { contentType: "image/png, image/jpeg, image/webp" } } },
    responses: {
      "201": {
        description: "Stored at WeShop.",
        schema: "Upload",
        examples: { uploaded: { summary: "Uploaded", value: { url: "https://ai-resource.weshop.com/assets/3f9a1c7e5b2d.png" } } },
      },
      "400": problemResponse("Missing, repeated, empty or extra fields, or an unreadable multipart body", {
        validation_failed: problemBody(validationError([{ path: "image", message: "is required: send one file field named `image`" }])),
        invalid_multipart: problem(400, "invalid_multipart", "Invalid multipart body", "The multipart/form-data body could not be parsed."),
      }),
      "413": problemResponse("Image over 10 MiB", {
        payload_too_large: problemBody(
          new ApiError(413, "payload_too_large", "Payload Too Large", `The image must be at most 10 MiB (${MAX_IMAGE_BYTES} bytes).`, [
            { path: "image", message: `must be at most 10 MiB (${MAX_IMAGE_BYTES} bytes)` },
          ]),
        ),
      }),
      "415": problemResponse("Not multipart, or not a PNG, JPEG or WebP image", {
        unsupported_media_type: problem(
          415,
          "unsupported_media_type",
          "Unsupported Media Type",
          "Send the image as multipart/form-data with one file field named `image`.",
        ),
        not_an_image: problemBody(
          new ApiError(415, "unsupported_media_type", "Unsupported Media Type", "The image must be a PNG, JPEG or WebP file.", [
            { path: "image", message: "must be a PNG, JPEG or WebP image (recognised by its content, not its name or declared type)" },
          ]),
        ),
      }),
      "502": {
        ...problemResponse("WeShop refused the upload or answered badly", {
          provider_error: problem(502, "provider_error", "Provider error", "WeShop refused the upload: INSUFFICIENT_POWER: Insufficient power balance."),
        }),
        headers: { "Retry-After": { description: "Seconds, when WeShop said when to try again.", schema: { type: "string", pattern: "^\\d+$" } } },
      },
      "503": problemResponse("WESHOP_API_KEY is not set", {
        provider_not_configured: problem(
          503,
          "provider_not_configured",
          "Provider not configured",
          "Uploads go to WeShop, and WESHOP_API_KEY is not set on this server.",
        ),
      }),
      "504": problemResponse("WeShop did not answer in time", {
        provider_unavailable: problem(
          504,
          "provider_unavailable",
          "Provider unavailable",
          "WeShop did not complete the upload: provider did not answer within 15000 ms. It is safe to retry.",
        ),
      }),
    },
  },
  {
    method: "get",
    path: "/healthz",
    operationId: "health",
    summary: "Health and configuration check",
    description: "Names (never values) every missing or invalid setting.",
    tag: "Service",
    responses: {
      "200": { description: "Configured and running.", schema: "Health", examples: { ok: { summary: "OK", value: { status: "ok" } } } },
      "503": {
        description: "Misconfigured.",
        schema: "Health",
        examples: { misconfigured: { summary: "Missing settings", value: { status: "misconfigured", problems: ["API_KEYS", "SIGNING_SECRET"] } } },
      },
    },
  },
  {
    method: "get",
    path: "/media/{key}",
    operationId: "getMedia",
    summary: "Download a stored output",
    description:
      "Serves a job output from R2. Use `outputs[*].url` exactly as given: it is signed and expires, and needs no API key. `HEAD` is answered too. Supports `Range`, `ETag` and the conditional headers `If-None-Match`, `If-Match`, `If-Modified-Since`, `If-Unmodified-Since` and `If-Range` (RFC 9110; an invalid entity-tag or date is ignored).",
    tag: "Media",
    parameters: [
      {
        name: "key",
        in: "path",
        required: true,
        description: "Object key; contains `/` (e.g. `jobs/{id}/0.png`).",
        schema: { type: "string" },
        example: `jobs/${EXAMPLE_ID}/0.png`,
      },
      {
        name: "expires",
        in: "query",
        required: true,
        description: "Expiry, Unix seconds.",
        schema: { type: "string", pattern: "^\\d{1,15}$" },
        example: "1795860000",
      },
      {
        name: "sig",
        in: "query",
        required: true,
        description: "base64url HMAC-SHA256 of the key and expiry.",
        schema: { type: "string" },
        example: "Q2hhbmdlIG1lOiB0aGlzIGlzIGFuIGV4YW1wbGUgc2ln",
      },
      { name: "Range", in: "header", description: "One byte range, e.g. `bytes=0-1023`.", schema: { type: "string" }, example: "bytes=0-1023" },
      { name: "If-None-Match", in: "header", description: "A stored `ETag`; answered `304` when it still matches.", schema: { type: "string" } },
    ],
    responses: {
      "200": {
        description: "The whole object, with its stored `Content-Type`, `ETag` and `Accept-Ranges: bytes`.",
        schema: { type: "string", contentMediaType: "application/octet-stream" },
        contentType: "*/*",
      },
      "206": {
        description: "The requested range.",
        schema: { type: "string", contentMediaType: "application/octet-stream" },
        contentType: "*/*",
        headers: { "Content-Range": { description: "e.g. `bytes 0-1023/2483121`", schema: { type: "string" } } },
      },
      "304": { description: "Not modified (`If-None-Match` matched, or not modified since `If-Modified-Since`)." },
      "403": mediaProblem(403, "invalid_signature", "Forbidden", "The media link signature is missing or invalid."),
      "404": mediaProblem(404, "not_found", "Not Found", "No media is stored under this link."),
      "410": mediaProblem(410, "link_expired", "Gone", "The media link has expired."),
      "412": mediaProblem(412, "precondition_failed", "Precondition Failed", "The stored media does not match If-Match / If-Unmodified-Since."),
      "416": { description: "Range not satisfiable; `Content-Range: bytes */{size}`." },
      "503": mediaProblem(503, "configuration_error", "Service Unavailable", "Media links are not available."),
    },
  },
  {
    method: "post",
    path: "/callbacks/wiro/{jobId}/{token}",
    operationId: "wiroCallback",
    summary: "Wiro completion callback",
    description:
      "The callback URL handed to Wiro for each job. Authenticated only by the per-job token (an HMAC of the job id under `SIGNING_SECRET`, checked by the worker before any job is touched); the body is not trusted (the job confirms with Wiro's `Task/Detail`). Duplicates are harmless.",
    tag: "Callbacks",
    parameters: [
      { name: "jobId", in: "path", required: true, description: "Job id.", schema: { type: "string", pattern: "^job_[0-9a-z]{20}$" }, example: EXAMPLE_ID },
      {
        name: "token",
        in: "path",
        required: true,
        description: "Per-job callback token.",
        schema: { type: "string", pattern: "^[A-Za-z0-9_-]{43}$" },
        example: "uQ3mZ8p0Xr4T6vW1yB2nC5dE7fG9hJ0kL3oP5sU8wA1",
      },
    ],
    responses: {
      "200": {
        description: "Received; the job checks the task with Wiro.",
        schema: { type: "object", properties: { received: { const: true } }, required: ["received"] },
        examples: { received: { summary: "Received", value: { received: true } } },
      },
      "404": problemResponse("Unknown job or wrong token (no provider call is made)", {
        not_found: problem(404, "not_found", "Not Found", "Callback was not found."),
      }),
    },
  },
  {
    method: "get",
    path: "/openapi.json",
    operationId: "openapi",
    summary: "This description (OpenAPI 3.1)",
    tag: "Service",
    responses: { "200": { description: "The OpenAPI document.", schema: { type: "object", required: ["openapi", "info", "paths"] } } },
  },
  {
    method: "get",
    path: "/docs",
    operationId: "docs",
    summary: "Interactive reference",
    description: "A self-contained page that renders `/openapi.json` and can send requests.",
    tag: "Service",
    responses: { "200": { description: "HTML page.", contentType: "text/html", schema: { type: "string" } } },
  },
];

const schemaOrRef = (s: string | Json): Json => (typeof s === "string" ? ref(s) : s);
const parameter = ({ example, ...p }: ParamEntry): Json => ({ ...p, ...(example !== undefined ? { example } : {}) });

function requestBody(body: BodyEntry): Json {
  const media =
    body.contentType === "multipart/form-data"
      ? { "multipart/form-data": { schema: ref(body.schema), ...(body.encoding ? { encoding: body.encoding } : {}) } }
      : { "application/json": { schema: ref(body.schema), examples: body.examples } };
  return { required: true, ...(body.description ? { description: body.description } : {}), content: media };
}

function operation(route: RouteEntry): Json {
  const responses: Record<string, ResponseEntry> = { ...route.responses };
  if (route.body && route.body.contentType !== "multipart/form-data") {
    responses["400"] ??= problemResponse("Invalid JSON", { invalid_json: problem(400, "invalid_json", "Invalid JSON", "The request body is not valid JSON.") });
    responses["413"] ??= problemResponse("Body over 1 MB", {
      payload_too_large: problem(413, "payload_too_large", "Payload Too Large", "Request bodies may be at most 1 MB."),
    });
    responses["415"] ??= problemResponse("Body is not JSON", {
      unsupported_media_type: problem(415, "unsupported_media_type", "Unsupported Media Type", "Send the request body as application/json."),
    });
  }
  if (route.auth) {
    responses["401"] ??= problemResponse("Missing or unknown API key", {
      unauthorized: problem(401, "unauthorized", "Unauthorized", "Send Authorization: Bearer <API key> with a valid key."),
    });
    // API_KEYS is checked before the key, so without it nobody is authenticated and nothing is named;
    // only an authenticated caller is told which other settings are wrong (src/api/middleware.ts)
    responses["500"] ??= problemResponse("Server misconfigured", {
      no_api_keys: problem(
        500,
        "configuration_error",
        "Server misconfigured",
        "The server configuration is invalid; its operator can see what is wrong at GET /healthz.",
      ),
      authenticated: problem(
        500,
        "configuration_error",
        "Server misconfigured",
        "The server configuration is invalid: SIGNING_SECRET (SIGNING_SECRET must be at least 16 characters).",
      ),
    });
  }
  const sorted = Object.keys(responses).sort();
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    ...(route.auth ? { security: [{ bearerAuth: [] }] } : {}),
    ...(route.parameters ? { parameters: route.parameters.map(parameter) } : {}),
    ...(route.body ? { requestBody: requestBody(route.body) } : {}),
    responses: Object.fromEntries(
      sorted.map((status) => {
        const r = responses[status]!;
        return [
          status,
          {
            description: r.description,
            headers: { "X-Request-Id": { $ref: "#/components/headers/RequestId" }, ...r.headers },
            ...(r.schema
              ? { content: { [r.contentType ?? "application/json"]: { schema: schemaOrRef(r.schema), ...(r.examples ? { examples: r.examples } : {}) } } }
              : {}),
          },
        ];
      }),
    ),
  };
}

/** The Standard Webhooks headers on every delivery (src/webhooks/sign.ts), with the example event's id and time. */
const webhookHeaders = (id: string, at: string): ParamEntry[] => [
  {
    name: "webhook-id",
    in: "header",
    required: true,
    description: "Message id: one per event, the same on every retry, so a receiver can drop duplicates.",
    schema: { type: "string" },
    example: id,
  },
  {
    name: "webhook-timestamp",
    in: "header",
    required: true,
    description: "Unix seconds when this attempt was signed.",
    schema: { type: "string", pattern: "^\\d+$" },
    example: String(Math.floor(Date.parse(at) / 1000)),
  },
  {
    name: "webhook-signature",
    in: "header",
    required: true,
    description:
      "`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the base64-decoded part of `WEBHOOK_SECRET` after `whsec_`.",
    schema: { type: "string", pattern: "^v1,[A-Za-z0-9+/]+={0,2}$" },
    example: "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
  },
];

/** An outgoing webhook: a POST to the client with a JSON body and the Standard Webhooks headers. */
function webhook(
  operationId: string,
  summary: string,
  description: string,
  schema: string,
  example: { id: string; summary: string; value: { type: string; timestamp: string; data: unknown } },
): Json {
  const { id, ...body } = example;
  return {
    post: {
      operationId,
      summary,
      description,
      parameters: webhookHeaders(id, body.value.timestamp).map(parameter),
      requestBody: { required: true, content: { "application/json": { schema: ref(schema), examples: { [body.value.type]: body } } } },
      responses: { "200": { description: "Received." } },
    },
  };
}

function buildDocument(): Json {
  const paths: Record<string, Json> = {};
  for (const route of ROUTES) {
    const item = paths[route.path] ?? {};
    item[route.method] = operation(route);
    paths[route.path] = item;
  }
  return {
    openapi: "3.1.1",
    info: {
      title: "seedrun",
      version: "1",
      summary: "Run ByteDance Seedance (video) and Seedream (image) through WeShop and Wiro.",
      description:
        "Create a job with `POST /v1/jobs`, follow it with `GET /v1/jobs/{id}` or a webhook, and download its outputs from signed `/media` links. Errors are `application/problem+json` (RFC 9457); every response carries `X-Request-Id`.",
    },
    tags: [
      { name: "Jobs", description: "Generation jobs (Bearer API key)." },
      { name: "Batches", description: "Many jobs in one request (Bearer API key)." },
      { name: "Schedules", description: "Batches started on a cron schedule (Bearer API key)." },
      { name: "Uploads", description: "Images to use as job inputs (Bearer API key)." },
      { name: "Media", description: "Stored outputs behind signed links." },
      { name: "Callbacks", description: "Provider callbacks (not for clients)." },
      { name: "Service", description: "Health." },
    ],
    paths,
    webhooks: {
      jobEvent: webhook(
        "jobEvent",
        "Job event",
        `Sent to a job's \`webhookUrl\` for each of its \`webhookEvents\` (${JOB_EVENTS.join(", ")}), signed per Standard Webhooks (\`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`). Answer 2xx; other answers are retried with backoff.`,
        "WebhookEvent",
        {
          id: messageId(EXAMPLE_ID, "job.succeeded"),
          summary: "A job succeeded",
          value: { type: "job.succeeded", timestamp: succeededJob.updatedAt, data: succeededJob },
        },
      ),
      batchCompleted: webhook(
        "batchCompleted",
        "Batch completed",
        "Sent once to a batch's `webhookUrl` when the batch ends: after its last job finished (`data.status: completed`), or after `POST /v1/batches/{id}/cancel` once every job it created has stopped (`data.status: canceled`). `data` is the batch as `GET /v1/batches/{id}` shows it. Signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) like job events; answer 2xx; other answers are retried with backoff. Job events are not sent to the batch's `webhookUrl`, only to each job's own.",
        "BatchCompletedEvent",
        {
          id: `msg_${BATCH_ID.slice(6)}_completed`,
          summary: "A batch completed",
          value: { type: "batch.completed", timestamp: completedBatch.completedAt!, data: completedBatch },
        },
      ),
    },
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "One of the server's `API_KEYS`; each key is its own tenant." } },
      headers: { RequestId: { description: "Request id, echoed from a sane incoming `X-Request-Id` or generated.", schema: { type: "string" } } },
      schemas: {
        ...requestComponents(),
        ...components(
          [
            ["Job", jobSchema],
            ["JobList", jobListSchema],
            ["Batch", batchViewSchema],
            ["Schedule", scheduleSchema],
            ["ScheduleList", scheduleListSchema],
            ["ScheduledBatch", scheduledBatchSchema],
            ["JobSpec", jobSpecViewSchema],
            ["Upload", uploadSchema],
            ["Output", outputSchema],
            ["JobError", jobErrorSchema],
            ["WebhookState", webhookStateSchema],
            ["Problem", problemSchema],
            ["Health", healthSchema],
            ["WebhookEvent", webhookEventSchema],
            ["BatchCompletedEvent", batchCompletedEventSchema],
          ],
          "output",
        ),
      },
    },
  };
}

let base: Json | undefined;
const bodies = new Map<string, string>();

/** The document (built once); with `origin`, `servers` names it. */
export function openapiDocument(origin?: string): Json {
  base ??= buildDocument();
  return origin ? { ...base, servers: [{ url: origin }] } : base;
}

export const openapiRoutes = new Hono<AppEnv>().get("/openapi.json", (c) => {
  const origin = new URL(c.req.url).origin;
  let body = bodies.get(origin);
  if (body === undefined) {
    body = JSON.stringify(openapiDocument(origin));
    if (bodies.size >= 8) bodies.clear();
    bodies.set(origin, body);
  }
  return c.body(body, 200, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "public, max-age=300",
    "Access-Control-Allow-Origin": "*",
  });
});
