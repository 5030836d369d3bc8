// The definitions of /v1/pipelines (handlers in pipelines.ts): create, read, list, cancel, delete.
import { createRoute, z } from "@hono/zod-openapi";
import { PIPELINE_ID } from "../../lib/ids.ts";
import { validatePipeline } from "../../schemas/pipeline-spec.ts";
import { pipelineListSchema, pipelineViewSchema, type PipelineView } from "../../schemas/pipeline-view.ts";
import { idempotencyKeyHeader, idempotencyResponses, replayedHeader } from "../idempotency.ts";
import { created, EXAMPLE_CONTEXT } from "../openapi/examples.ts";
import { locationHeader } from "../openapi/params.ts";
import {
  authenticated,
  authProblems,
  jsonBodyProblems,
  notFoundProblem,
  problemExample,
  problemResponse,
  REQUEST_ID_HEADER,
  validationProblem,
  admissionProblems,
} from "../openapi/problems.ts";
import { ref } from "../openapi/request-schemas.ts";

export const EXAMPLE_PIPELINE_ID = "pipe_6t2m9q4w8e1r5y7u3i0o";

/** A product still with Seedream, then a clip of it with Seedance. */
export const IMAGE_TO_VIDEO = {
  steps: [
    { id: "still", model: "weshop/seedream", params: { textDescription: "a red sneaker on a white pedestal, studio light", imageSize: "1K" } },
    {
      id: "clip",
      model: "weshop/seedance",
      params: { textDescription: "the sneaker turns slowly", images: ["{{steps.still.outputs.0.url}}"], duration: "5s" },
    },
  ],
  metadata: { sku: "SNK-4021" },
};

/** Four stills, and a clip of each. */
export const FAN_OUT = {
  steps: [
    { id: "stills", model: "weshop/seedream", params: { textDescription: "a lighthouse at dusk", batchCount: 4 } },
    { id: "clips", model: "weshop/seedance", each: "stills", params: { textDescription: "waves roll in", images: ["{{each.url}}"] } },
  ],
};

const BAD = {
  steps: [
    { id: "clip", model: "weshop/seedance", params: { textDescription: "a clip", images: ["{{steps.still.outputs.0.url}}"] } },
    { id: "still", model: "weshop/seedream", params: { textDescription: "a still", images: ["{{steps.clip.outputs.0.url}}"] } },
  ],
};

const pipelineIdParams = z.object({
  id: z
    .string()
    .regex(PIPELINE_ID, { error: (issue) => `Pipeline ${String(issue.input)}` })
    .openapi({ param: { name: "id", in: "path", description: "Pipeline id.", example: EXAMPLE_PIPELINE_ID } }),
});

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
const canceledPipeline: PipelineView = {
  ...runningPipeline,
  status: "canceled",
  steps: [runningPipeline.steps[0]!, { ...runningPipeline.steps[1]!, status: "canceled", error: "canceled: canceled by the client" }],
  completedAt: "2026-11-21T10:01:00.000Z",
};

const pipeline = (description: string, examples: Record<string, { summary: string; value: unknown }>, headers = {}) => ({
  description,
  headers: { ...REQUEST_ID_HEADER, ...headers },
  content: { "application/json": { schema: pipelineViewSchema, examples } },
});
const pipelineNotFound = notFoundProblem("Pipeline", EXAMPLE_PIPELINE_ID);

export const createPipeline = createRoute({
  method: "post",
  path: "/v1/pipelines",
  operationId: "createPipeline",
  summary: "Create a pipeline",
  description:
    "Steps that feed each other: `{{steps.<id>.outputs.<n>.url}}` anywhere in a step's params stands for output `n` of an earlier step (given to the next provider as a signed link on `PUBLIC_BASE_URL`, valid at least 24 hours); a step with `each: \"<id>\"` runs one job per output of that step, `{{each.url}}` standing for it (at most 16); `after` orders steps without data. Every step is validated up front as a job is, and the whole pipeline is admitted against the budget at once (an `each` step counted at its source's most outputs). Run by Cloudflare Workflows: durable across restarts, each step's jobs created once.",
  tags: ["Pipelines"],
  ...authenticated,
  request: {
    headers: z.object({ "Idempotency-Key": idempotencyKeyHeader("pipeline") }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: ref("CreatePipeline"),
          examples: {
            imageToVideo: { summary: "A still, then a clip of it", value: IMAGE_TO_VIDEO },
            fanOut: { summary: "Four stills, a clip of each", value: FAN_OUT },
          },
        },
      },
    },
  },
  responses: {
    202: pipeline(
      "Accepted; its first steps are starting.",
      {
        created: {
          summary: "A new pipeline",
          value: {
            ...runningPipeline,
            steps: runningPipeline.steps.map((s, i) => ({ ...s, status: i === 0 ? "running" : "waiting", jobIds: i === 0 ? s.jobIds : [] })),
            cost: { ...runningPipeline.cost, actual: [] },
          },
        },
      },
      { ...locationHeader("/v1/pipelines/{id}"), ...replayedHeader },
    ),
    ...jsonBodyProblems({
      validation_failed: validationProblem(validatePipeline(BAD, { ...EXAMPLE_CONTEXT, publicBaseUrl: true }).errors),
    }),
    ...idempotencyResponses,
    ...admissionProblems,
    ...authProblems,
  },
});

