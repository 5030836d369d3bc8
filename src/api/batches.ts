// /v1/batches: up to 1000 job specs validated up front, fanned out by a BatchObject.
import { Hono, type Context } from "hono";
import { z } from "zod";
import { batchApi, batchView, type BatchRecord } from "../batches/batch-object.ts";
import { randomId, sha256Hex } from "../lib/crypto.ts";
import { ApiError, notFound, type FieldError } from "../lib/errors.ts";
import { checkUrl } from "../lib/url-policy.ts";
import { fieldErrors, formatPath, validationError } from "../lib/validation.ts";
import type { AppEnv } from "./context.ts";
import { readJsonBody } from "./http.ts";
import { canonicalJson, idempotencyApi } from "./idempotency-object.ts";
import { validateJobSpec, type JobSpec, type SpecContext } from "./job-spec.ts";
import { listJobs } from "./jobs.ts";

export const MAX_BATCH_JOBS = 1000;
const BATCH_ID = /^batch_[0-9a-z]{20}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export const batchSchema = z.strictObject({
  jobs: z.array(z.unknown(), { error: "must be an array of job specs" }).min(1, "needs at least 1 job").max(MAX_BATCH_JOBS, `takes at most ${MAX_BATCH_JOBS} jobs`),
  webhookUrl: z.string({ error: "must be a URL" }).max(2048, "must be at most 2048 characters").optional(),
});

export interface BatchSpec {
  jobs: JobSpec[];
  webhookUrl?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Validates a whole batch; one bad spec refuses it, with paths like `jobs[17].params.duration`.
 * Every problem is reported in one answer: the jobs are checked whenever `jobs` is an array of at
 * most MAX_BATCH_JOBS entries, and the webhook URL policy whenever `webhookUrl` has the right
 * shape, whatever else failed at the batch's own level (an unknown key, say). An over-long `jobs`
 * is reported alone: its entries are not checked one by one.
 */
export function validateBatch(body: unknown, ctx: SpecContext, prefix: (string | number)[] = []): { spec?: BatchSpec; errors: FieldError[] } {
  const top = batchSchema.safeParse(body);
  const errors: FieldError[] = top.success ? [] : fieldErrors(top.error.issues, prefix);
  const raw = isObject(body) ? body : {};
  const jobs: JobSpec[] = [];
  if (Array.isArray(raw.jobs) && raw.jobs.length <= MAX_BATCH_JOBS) {
    raw.jobs.forEach((rawJob: unknown, i) => {
      const result = validateJobSpec(rawJob, ctx, [...prefix, "jobs", i]);
      errors.push(...result.errors);
      if (result.spec) jobs.push(result.spec);
    });
  }
  const { webhookUrl } = raw;
  // a non-string or over-long webhookUrl is already reported by the schema
  if (typeof webhookUrl === "string" && batchSchema.shape.webhookUrl.safeParse(webhookUrl).success) {
    const reason = ctx.webhooksEnabled ? checkUrl(webhookUrl, { allowLoopbackHttp: ctx.allowLoopbackHttp }) : "webhooks are not enabled on this server (WEBHOOK_SECRET is not set)";
    if (reason) errors.push({ path: formatPath([...prefix, "webhookUrl"]), message: reason });
  }
  if (errors.length > 0 || !top.success) return { errors };
  return { spec: { jobs, ...(top.data.webhookUrl ? { webhookUrl: top.data.webhookUrl } : {}) }, errors };
}

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
        throw new ApiError(422, "idempotency_key_reused", "Idempotency-Key reused", "This Idempotency-Key was already used with a different request body in the last 24 hours.");
      if (claim.kind === "replay") c.header("Idempotent-Replayed", "true");
      id = claim.value;
    }
    const batch = await batchApi(c.env, id).create({ id, tenant, specs: spec.jobs, ...(spec.webhookUrl ? { webhookUrl: spec.webhookUrl } : {}), origin: new URL(c.req.url).origin });
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
