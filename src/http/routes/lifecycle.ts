// DELETE /v1/jobs/{id} and DELETE /v1/batches/{id}: what is erased where is docs/lifecycle.md.
import { createRoute } from "@hono/zod-openapi";
import { batchApi, batchJobId } from "../../batches/batch-client.ts";
import { jobApi } from "../../jobs/job-client.ts";
import { deleteGroupJobs } from "../../lifecycle/delete-jobs.ts";
import { notFound, problem } from "../../lib/problems.ts";
import { routeGroup } from "../openapi/hook.ts";
import { batchIdParams, EXAMPLE_BATCH_ID, EXAMPLE_JOB_ID, jobIdParams } from "../openapi/params.ts";
import { authenticated, authProblems, notFoundProblem, problemExample, problemResponse, REQUEST_ID_HEADER } from "../openapi/problems.ts";

const deleted = { description: "Deleted.", headers: REQUEST_ID_HEADER };

export const deleteJobRoute = createRoute({
  method: "delete",
  path: "/v1/jobs/{id}",
  operationId: "deleteJob",
  summary: "Delete a finished job",
  description:
    "Removes the job's stored outputs from R2 (their links answer `404`), erases its params, outputs, metadata and events, takes it out of every listing (`GET` answers `404` afterwards), and, for a Wiro task, deletes its input and output files at Wiro (`Task/InputOutputDelete`, retried until it succeeds). WeShop offers no delete call: what it keeps of a run is kept there. Usage totals keep the job's cost, without content.",
  tags: ["Jobs"],
  ...authenticated,
  request: { params: jobIdParams },
  responses: {
    204: deleted,
    404: notFoundProblem("Job", EXAMPLE_JOB_ID),
    409: problemResponse("The job has not finished", {
      job_unfinished: problemExample("job_unfinished", { detail: `Job ${EXAMPLE_JOB_ID} is running; cancel it first, then delete it.` }),
    }),
    ...authProblems,
  },
});

export const deleteBatchRoute = createRoute({
  method: "delete",
  path: "/v1/batches/{id}",
  operationId: "deleteBatch",
  summary: "Delete a finished batch and all its jobs",
  description: "Each job is deleted as `DELETE /v1/jobs/{id}` deletes one; then the batch itself. A batch still running is `409` (cancel it first).",
  tags: ["Batches"],
  ...authenticated,
  request: { params: batchIdParams },
  responses: {
    204: deleted,
    404: notFoundProblem("Batch", EXAMPLE_BATCH_ID),
    409: problemResponse("The batch has unfinished jobs", {
      batch_unfinished: problemExample("batch_unfinished", { detail: `Batch ${EXAMPLE_BATCH_ID} still has unfinished jobs; cancel it first.` }),
    }),
    ...authProblems,
  },
});

export const lifecycleRoutes = routeGroup()
  .openapi(deleteJobRoute, async (c) => {
    const { id } = c.req.valid("param");
    const answer = await jobApi(c.env, id).erase(c.get("tenant"), "client");
    if (answer === "missing") throw notFound(`Job ${id}`);
    if (answer === "unfinished")
      throw problem("job_unfinished", {
        detail: `Job ${id} has not finished (or its provider task is still being stopped); cancel it first, then delete it once it has ended.`,
      });
    return c.body(null, 204);
  })
  .openapi(deleteBatchRoute, async (c) => {
    const { id } = c.req.valid("param");
    const tenant = c.get("tenant");
    const batch = await batchApi(c.env, id).read(tenant);
    if (!batch) throw notFound(`Batch ${id}`);
    const unfinished = () => problem("batch_unfinished", { detail: `Batch ${id} still has unfinished jobs; cancel it first.` });
    if (batch.status === "running") throw unfinished();
    const ids = await Promise.all(Array.from({ length: batch.created }, (_, i) => batchJobId(id, i)));
    await deleteGroupJobs(c.env, tenant, ids, unfinished);
    await batchApi(c.env, id).erase(tenant);
    return c.body(null, 204);
  });
