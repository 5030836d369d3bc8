// /v1/jobs: create a job (validated field by field before anything reaches a provider) and read it.
import { Hono } from "hono";
import { z } from "zod";
import { ApiError, notFound } from "../lib/errors.ts";
import { randomId } from "../lib/crypto.ts";
import { fieldErrors, formatPath, validationError } from "../lib/validation.ts";
import { checkUrl } from "../lib/url-policy.ts";
import { signMediaUrl } from "../media/links.ts";
import { MODEL_IDS, modelSpec } from "../providers/models.ts";
import { publicJob, type JobRecord, type LinkSigner } from "../jobs/record.ts";
import type { FieldError } from "../lib/errors.ts";
import type { AppEnv } from "./context.ts";
import type { Context } from "hono";

const JOB_ID = /^job_[0-9a-z]{20}$/;
const LINK_TTL_SECONDS = 24 * 3600;

export const jobSpecSchema = z.strictObject({
  model: z.enum(MODEL_IDS, { error: `must be one of: ${MODEL_IDS.join(", ")}` }),
  params: z.record(z.string(), z.unknown(), { error: "must be an object" }),
  metadata: z
    .record(z.string().min(1).max(64, "keys must be at most 64 characters"), z.string({ error: "values must be strings" }).max(512, "values must be at most 512 characters"), {
      error: "must be an object of string values",
    })
    .refine((m) => Object.keys(m).length <= 16, "may hold at most 16 values")
    .optional(),
});

export type JobSpec = { model: (typeof MODEL_IDS)[number]; params: Record<string, unknown>; metadata: Record<string, string> };

/** Validates one job spec; every problem is reported with its path under `prefix`. */
export function validateJobSpec(body: unknown, allowLoopbackHttp: boolean, prefix: (string | number)[] = []): { spec?: JobSpec; errors: FieldError[] } {
  const top = jobSpecSchema.safeParse(body);
  const errors: FieldError[] = top.success ? [] : fieldErrors(top.error.issues, prefix);
  const raw = (body ?? {}) as { model?: unknown; params?: unknown };
  const model = typeof raw.model === "string" ? modelSpec(raw.model) : undefined;
  if (!model || typeof raw.params !== "object" || raw.params === null || Array.isArray(raw.params)) return { errors };
  const params = model.params.safeParse(raw.params);
  if (!params.success) return { errors: [...errors, ...fieldErrors(params.error.issues, [...prefix, "params"])] };
  for (const { path, url } of model.imageUrls(params.data)) {
    const reason = checkUrl(url, { allowLoopbackHttp });
    if (reason) errors.push({ path: formatPath([...prefix, "params", ...path]), message: reason });
  }
  if (errors.length > 0 || !top.success) return { errors };
  return { spec: { model: model.id, params: params.data, metadata: top.data.metadata ?? {} }, errors };
}

export function linkSigner(c: Context<AppEnv>): LinkSigner {
  const config = c.get("config");
  const origin = config.publicBaseUrl ?? new URL(c.req.url).origin;
  // expiry rounded to the hour so repeated reads hand out the same, cacheable URL
  const expires = Math.ceil(Date.now() / 3_600_000) * 3600 + LINK_TTL_SECONDS;
  return async (key) => ({ url: await signMediaUrl(config.signingSecret, origin, key, expires), expiresAt: new Date(expires * 1000).toISOString() });
}

async function readJsonBody(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header("Content-Type") ?? "";
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type))
    throw new ApiError(415, "unsupported_media_type", "Unsupported Media Type", "Send the request body as application/json.");
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, "invalid_json", "Invalid JSON", "The request body is not valid JSON.");
  }
}

export function jobStub(c: Context<AppEnv>, id: string) {
  return c.env.JOBS.get(c.env.JOBS.idFromName(id));
}

export async function loadJob(c: Context<AppEnv>, id: string): Promise<JobRecord> {
  // ids that cannot exist never touch a Durable Object
  if (!JOB_ID.test(id)) throw notFound(`Job ${id}`);
  const job = await jobStub(c, id).read(c.get("tenant"));
  if (!job) throw notFound(`Job ${id}`);
  return job;
}

export const jobRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const body = await readJsonBody(c);
    const { spec, errors } = validateJobSpec(body, c.get("config").devMode);
    if (!spec) throw validationError(errors);
    const id = randomId("job");
    const record = await jobStub(c, id).create({
      id,
      tenant: c.get("tenant"),
      model: spec.model,
      params: spec.params,
      metadata: spec.metadata,
      origin: new URL(c.req.url).origin,
    });
    c.header("Location", `/v1/jobs/${id}`);
    return c.json(await publicJob(record, linkSigner(c)), 202);
  })
  .get("/:id", async (c) => {
    const job = await loadJob(c, c.req.param("id"));
    return c.json(await publicJob(job, linkSigner(c)));
  });
