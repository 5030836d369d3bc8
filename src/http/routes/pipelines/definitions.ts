// The /v1/pipelines routes as the OpenAPI document describes them (request, responses, examples); their handlers are in
// pipelines.ts. Kept apart because the descriptions and examples are most of the lines and change for other reasons.
import { createRoute, z } from "@hono/zod-openapi";
import { validatePipeline } from "../../../schemas/pipeline-spec.ts";
import { pipelineListSchema, pipelineViewSchema } from "../../../schemas/pipeline-view.ts";
import { idempotencyKeyHeader, idempotencyResponses, replayedHeader } from "../../idempotency.ts";
import { EXAMPLE_CONTEXT } from "../../openapi/examples.ts";
import { EXAMPLE_PIPELINE_ID, locationHeader, pipelineIdParams } from "../../openapi/params.ts";
import {
  BAD_PIPELINE,
  canceledPipeline,
  FAN_OUT,
  IMAGE_TO_VIDEO,
  runningPipeline,
  succeededPipeline,
} from "../../openapi/pipeline-examples.ts";
import {
  admissionProblems,
  authenticated,
  authProblems,
  jsonBodyProblems,
  notFoundProblem,
  problemExample,
  problemResponse,
  REQUEST_ID_HEADER,
  resourceResponse,
  validationProblem,
} from "../../openapi/problems.ts";
import { ref } from "../../openapi/request-schemas.ts";

const pipeline = resourceResponse(pipelineViewSchema);
const pipelineNotFound = notFoundProblem("Pipeline", EXAMPLE_PIPELINE_ID);

export const createPipelineRoute = createRoute({
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
            steps: runningPipeline.steps.map((s, i) => ({
              ...s,
              status: i === 0 ? "running" : "waiting",
              jobIds: i === 0 ? s.jobIds : [],
            })),
            cost: { ...runningPipeline.cost, actual: [] },
          },
        },
      },
      { ...locationHeader("/v1/pipelines/{id}"), ...replayedHeader },
    ),
    ...jsonBodyProblems({
      validation_failed: validationProblem(
        validatePipeline(BAD_PIPELINE, { ...EXAMPLE_CONTEXT, publicBaseUrl: true }).errors,
      ),
    }),
    ...idempotencyResponses,
    ...admissionProblems,
    ...authProblems,
  },
});

export const getPipelineRoute = createRoute({
  method: "get",
  path: "/v1/pipelines/{id}",
  operationId: "getPipeline",
  summary: "Get a pipeline",
  description:
    "Its steps in order, each with its status and jobs (`GET /v1/jobs/{id}`, or `GET /v1/jobs?pipelineId=`).",
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

export const listPipelinesRoute = createRoute({
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
        "application/json": {
          schema: pipelineListSchema,
          examples: { page: { summary: "One page", value: { data: [runningPipeline], nextCursor: null } } },
        },
      },
    },
    400: problemResponse("Invalid query", {
      validation_failed: validationProblem([{ path: "limit", message: LIMIT }]),
    }),
    ...authProblems,
  },
});

export const cancelPipelineRoute = createRoute({
  method: "post",
  path: "/v1/pipelines/{id}/cancel",
  operationId: "cancelPipeline",
  summary: "Cancel a pipeline",
  description:
    "Cancels its running jobs (stopping their provider tasks as a job cancel does) and skips the steps still waiting.",
  tags: ["Pipelines"],
  ...authenticated,
  request: { params: pipelineIdParams },
  responses: {
    200: pipeline("The canceled pipeline.", {
      canceled: { summary: "Canceled in its second step", value: canceledPipeline },
    }),
    404: pipelineNotFound,
    409: problemResponse("The pipeline already ended", {
      pipeline_finished: problemExample("pipeline_finished", {
        detail: `Pipeline ${EXAMPLE_PIPELINE_ID} is already succeeded.`,
      }),
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
      pipeline_unfinished: problemExample("pipeline_unfinished", {
        detail: `Pipeline ${EXAMPLE_PIPELINE_ID} is still running; cancel it first.`,
      }),
    }),
    503: problemResponse("Some of its jobs could not be reached", {
      delete_incomplete: problemExample("delete_incomplete", {
        detail: "2 jobs could not be reached; send the DELETE again.",
      }),
    }),
    ...authProblems,
  },
});
