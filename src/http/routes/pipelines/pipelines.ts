// /v1/pipelines: a chain of steps validated and admitted whole, then run by the PipelineWorkflow
// (Cloudflare Workflows); what clients read is in D1 (src/db/pipelines.ts). Create, read, list,
// cancel and delete; the definitions first, then their handlers. POST /v1/quotes prices a
// pipeline with quote.ts.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { admitOrRefuse } from "../../../budgets/admission.ts";
import { sumEstimates } from "../../../costs/sums.ts";
import { decodeCursor, encodeCursor } from "../../../db/jobs-index.ts";
import {
  deletePipeline,
  insertPipeline,
  listPipelines,
  markCanceled,
  type PipelineRecord,
  pipelineJobIdsIndexed,
  readPipeline,
  readSteps,
} from "../../../db/pipelines.ts";
import { jobApi } from "../../../jobs/job-client.ts";
import { randomId } from "../../../lib/crypto.ts";
import { notFound, problem } from "../../../lib/problems.ts";
import { validationError } from "../../../lib/validation.ts";
import { deleteGroupJobs } from "../../../lifecycle/delete-jobs.ts";
import { pipelineJobId, startPipelineRun } from "../../../pipelines/pipeline-client.ts";
import { pipelineView } from "../../../pipelines/pipeline-view.ts";
import { type PipelineSpec, validatePipeline } from "../../../schemas/pipeline-spec.ts";
import { pipelineListSchema, pipelineViewSchema } from "../../../schemas/pipeline-view.ts";
import type { AppEnv } from "../../context.ts";
import { claimIdempotent, idempotencyKeyHeader, idempotencyResponses, replayedHeader } from "../../idempotency.ts";
import {
  BAD_PIPELINE,
  canceledPipeline,
  EXAMPLE_CONTEXT,
  FAN_OUT,
  IMAGE_TO_VIDEO,
  runningPipeline,
  succeededPipeline,
} from "../../openapi/examples.ts";
import { routeGroup } from "../../openapi/hook.ts";
import { EXAMPLE_PIPELINE_ID, locationHeader, pipelineIdParams } from "../../openapi/params.ts";
import {
  admissionProblems,
  authenticated,
  authProblems,
  jsonBodyProblems,
  notFoundProblem,
  problemExample,
  problemResponse,
  REQUEST_ID_HEADER,
  validationProblem,
} from "../../openapi/problems.ts";
import { ref } from "../../openapi/request-schemas.ts";
import { readJsonBody, specContext } from "../../request.ts";

const pipeline = (
  description: string,
  examples: Record<string, { summary: string; value: unknown }>,
  headers = {},
) => ({
  description,
  headers: { ...REQUEST_ID_HEADER, ...headers },
  content: { "application/json": { schema: pipelineViewSchema, examples } },
});
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

async function loadPipeline(c: Context<AppEnv>, id: string): Promise<PipelineRecord> {
  const record = await readPipeline(c.env.DB, id, c.get("tenant"));
  if (!record) throw notFound(`Pipeline ${id}`);
  return record;
}

/** The pipeline's request checked as POST /v1/pipelines and POST /v1/quotes do. */
export function checkPipeline(c: Context<AppEnv>, body: unknown): PipelineSpec {
  const { spec, errors } = validatePipeline(body, {
    ...specContext(c),
    publicBaseUrl: c.get("config").publicBaseUrl !== undefined,
  });
  if (!spec) throw validationError(errors);
  return spec;
}

/** Every job the pipeline may run, with its quote params: admission reserves for all of them before any exists. */
export async function pipelineCandidates(id: string, spec: PipelineSpec) {
  return Promise.all(
    spec.steps.flatMap((s) =>
      Array.from({ length: s.maxJobs }, async (_, j) => ({
        jobId: await pipelineJobId(id, s.id, j),
        model: s.model,
        params: s.quoteParams,
        step: s.id,
        // admitted under the tags its jobs will carry, so a per-tag budget counts them
        tags: spec.tags,
      })),
    ),
  );
}

