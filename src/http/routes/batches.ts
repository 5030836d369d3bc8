// /v1/batches: create (idempotent with Idempotency-Key), list, read, list the jobs of, cancel and
// delete batches; what a DELETE erases where is docs/lifecycle.md. The list is read from the jobs
// index (src/db/batch-list.ts): a batch is listed once its first job exists. The definitions of
// its operations first, then their handlers.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type BatchRecord, batchApi, batchJobId } from "../../batches/batch-client.ts";
import { batchView } from "../../batches/batch-view.ts";
import { admitOrRefuse } from "../../budgets/admission.ts";
import { listBatchIds } from "../../db/batch-list.ts";
import { decodeCursor, encodeCursor } from "../../db/jobs-index.ts";
import { randomId } from "../../lib/crypto.ts";
import { notFound, problem } from "../../lib/problems.ts";
import { validationError } from "../../lib/validation.ts";
import { withDefaultWebhook } from "../../lifecycle/default-webhook.ts";
import { deleteGroupJobs } from "../../lifecycle/delete-jobs.ts";
import { batchListQuery, batchListSchema } from "../../schemas/batch-query.ts";
import { validateBatch } from "../../schemas/batch-spec.ts";
import { batchViewSchema } from "../../schemas/batch-view.ts";
import type { AppEnv } from "../context.ts";
import { claimIdempotent, idempotencyKeyHeader, idempotencyResponses, replayedHeader } from "../idempotency.ts";
import { listJobs } from "../job-reads.ts";
import { completedBatch, created, EXAMPLE_CONTEXT, MODEL_EXAMPLES, runningBatch } from "../openapi/examples.ts";
import { routeGroup } from "../openapi/hook.ts";
import { batchIdParams, EXAMPLE_BATCH_ID, locationHeader } from "../openapi/params.ts";
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
} from "../openapi/problems.ts";
import { ref } from "../openapi/request-schemas.ts";
import { readJsonBody, specContext } from "../request.ts";
import { documentedListQuery, listResponses } from "./jobs/jobs.ts";

const batchNotFound = notFoundProblem("Batch", EXAMPLE_BATCH_ID);
const batch = resourceResponse(batchViewSchema);

async function loadBatch(c: Context<AppEnv>, id: string): Promise<BatchRecord> {
  const record = await batchApi(c.env, id).read(c.get("tenant"));
  if (!record) throw notFound(`Batch ${id}`);
  return record;
}

const twoJobs = (["weshop/seedream", "wiro/ByteDance/text-to-video-seedance-v1"] as const).map((id) => ({
  model: id,
  params: MODEL_EXAMPLES[id].params,
}));
const badBatch = {
  jobs: [
    { model: "weshop/seedream", params: { textDescription: "a fox" } },
    { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a fox", duration: 7 } },
  ],
};

export const createBatchRoute = createRoute({
  method: "post",
  path: "/v1/batches",
  operationId: "createBatch",
  summary: "Create a batch of jobs",
  description:
    "One bad job spec refuses the whole batch, every problem listed by path; otherwise the jobs are created in the background and the batch answers `202` at once.",
  tags: ["Batches"],
  ...authenticated,
  request: {
    headers: z.object({ "Idempotency-Key": idempotencyKeyHeader("batch") }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: ref("CreateBatch"),
          examples: { twoModels: { summary: "Two jobs, two models", value: { jobs: twoJobs } } },
        },
      },
    },
  },
  responses: {
    202: batch(
      "Accepted; the jobs are being created.",
      {
        created: {
          summary: "A new batch",
          value: { ...runningBatch, counts: { ...runningBatch.counts, queued: 2, succeeded: 0 } },
        },
      },
      { ...locationHeader("/v1/batches/{id}"), ...replayedHeader },
    ),
    ...jsonBodyProblems({ validation_failed: validationProblem(validateBatch(badBatch, EXAMPLE_CONTEXT).errors) }),
    ...idempotencyResponses,
    ...admissionProblems,
    ...authProblems,
  },
});

