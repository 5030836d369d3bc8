// Examples of the OpenAPI document for /v1/pipelines (the others are in examples.ts), typed as the
// real shapes; the tests validate each against its schema.
import type { PipelineView } from "../../schemas/pipeline-view.ts";
import { created } from "./examples.ts";
import { EXAMPLE_PIPELINE_ID } from "./params.ts";

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
