// /v1/pipelines: a chain of steps validated and admitted whole, then run by the PipelineWorkflow
// (Cloudflare Workflows); what clients read is in D1 (src/db/pipelines.ts). Create, read, list,
// cancel and delete: the handlers here, the routes' definitions in definitions.ts. POST /v1/quotes
// prices a pipeline with quote.ts.
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
import type { AppEnv } from "../../context.ts";
import { claimIdempotent } from "../../idempotency.ts";
import { routeGroup } from "../../openapi/hook.ts";
import { readJsonBody, specContext } from "../../request.ts";
import {
  cancelPipelineRoute,
  createPipelineRoute,
  deletePipelineRoute,
  getPipelineRoute,
  listPipelinesRoute,
} from "./definitions.ts";

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