export const getBatchRoute = createRoute({
  method: "get",
  path: "/v1/batches/{id}",
  operationId: "getBatch",
  summary: "Get a batch",
  description:
    "The batch's status, the count of its jobs in each state, and its cost so far. A batch of another API key is `404`.",
  tags: ["Batches"],
  ...authenticated,
  request: { params: batchIdParams },
  responses: {
    200: batch("The batch.", { running: { summary: "Half done", value: runningBatch } }),
    404: batchNotFound,
    ...authProblems,
  },
});

export const listBatchJobsRoute = createRoute({
  method: "get",
  path: "/v1/batches/{id}/jobs",
  operationId: "listBatchJobs",
  summary: "List a batch's jobs",
  description:
    "The jobs the batch created, newest first, in pages like `GET /v1/jobs` (same filters, except `batchId`, which is the path's).",
  tags: ["Batches"],
  ...authenticated,
  // the batch comes from the path
  request: { params: batchIdParams, query: documentedListQuery.omit({ batchId: true }) },
  responses: { ...listResponses, 404: batchNotFound, ...authProblems },
});

export const cancelBatchRoute = createRoute({
  method: "post",
  path: "/v1/batches/{id}/cancel",
  operationId: "cancelBatch",
  summary: "Cancel a batch",
  description: "Cancels every job of the batch that has not ended.",
  tags: ["Batches"],
  ...authenticated,
  request: { params: batchIdParams },
  responses: {
    200: batch("The canceled batch.", {
      canceled: {
        summary: "Canceled",
        value: {
          ...runningBatch,
          status: "canceled",
          counts: { ...runningBatch.counts, queued: 0, canceled: 1 },
          completedAt: created,
        },
      },
    }),
    404: batchNotFound,
    409: problemResponse("The batch already ended", {
      batch_finished: problemExample("batch_finished", { detail: `Batch ${EXAMPLE_BATCH_ID} is already completed.` }),
    }),
    ...authProblems,
  },
});

export const listBatchesRoute = createRoute({
  method: "get",
  path: "/v1/batches",
  operationId: "listBatches",
  summary: "List batches",
  description:
    "The key's batches, newest first, with their counts. A batch appears once its first job has been created (right after the request).",
  tags: ["Batches"],
  ...authenticated,
  request: {
    query: batchListQuery.extend({
      limit: batchListQuery.shape.limit.openapi({ param: { description: "Page size.", example: 20 } }),
      cursor: batchListQuery.shape.cursor.openapi({ param: { description: "`nextCursor` of the previous page." } }),
    }),
  },
  responses: {
    200: {
      description: "A page of batches, newest first.",
      headers: REQUEST_ID_HEADER,
      content: {
        "application/json": {
          schema: batchListSchema,
          examples: {
            page: {
              summary: "One page",
              value: {
                data: [runningBatch, { ...completedBatch, id: "batch_9z8y7x6w5v4u3t2s1r0q" }],
                nextCursor: null,
              },
            },
          },
        },
      },
    },
    400: problemResponse("Invalid query", {
      validation_failed: validationProblem([{ path: "limit", message: "must be an integer from 1 to 100" }]),
    }),
    ...authProblems,
  },
});

const deleted = { description: "Deleted.", headers: REQUEST_ID_HEADER };

export const deleteBatchRoute = createRoute({
  method: "delete",
  path: "/v1/batches/{id}",
  operationId: "deleteBatch",
  summary: "Delete a finished batch and all its jobs",
  description:
    "Each job is deleted as `DELETE /v1/jobs/{id}` deletes one; then the batch itself. A batch still running is `409` (cancel it first).",
  tags: ["Batches"],
  ...authenticated,
  request: { params: batchIdParams },
  responses: {
    204: deleted,
    404: notFoundProblem("Batch", EXAMPLE_BATCH_ID),
    409: problemResponse("The batch has unfinished jobs", {
      batch_unfinished: problemExample("batch_unfinished", {
        detail: `Batch ${EXAMPLE_BATCH_ID} still has unfinished jobs; cancel it first.`,
      }),
    }),
    ...authProblems,
  },
});

