// Examples of the OpenAPI document, typed as the real shapes; the tests validate each against
// its schema and send the bad requests to the real routes to compare the answers.

import type { PublicJob } from "../../jobs/record.ts";
import { isTimeZone } from "../../lib/cron.ts";
import { fieldErrors } from "../../lib/validation.ts";
import { MODELS, type ModelId } from "../../providers/models.ts";
import { validateBatch } from "../../schemas/batch-spec.ts";
import type { BatchView } from "../../schemas/batch-view.ts";
import { jobSpecSchema } from "../../schemas/job-spec.ts";
import type { PipelineView } from "../../schemas/pipeline-view.ts";
import { cronProblem } from "../../schemas/schedule-spec.ts";
import type { ScheduleView } from "../../schemas/schedule-view.ts";
import {
  EXAMPLE_BATCH_ID as BATCH_ID,
  EXAMPLE_JOB_ID as EXAMPLE_ID,
  EXAMPLE_PIPELINE_ID,
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

export const runningPipeline: PipelineView = {
  id: EXAMPLE_PIPELINE_ID,
  status: "running",
  steps: [
    { id: "still", model: "weshop/seedream", status: "succeeded", jobIds: ["job_8x2kq4m9p1r7t3v5w6y0"] },
    { id: "clip", model: "weshop/seedance", status: "running", jobIds: ["job_3c5v7b9n1m2q4w6e8r0t"], needs: ["still"] },
  ],
  cost: {
    estimate: [{ unit: "weshop_power", amount: 80 }],
    actual: [{ unit: "weshop_power", amount: 20 }],
  },
  metadata: { sku: "SNK-4021" },
  tags: [],
  createdAt: created,
};
export const succeededPipeline: PipelineView = {
  ...runningPipeline,
  status: "succeeded",
  steps: runningPipeline.steps.map((s) => ({ ...s, status: "succeeded" as const })),
  cost: { ...runningPipeline.cost, actual: [{ unit: "weshop_power", amount: 80 }] },
  completedAt: "2026-11-21T10:02:10.000Z",
};
export const canceledPipeline: PipelineView = {
  ...runningPipeline,
  status: "canceled",
  steps: [
    runningPipeline.steps[0]!,
    { ...runningPipeline.steps[1]!, status: "canceled", error: "canceled: canceled by the client" },
  ],
  completedAt: "2026-11-21T10:01:00.000Z",
};

/** A product still with Seedream, then a clip of it with Seedance. */
export const IMAGE_TO_VIDEO = {
  steps: [
    {
      id: "still",
      model: "weshop/seedream",
      params: { textDescription: "a red sneaker on a white pedestal, studio light", imageSize: "1K" },
    },
    {
      id: "clip",
      model: "weshop/seedance",
      params: {
        textDescription: "the sneaker turns slowly",
        images: ["{{steps.still.outputs.0.url}}"],
        duration: "5s",
      },
    },
  ],
  metadata: { sku: "SNK-4021" },
};

/** Four stills, and a clip of each. */
export const FAN_OUT = {
  steps: [
    { id: "stills", model: "weshop/seedream", params: { textDescription: "a lighthouse at dusk", batchCount: 4 } },
    {
      id: "clips",
      model: "weshop/seedance",
      each: "stills",
      params: { textDescription: "waves roll in", images: ["{{each.url}}"] },
    },
  ],
};

export const BAD_PIPELINE = {
  steps: [
    {
      id: "clip",
      model: "weshop/seedance",
      params: { textDescription: "a clip", images: ["{{steps.still.outputs.0.url}}"] },
    },
    {
      id: "still",
      model: "weshop/seedream",
      params: { textDescription: "a still", images: ["{{steps.clip.outputs.0.url}}"] },
    },
  ],
};