export const pipelineRoutes = routeGroup()
  .openapi(createPipelineRoute, async (c) => {
    const spec = checkPipeline(c, await readJsonBody(c));
    const tenant = c.get("tenant");
    const id = await claimIdempotent(c, "pipelines", c.req.valid("header")["Idempotency-Key"], spec, randomId("pipe"));
    let record = await readPipeline(c.env.DB, id, tenant);
    if (!record) {
      // admitted whole, or refused with nothing created: the jobs' ids are derived, so they are reserved before they exist
      const candidates = await pipelineCandidates(id, spec);
      const estimates = await admitOrRefuse(c.env, c.get("config"), tenant, candidates);
      const steps = spec.steps.map((s) => ({
        ...s,
        estimates: candidates.flatMap((cand, i) => (cand.step === s.id ? [estimates[i] ?? null] : [])),
      }));
      await insertPipeline(c.env.DB, {
        id,
        tenant,
        status: "running",
        spec: { ...spec, steps },
        estimate: sumEstimates(estimates),
        origin: new URL(c.req.url).origin,
        createdAt: Date.now(),
      });
      record = (await readPipeline(c.env.DB, id, tenant))!;
    }
    // also for a replay: a request that stored the pipeline and died before starting it is finished here
    await startPipelineRun(c.env, { pipelineId: id, tenant });
    c.header("Location", `/v1/pipelines/${id}`);
    return c.json(await pipelineView(c.env, record), 202);
  })
  .openapi(getPipelineRoute, async (c) =>
    c.json(await pipelineView(c.env, await loadPipeline(c, c.req.valid("param").id)), 200),
  )
  .openapi(listPipelinesRoute, async (c) => {
    const { limit, cursor: text } = c.req.valid("query");
    const cursor = text === undefined ? undefined : decodeCursor(text, "pipe");
    if (text !== undefined && !cursor)
      throw validationError([{ path: "cursor", message: "is not a cursor from a previous page" }]);
    const page = await listPipelines(c.env.DB, c.get("tenant"), limit, cursor);
    const data = await Promise.all(page.records.map((p) => pipelineView(c.env, p)));
    return c.json({ data, nextCursor: page.next ? encodeCursor(page.next) : null }, 200);
  })
  .openapi(cancelPipelineRoute, async (c) => {
    const { id } = c.req.valid("param");
    const tenant = c.get("tenant");
    const record = await loadPipeline(c, id);
    // marked first, its jobs read second: a step starting meanwhile sees the mark and cancels what it created
    if (!(await markCanceled(c.env.DB, id, tenant)))
      throw problem("pipeline_finished", { detail: `Pipeline ${id} is already ${record.status}.` });
    const steps = await readSteps(c.env.DB, id);
    await Promise.all(steps.flatMap((s) => s.jobIds).map((jobId) => jobApi(c.env, jobId).cancel(tenant)));
    return c.json(await pipelineView(c.env, (await readPipeline(c.env.DB, id, tenant))!), 200);
  })
  .openapi(deletePipelineRoute, async (c) => {
    const { id } = c.req.valid("param");
    const tenant = c.get("tenant");
    const record = await loadPipeline(c, id);
    const unfinished = () =>
      problem("pipeline_unfinished", { detail: `Pipeline ${id} is still running; cancel it first.` });
    // a canceled pipeline's workflow is still winding down until it records its end (completedAt)
    if (record.status === "running" || record.completedAt === undefined) throw unfinished();
    // its steps' lists and the jobs index together: a job erased by an earlier, cut-short DELETE is "missing" now, which is fine
    const [steps, indexed] = await Promise.all([readSteps(c.env.DB, id), pipelineJobIdsIndexed(c.env.DB, tenant, id)]);
    const ids = [...new Set([...steps.flatMap((s) => s.jobIds), ...indexed])];
    await deleteGroupJobs(c.env, tenant, ids, unfinished);
    await deletePipeline(c.env.DB, id, tenant);
    return c.body(null, 204);
  });
