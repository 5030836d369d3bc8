// /v1/jobs: create a job (validated field by field before anything reaches a provider) and read it.
import { Hono } from "hono";
import { z } from "zod";
import { ApiError, notFound } from "../lib/errors.ts";
import { randomId } from "../lib/crypto.ts";
import { fieldErrors, formatPath, validationError } from "../lib/validation.ts";
import { checkUrl } from "../lib/url-policy.ts";
import { makeLinkSigner } from "../media/links.ts";
import { MODEL_IDS, modelSpec } from "../providers/models.ts";
import { DEFAULT_JOB_EVENTS, JOB_EVENTS, publicJob, type JobEvent, type JobRecord, type LinkSigner } from "../jobs/record.ts";
import type { FieldError } from "../lib/errors.ts";
import type { AppEnv } from "./context.ts";
import type { Context } from "hono";

const JOB_ID = /^job_[0-9a-z]{20}$/;

export const jobSpecSchema = z.strictObject({
  model: z.enum(MODEL_IDS, { error: `must be one of: ${MODEL_IDS.join(", ")}` }),
  params: z.record(z.string(), z.unknown(), { error: "must be an object" }),
  webhookUrl: z.string({ error: "must be a URL" }).max(2048, "must be at most 2048 characters").optional(),
  webhookEvents: z
    .array(z.enum(JOB_EVENTS, { error: `must be one of: ${JOB_EVENTS.join(", ")}` }), { error: "must be an array of event names" })
    .min(1, "must name at least one event")
    .refine((events) => new Set(events).size === events.length, "must not repeat an event")
    .optional(),
  metadata: z
    .record(z.string().min(1).max(64, "keys must be at most 64 characters"), z.string({ error: "values must be strings" }).max(512, "values must be at most 512 characters"), {
      error: "must be an object of string values",
    })
    .refine((m) => Object.keys(m).length <= 16, "may hold at most 16 values")
    .optional(),
});

export type JobSpec = {
  model: (typeof MODEL_IDS)[number];
  params: Record<string, unknown>;
  metadata: Record<string, string>;
  webhook?: { url: string; events: JobEvent[] };
};

export interface SpecContext {
  /** Loopback http URLs are fine (local development against the simulator). */
  allowLoopbackHttp: boolean;
  /** Outgoing webhooks can be signed (WEBHOOK_SECRET is set). */
  webhooksEnabled: boolean;
}

/** Validates one job spec; every problem is reported with its path under `prefix`. */
export function validateJobSpec(body: unknown, ctx: SpecContext, prefix: (string | number)[] = []): { spec?: JobSpec; errors: FieldError[] } {
  const { allowLoopbackHttp } = ctx;
  const top = jobSpecSchema.safeParse(body);
  const errors: FieldError[] = top.success ? [] : fieldErrors(top.error.issues, prefix);
  if (top.success && top.data.webhookUrl !== undefined) {
    const reason = ctx.webhooksEnabled ? checkUrl(top.data.webhookUrl, { allowLoopbackHttp }) : "webhooks are not enabled on this server (WEBHOOK_SECRET is not set)";
    if (reason) errors.push({ path: formatPath([...prefix, "webhookUrl"]), message: reason });
  }
  if (top.success && top.data.webhookEvents && top.data.webhookUrl === undefined)
    errors.push({ path: formatPath([...prefix, "webhookEvents"]), message: "needs webhookUrl" });
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
  const { webhookUrl, webhookEvents } = top.data;
  return {
    spec: {
      model: model.id,
      params: params.data,
      metadata: top.data.metadata ?? {},
      ...(webhookUrl ? { webhook: { url: webhookUrl, events: webhookEvents ?? DEFAULT_JOB_EVENTS } } : {}),
    },
    errors,
  };
}

export function linkSigner(c: Context<AppEnv>): LinkSigner {
  const config = c.get("config");
  return makeLinkSigner(config.signingSecret, config.publicBaseUrl ?? new URL(c.req.url).origin);
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
    const config = c.get("config");
    const { spec, errors } = validateJobSpec(body, { allowLoopbackHttp: config.devMode, webhooksEnabled: config.webhookSecret !== undefined });
    if (!spec) throw validationError(errors);
    const id = randomId("job");
    const record = await jobStub(c, id).create({
      id,
      tenant: c.get("tenant"),
      model: spec.model,
      params: spec.params,
      metadata: spec.metadata,
      ...(spec.webhook ? { webhook: spec.webhook } : {}),
      origin: new URL(c.req.url).origin,
    });
    c.header("Location", `/v1/jobs/${id}`);
    return c.json(await publicJob(record, linkSigner(c)), 202);
  })
  .get("/:id", async (c) => {
    const job = await loadJob(c, c.req.param("id"));
    return c.json(await publicJob(job, linkSigner(c)));
  });
