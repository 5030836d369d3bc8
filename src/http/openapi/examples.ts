// Examples of the OpenAPI document (those of /v1/pipelines: pipeline-examples.ts), typed as the real shapes; the
// tests validate each against its schema and send the bad requests to the real routes to compare the answers.

import type { PublicJob } from "../../jobs/record.ts";
import { isTimeZone } from "../../lib/cron.ts";
import { fieldErrors } from "../../lib/validation.ts";
import { MODELS, type ModelId } from "../../providers/models.ts";
import { validateBatch } from "../../schemas/batch-spec.ts";
import type { BatchView } from "../../schemas/batch-view.ts";
import { jobSpecSchema } from "../../schemas/job-spec.ts";
import { cronProblem } from "../../schemas/schedule-spec.ts";
import type { ScheduleView } from "../../schemas/schedule-view.ts";
import {
  EXAMPLE_BATCH_ID as BATCH_ID,
  EXAMPLE_JOB_ID as EXAMPLE_ID,
  EXAMPLE_SCHEDULE_ID as SCHEDULE_ID,
} from "./params.ts";
import { validationProblem } from "./problems.ts";

export const created = "2026-11-21T10:00:00.000Z";
export const MODEL_EXAMPLES: Record<
  ModelId,
  { summary: string; params: Record<string, unknown>; metadata?: Record<string, string> }
> = {
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

export const queuedJob: PublicJob = {
  id: EXAMPLE_ID,
  model: "weshop/seedream",
  status: "queued",
  params: MODELS["weshop/seedream"].params.parse(MODEL_EXAMPLES["weshop/seedream"].params),
  metadata: {},
  cost: { estimate: { unit: "weshop_power", amount: 20, source: "provider", exact: true }, actual: null },
  provider: { name: "weshop", taskId: null, status: null },
  outputs: [],
  createdAt: created,
  updatedAt: created,
  estimatedCompletionAt: "2026-11-21T10:00:28.000Z",
  polls: 0,
};
const media = (i: number) =>
  `https://seedrun.example.com/media/jobs/${EXAMPLE_ID}/${i}.png?expires=1795860000&sig=Q2hhbmdlIG1lOiB0aGlzIGlzIGFuIGV4YW1wbGUgc2ln`;
export const succeededJob: PublicJob = {
  ...queuedJob,
  status: "succeeded",
  cost: {
    estimate: { unit: "weshop_power", amount: 20, source: "provider", exact: true },
    actual: { unit: "weshop_power", amount: 20 },
  },
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
export const failedJob: PublicJob = {
  ...queuedJob,
  model: "wiro/ByteDance/text-to-video-seedance-v1",
  status: "failed",
  cost: { estimate: { unit: "usd", amount: 0.13, source: "price_table", exact: true }, actual: null },
  params: MODELS["wiro/ByteDance/text-to-video-seedance-v1"].params.parse(
    MODEL_EXAMPLES["wiro/ByteDance/text-to-video-seedance-v1"].params,
  ),
  provider: { name: "wiro", taskId: "2221", status: "task_start", callbackReceived: false },
  error: { code: "timeout", message: "The provider did not finish within 20 minutes", retryable: true },
  updatedAt: "2026-11-21T10:20:00.000Z",
  startedAt: "2026-11-21T10:00:02.000Z",
  completedAt: "2026-11-21T10:20:00.000Z",
  estimatedCompletionAt: null,
  polls: 31,
};

/** The 400 example is what the real validator says about a real bad request. */
export function validationExample() {
  const bad = {
    model: "weshop/seedance",
    params: { images: [], textDescription: "", modelName: "Seedance_10_Pro", duration: "13s", batchCount: 0 },
    surprise: true,
  };
  const top = jobSpecSchema.safeParse(bad);
  const params = MODELS["weshop/seedance"].params.safeParse(bad.params);
  const errors = [
    ...(top.success ? [] : fieldErrors(top.error.issues)),
    ...(params.success ? [] : fieldErrors(params.error.issues, ["params"])),
  ];
  return validationProblem(errors);
}

export const runningBatch: BatchView = {
  id: BATCH_ID,
  status: "running",
  total: 2,
  counts: { queued: 1, running: 0, copying: 0, succeeded: 1, failed: 0, canceled: 0 },
  cost: {
    estimate: [
      { unit: "usd", amount: 0.13 },
      { unit: "weshop_power", amount: 20 },
    ],
    actual: [{ unit: "weshop_power", amount: 20 }],
  },
  createdAt: created,
};
export const completedBatch: BatchView = {
  ...runningBatch,
  status: "completed",
  counts: { ...runningBatch.counts, queued: 0, succeeded: 2 },
  completedAt: "2026-11-21T10:01:30.000Z",
};
export const EXAMPLE_CONTEXT = { allowLoopbackHttp: false, webhooksEnabled: false };
export const nightlyRequest = {
  name: "Nightly lookbook",
  cron: "0 3 * * *",
  timezone: "Europe/Istanbul",
  batch: {
    jobs: [
      {
        model: "weshop/seedream",
        params: MODEL_EXAMPLES["weshop/seedream"].params,
        metadata: { collection: "autumn" },
      },
    ],
  },
};
export const nightlySchedule: ScheduleView = {
  id: SCHEDULE_ID,
  name: nightlyRequest.name,
  cron: nightlyRequest.cron,
  timezone: nightlyRequest.timezone,
  enabled: true,
  batch: validateBatch(nightlyRequest.batch, EXAMPLE_CONTEXT).spec!,
  nextRunAt: "2026-11-22T00:00:00.000Z",
  lastRunAt: null,
  lastBatchId: null,
  lastSkip: null,
  createdAt: created,
  updatedAt: created,
};
export const ranSchedule: ScheduleView = {
  ...nightlySchedule,
  nextRunAt: "2026-11-23T00:00:00.000Z",
  lastRunAt: "2026-11-22T00:00:00.000Z",
  lastBatchId: BATCH_ID,
  updatedAt: "2026-11-22T00:00:00.000Z",
};

/** The route's own message for a bad cron expression, from the same check it runs. */
export function cronError(expression: string): { path: string; message: string } {
  const problem = cronProblem(expression, "UTC");
  if (!problem) throw new Error(`example cron expression ${expression} is valid`);
  return problem;
}
/** A bad create request (exported for the tests, which send it to the real route and compare). */
export const BAD_SCHEDULE_REQUEST = {
  name: "nightly",
  cron: "61 * * * *",
  timezone: "Mars/Base",
  batch: { jobs: [{ model: "weshop/seedream", params: {} }] },
};
export function scheduleValidationExample() {
  if (isTimeZone(BAD_SCHEDULE_REQUEST.timezone)) throw new Error("example time zone is valid");
  return validationProblem([
    { path: "timezone", message: "is not an IANA time zone" },
    cronError(BAD_SCHEDULE_REQUEST.cron),
    ...validateBatch(BAD_SCHEDULE_REQUEST.batch, EXAMPLE_CONTEXT, ["batch"]).errors,
  ]);
}