export const getPipeline = createRoute({
  method: "get",
  path: "/v1/pipelines/{id}",
  operationId: "getPipeline",
  summary: "Get a pipeline",
  description: "Its steps in order, each with its status and jobs (`GET /v1/jobs/{id}`, or `GET /v1/jobs?pipelineId=`).",
  tags: ["Pipelines"],
  ...authenticated,
  request: { params: pipelineIdParams },
  responses: {
    200: pipeline("The pipeline.", {
      running: { summary: "Its second step running", value: runningPipeline },
      succeeded: { summary: "Done", value: succeededPipeline },
    }),
    404: pipelineNotFound,
    ...authProblems,
  },
});

const LIMIT = "must be an integer from 1 to 100";
export const pipelineListQuery = z.strictObject({
  limit: z.coerce
    .number({ error: LIMIT })
    .int(LIMIT)
    .min(1, LIMIT)
    .max(100, LIMIT)
    .default(20)
    .openapi({ param: { description: "Page size.", example: 20 } }),
  cursor: z
    .string()
    .optional()
    .openapi({ param: { description: "`nextCursor` of the previous page." } }),
});

export const listPipelines = createRoute({
  method: "get",
  path: "/v1/pipelines",
  operationId: "listPipelines",
  summary: "List pipelines",
  description: "The caller's pipelines, newest first, a page at a time over the opaque `nextCursor`.",
  tags: ["Pipelines"],
  ...authenticated,
  request: { query: pipelineListQuery },
  responses: {
    200: {
      description: "A page of pipelines, newest first.",
      headers: REQUEST_ID_HEADER,
      content: {
        "application/json": { schema: pipelineListSchema, examples: { page: { summary: "One page", value: { data: [runningPipeline], nextCursor: null } } } },
      },
    },
    400: problemResponse("Invalid query", { validation_failed: validationProblem([{ path: "limit", message: LIMIT }]) }),
    ...authProblems,
  },
});

export const cancelPipeline = createRoute({
  method: "post",
  path: "/v1/pipelines/{id}/cancel",
  operationId: "cancelPipeline",
  summary: "Cancel a pipeline",
  description: "Cancels its running jobs (stopping their provider tasks as a job cancel does) and skips the steps still waiting.",
  tags: ["Pipelines"],
  ...authenticated,
  request: { params: pipelineIdParams },
  responses: {
    200: pipeline("The canceled pipeline.", { canceled: { summary: "Canceled in its second step", value: canceledPipeline } }),
    404: pipelineNotFound,
    409: problemResponse("The pipeline already ended", {
      pipeline_finished: problemExample("pipeline_finished", { detail: `Pipeline ${EXAMPLE_PIPELINE_ID} is already succeeded.` }),
    }),
    ...authProblems,
  },
});

export const deletePipelineRoute = createRoute({
  method: "delete",
  path: "/v1/pipelines/{id}",
  operationId: "deletePipeline",
  summary: "Delete a finished pipeline and all its jobs",
  description:
    "Each of its jobs is deleted as `DELETE /v1/jobs/{id}` deletes one (stored outputs removed, their links `404`); then the pipeline itself, which `GET` answers `404` for afterwards and `GET /v1/pipelines` no longer lists. A pipeline still running is `409` (cancel it first).",
  tags: ["Pipelines"],
  ...authenticated,
  request: { params: pipelineIdParams },
  responses: {
    204: { description: "Deleted.", headers: REQUEST_ID_HEADER },
    404: pipelineNotFound,
    409: problemResponse("The pipeline has not finished", {
      pipeline_unfinished: problemExample("pipeline_unfinished", { detail: `Pipeline ${EXAMPLE_PIPELINE_ID} is still running; cancel it first.` }),
    }),
    503: problemResponse("Some of its jobs could not be reached", {
      delete_incomplete: problemExample("delete_incomplete", { detail: "2 jobs could not be reached; send the DELETE again." }),
    }),
    ...authProblems,
  },
});