export const batchRoutes = routeGroup()
  .openapi(createBatchRoute, async (c) => {
    const idempotencyKey = c.req.valid("header")["Idempotency-Key"];
    const { spec, errors } = validateBatch(await readJsonBody(c), specContext(c));
    if (!spec) throw validationError(errors);
    const tenant = c.get("tenant");
    const id = await claimIdempotent(c, "batches", idempotencyKey, spec, randomId("batch"));
    // the whole batch is admitted at once, or none of it: its jobs' ids are derived, so they are reserved before they exist
    const candidates = await Promise.all(
      spec.jobs.map(async (job, i) => ({
        jobId: await batchJobId(id, i),
        model: job.model,
        params: job.params,
        tags: job.tags,
      })),
    );
    const estimates = await admitOrRefuse(c.env, c.get("config"), tenant, candidates);
    const record = await batchApi(c.env, id).create({
      id,
      tenant,
      // the tenant's default webhook for the jobs that name none (settings)
      specs: (await withDefaultWebhook(c.env.DB, tenant, spec.jobs)).map((job, i) => ({
        ...job,
        estimate: estimates[i] ?? null,
      })),
      ...(spec.webhookUrl ? { webhookUrl: spec.webhookUrl } : {}),
      origin: new URL(c.req.url).origin,
    });
    c.header("Location", `/v1/batches/${id}`);
    return c.json(await batchView(c.env, record), 202);
  })
  .openapi(getBatchRoute, async (c) => c.json(await batchView(c.env, await loadBatch(c, c.req.valid("param").id)), 200))
  .openapi(listBatchJobsRoute, async (c) => {
    const record = await loadBatch(c, c.req.valid("param").id);
    return c.json(await listJobs(c, { ...c.req.valid("query"), batchId: record.id }), 200);
  })
  .openapi(cancelBatchRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { batch: record, canceled } = await batchApi(c.env, id).cancel(c.get("tenant"));
    if (!record) throw notFound(`Batch ${id}`);
    if (!canceled) throw problem("batch_finished", { detail: `Batch ${id} is already ${record.status}.` });
    return c.json(await batchView(c.env, record), 200);
  })
  .openapi(listBatchesRoute, async (c) => {
    const { limit, cursor: cursorText } = c.req.valid("query");
    const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText, "batch");
    if (cursorText !== undefined && !cursor)
      throw validationError([{ path: "cursor", message: "is not a cursor from a previous page" }]);
    const tenant = c.get("tenant");
    const page = await listBatchIds(c.env.DB, tenant, limit, cursor);
    const records = await Promise.all(page.ids.map((id) => batchApi(c.env, id).read(tenant)));
    const data = await Promise.all(records.flatMap((b) => (b ? [batchView(c.env, b)] : [])));
    return c.json({ data, nextCursor: page.next ? encodeCursor(page.next) : null }, 200);
  })
  .openapi(deleteBatchRoute, async (c) => {
    const { id } = c.req.valid("param");
    const tenant = c.get("tenant");
    const batch = await batchApi(c.env, id).read(tenant);
    if (!batch) throw notFound(`Batch ${id}`);
    const unfinished = () =>
      problem("batch_unfinished", { detail: `Batch ${id} still has unfinished jobs; cancel it first.` });
    if (batch.status === "running") throw unfinished();
    const ids = await Promise.all(Array.from({ length: batch.created }, (_, i) => batchJobId(id, i)));
    await deleteGroupJobs(c.env, tenant, ids, unfinished);
    await batchApi(c.env, id).erase(tenant);
    return c.body(null, 204);
  });
