// /v1/batches: up to 1000 job specs validated up front, fanned out by a BatchObject.
import { Hono, type Context } from "hono";
import { batchApi, type BatchRecord } from "../../batches/batch-client.ts";
import { batchView } from "../../batches/batch-view.ts";
import { canonicalJson, idempotencyApi } from "../../idempotency/idempotency-client.ts";
import { randomId, sha256Hex } from "../../lib/crypto.ts";
import { ApiError, notFound } from "../../lib/errors.ts";
import { validationError } from "../../lib/validation.ts";
import { validateBatch } from "../../schemas/batch-spec.ts";
import { admitOrRefuse } from "../../budgets/admission.ts";
import { batchJobId } from "../../batches/batch-client.ts";
import type { AppEnv } from "../context.ts";
import { readJsonBody } from "../request.ts";
import { listJobs } from "./jobs.ts";

const BATCH_ID = /^batch_[0-9a-z]{20}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

async function loadBatch(c: Context<AppEnv>, id: string): Promise<BatchRecord> {
  if (!BATCH_ID.test(id)) throw notFound(`Batch ${id}`);
  const batch = await batchApi(c.env, id).read(c.get("tenant"));
  if (!batch) throw notFound(`Batch ${id}`);
  return batch;
}

export const batchRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const idempotencyKey = c.req.header("Idempotency-Key");
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey))
      throw validationError([{ path: "Idempotency-Key", message: "must be 1 to 255 visible ASCII characters" }]);
    const config = c.get("config");
    const { spec, errors } = validateBatch(await readJsonBody(c), { allowLoopbackHttp: config.devMode, webhooksEnabled: config.webhookSecret !== undefined });
    if (!spec) throw validationError(errors);
    const tenant = c.get("tenant");
    let id = randomId("batch");
    if (idempotencyKey !== undefined) {
      const claim = await idempotencyApi(c.env, `${tenant}:batches:${idempotencyKey}`).claim(await sha256Hex(canonicalJson(spec)), id);
      if (claim.kind === "mismatch")
        throw new ApiError(
          422,
          "idempotency_key_reused",
          "Idempotency-Key reused",
          "This Idempotency-Key was already used with a different request body in the last 24 hours.",
        );
      if (claim.kind === "replay") c.header("Idempotent-Replayed", "true");
      id = claim.value;
    }
    // the whole batch is admitted at once, or none of it: its jobs' ids are derived, so they can be reserved before they exist
    const candidates = await Promise.all(spec.jobs.map(async (job, i) => ({ jobId: await batchJobId(id, i), model: job.model, params: job.params })));
    const estimates = await admitOrRefuse(c.env, config, tenant, candidates);
    const batch = await batchApi(c.env, id).create({
      id,
      tenant,
      specs: spec.jobs.map((job, i) => ({ ...job, estimate: estimates[i] ?? null })),
      ...(spec.webhookUrl ? { webhookUrl: spec.webhookUrl } : {}),
      origin: new URL(c.req.url).origin,
    });
    c.header("Location", `/v1/batches/${id}`);
    return c.json(await batchView(c.env, batch), 202);
  })
  .get("/:id", async (c) => c.json(await batchView(c.env, await loadBatch(c, c.req.param("id")))))
  .get("/:id/jobs", async (c) => {
    const batch = await loadBatch(c, c.req.param("id"));
    return c.json(await listJobs(c, { ...c.req.query(), batchId: batch.id }));
  })
  .post("/:id/cancel", async (c) => {
    const id = c.req.param("id");
    if (!BATCH_ID.test(id)) throw notFound(`Batch ${id}`);
    const { batch, canceled } = await batchApi(c.env, id).cancel(c.get("tenant"));
    if (!batch) throw notFound(`Batch ${id}`);
    if (!canceled) throw new ApiError(409, "batch_finished", "Batch already finished", `Batch ${id} is already ${batch.status}.`);
    return c.json(await batchView(c.env, batch));
  });
