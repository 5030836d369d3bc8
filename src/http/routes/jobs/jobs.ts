// /v1/jobs: create (idempotent with Idempotency-Key), read, list, cancel and delete jobs (what a
// DELETE erases where is docs/lifecycle.md); a job's live status is events.ts. The definitions
// of its operations first, then their handlers: what a route validates is what the document says.
import { createRoute, z } from "@hono/zod-openapi";
import { admitOrRefuse } from "../../../budgets/admission.ts";
import { jobApi, type NewJob } from "../../../jobs/job-client.ts";
import { publicJob } from "../../../jobs/public-job.ts";
import { randomId } from "../../../lib/crypto.ts";
import { notFound, problem } from "../../../lib/problems.ts";
import { validationError } from "../../../lib/validation.ts";
import { withDefaultWebhook } from "../../../lifecycle/default-webhook.ts";
import { MODEL_IDS } from "../../../providers/models.ts";
import { listQuery } from "../../../schemas/job-query.ts";
import { validateJobSpec } from "../../../schemas/job-spec.ts";
import { jobListSchema, jobSchema } from "../../../schemas/job-view.ts";
import { claimIdempotent, idempotencyKeyHeader, idempotencyResponses, replayedHeader } from "../../idempotency.ts";
import { jobStub, listJobs, loadJob, waitForEnd } from "../../job-reads.ts";
import {
  created,
  failedJob,
  MODEL_EXAMPLES,
  queuedJob,
  succeededJob,
  validationExample,
} from "../../openapi/examples.ts";
import { routeGroup } from "../../openapi/hook.ts";
import { EXAMPLE_JOB_ID, jobIdParams, preferenceApplied, preferHeader } from "../../openapi/params.ts";
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
import { ref, slug } from "../../openapi/request-schemas.ts";
import { linkSigner, preferredWait, readJsonBody, specContext } from "../../request.ts";

const jobNotFound = notFoundProblem("Job", EXAMPLE_JOB_ID);
const job = resourceResponse(jobSchema);

export const createJobRoute = createRoute({
  method: "post",
  path: "/v1/jobs",
  operationId: "createJob",
  summary: "Create a job",
  description:
    "Validates the whole request first (every bad field is reported by path and nothing reaches a provider), then answers `202` at once. Follow the job with `GET /v1/jobs/{id}` or a webhook.",
  tags: ["Jobs"],
  ...authenticated,
  request: {
    headers: z.object({ "Idempotency-Key": idempotencyKeyHeader("job"), Prefer: preferHeader }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: ref("CreateJob"),
          examples: Object.fromEntries(
            MODEL_IDS.map((id) => {
              const e = MODEL_EXAMPLES[id];
              return [
                slug(id),
                {
                  summary: e.summary,
                  value: { model: id, params: e.params, ...(e.metadata ? { metadata: e.metadata } : {}) },
                },
              ];
            }),
          ),
        },
      },
    },
  },
  responses: {
    202: job(
      "Accepted; the job is queued.",
      { queued: { summary: "A queued job", value: queuedJob } },
      {
        Location: { description: "`/v1/jobs/{id}` of the new job.", schema: { type: "string" as const } },
        ...replayedHeader,
        ...preferenceApplied,
      },
    ),
    ...jsonBodyProblems({ validation_failed: validationExample() }),
    ...idempotencyResponses,
    ...admissionProblems,
    ...authProblems,
  },
});

export const getJobRoute = createRoute({
  method: "get",
  path: "/v1/jobs/{id}",
  operationId: "getJob",
  summary: "Get a job",
  description: "A job is visible only to the API key that created it; others get `404`.",
  tags: ["Jobs"],
  ...authenticated,
  request: { params: jobIdParams, headers: z.object({ Prefer: preferHeader }) },
  responses: {
    200: job(
      "The job.",
      {
        succeeded: { summary: "Succeeded, two stored images", value: succeededJob },
        failed: { summary: "Failed", value: failedJob },
      },
      preferenceApplied,
    ),
    404: jobNotFound,
    ...authProblems,
  },
});

/** The 200 and 400 of both job lists. */
export const listResponses = {
  200: {
    description: "A page of jobs, newest first.",
    headers: REQUEST_ID_HEADER,
    content: {
      "application/json": {
        schema: jobListSchema,
        examples: { page: { summary: "One page", value: { data: [succeededJob], nextCursor: null } } },
      },
    },
  },
  400: problemResponse("Invalid query (a bad value or an unknown parameter)", {
    validation_failed: validationProblem([{ path: "limit", message: "must be an integer from 1 to 100" }]),
  }),
};

/** Words and examples for each list parameter; the schemas are listQuery's own. */
export const documentedListQuery = listQuery.extend({
  status: listQuery.shape.status.openapi({ param: { description: "Only jobs in this status.", example: "succeeded" } }),
  model: listQuery.shape.model.openapi({ param: { description: "Only jobs of this model." } }),
  batchId: listQuery.shape.batchId.openapi({ param: { description: "Only jobs of this batch." } }),
  tag: listQuery.shape.tag.openapi({
    param: { description: "Only jobs carrying this tag.", example: "campaign:spring" },
  }),
  pipelineId: listQuery.shape.pipelineId.openapi({ param: { description: "Only jobs of this pipeline." } }),
  limit: listQuery.shape.limit.openapi({ param: { description: "Page size.", example: 20 } }),
  cursor: listQuery.shape.cursor.openapi({ param: { description: "`nextCursor` of the previous page." } }),
});

export const listJobsRoute = createRoute({
  method: "get",
  path: "/v1/jobs",
  operationId: "listJobs",
  summary: "List jobs",
  description: "This key's jobs, newest first, a page at a time.",
  tags: ["Jobs"],
  ...authenticated,
  request: { query: documentedListQuery },
  responses: { ...listResponses, ...authProblems },
});

export const cancelJobRoute = createRoute({
  method: "post",
  path: "/v1/jobs/{id}/cancel",
  operationId: "cancelJob",
  summary: "Cancel a job",
  description:
    "Stops following the job at the provider (Wiro tasks are killed; WeShop has no cancel) and ends it as `canceled`.",
  tags: ["Jobs"],
  ...authenticated,
  request: { params: jobIdParams },
  responses: {
    200: job("The canceled job.", {
      canceled: { summary: "Canceled", value: { ...queuedJob, status: "canceled", completedAt: created } },
    }),
    404: jobNotFound,
    409: problemResponse("The job already ended", {
      job_finished: problemExample("job_finished", {
        detail: `Job ${EXAMPLE_JOB_ID} already ended as succeeded; it cannot be canceled.`,
      }),
    }),
    ...authProblems,
  },
});

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
      job_unfinished: problemExample("job_unfinished", {
        detail: `Job ${EXAMPLE_JOB_ID} is running; cancel it first, then delete it.`,
      }),
    }),
    ...authProblems,
  },
});

export const jobRoutes = routeGroup()
  .openapi(createJobRoute, async (c) => {
    const idempotencyKey = c.req.valid("header")["Idempotency-Key"];
    const body = await readJsonBody(c);
    const { spec, errors } = validateJobSpec(body, specContext(c));
    if (!spec) throw validationError(errors);
    const fresh: NewJob = {
      id: randomId("job"),
      tenant: c.get("tenant"),
      ...spec,
      requestId: c.get("requestId"),
      origin: new URL(c.req.url).origin,
    };
    const claimed = await claimIdempotent(c, "jobs", idempotencyKey, spec, fresh);
    // admitted against the caller's budget before anything exists: a refusal creates and sends nothing
    const [estimate] = await admitOrRefuse(c.env, c.get("config"), c.get("tenant"), [
      { jobId: claimed.id, model: claimed.model, params: claimed.params, tags: claimed.tags },
    ]);
    // the tenant's default webhook when the job names none (settings)
    const [hooked] = await withDefaultWebhook(c.env.DB, c.get("tenant"), [claimed]);
    const input: NewJob = { ...hooked!, estimate: estimate ?? null };
    let record = await jobStub(c, input.id).create(input);
    const wait = preferredWait(c);
    if (wait) record = await waitForEnd(c, record, wait);
    c.header("Location", `/v1/jobs/${input.id}`);
    return c.json(await publicJob(record, linkSigner(c)), 202);
  })
  .openapi(listJobsRoute, async (c) => c.json(await listJobs(c, c.req.valid("query")), 200))
  .openapi(getJobRoute, async (c) => {
    let record = await loadJob(c, c.req.valid("param").id);
    const wait = preferredWait(c);
    if (wait) record = await waitForEnd(c, record, wait);
    return c.json(await publicJob(record, linkSigner(c)), 200);
  })
  .openapi(cancelJobRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { job: record, canceled } = await jobStub(c, id).cancel(c.get("tenant"));
    if (!record) throw notFound(`Job ${id}`);
    if (!canceled)
      throw problem("job_finished", { detail: `Job ${id} already ended as ${record.status}; it cannot be canceled.` });
    return c.json(await publicJob(record, linkSigner(c)), 200);
  })
  .openapi(deleteJobRoute, async (c) => {
    const { id } = c.req.valid("param");
    const answer = await jobApi(c.env, id).erase(c.get("tenant"), "client");
    if (answer === "missing") throw notFound(`Job ${id}`);
    if (answer === "unfinished")
      throw problem("job_unfinished", {
        detail: `Job ${id} has not finished (or its provider task is still being stopped); cancel it first, then delete it once it has ended.`,
      });
    return c.body(null, 204);
  });
