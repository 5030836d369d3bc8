// The job specification clients send (POST /v1/jobs, batches): one zod schema, plus the checks
// that depend on configuration (safe URLs, webhooks enabled). Every problem is reported by path.
import { z } from "zod";
import { DEFAULT_JOB_EVENTS, JOB_EVENTS } from "../jobs/record.ts";
import type { FieldError } from "../lib/problems.ts";
import { checkUrl } from "../lib/url-policy.ts";
import { fieldErrors, formatPath } from "../lib/validation.ts";
import { MODEL_IDS, modelSpec } from "../providers/models.ts";
import { deadlineSchema, tagsSchema } from "./lifecycle-fields.ts";

export const jobSpecSchema = z.strictObject({
  model: z.enum(MODEL_IDS, { error: `must be one of: ${MODEL_IDS.join(", ")}` }),
  params: z.record(z.string(), z.unknown(), { error: "must be an object" }),
  webhookUrl: z.string({ error: "must be a URL" }).max(2048, "must be at most 2048 characters").optional(),
  webhookEvents: z
    .array(z.enum(JOB_EVENTS, { error: `must be one of: ${JOB_EVENTS.join(", ")}` }), {
      error: "must be an array of event names",
    })
    .min(1, "must name at least one event")
    .refine((events) => new Set(events).size === events.length, "must not repeat an event")
    .optional(),
  metadata: z
    .record(
      z.string().min(1).max(64, "keys must be at most 64 characters"),
      z.string({ error: "values must be strings" }).max(512, "values must be at most 512 characters"),
      {
        error: "must be an object of string values",
      },
    )
    .refine((m) => Object.keys(m).length <= 16, "may hold at most 16 values")
    .optional(),
  tags: tagsSchema.optional(),
  deadline: deadlineSchema.optional(),
});

/** A job spec as validated (and stored by a schedule's batch): params normalised, the webhook resolved, the deadline in ms. */
export const jobSpecViewSchema = z
  .strictObject({
    model: z.enum(MODEL_IDS),
    params: z.record(z.string(), z.unknown()).meta({ description: "The params as normalised (defaults filled in)." }),
    metadata: z.record(z.string(), z.string()),
    webhook: z
      .strictObject({ url: z.url(), events: z.array(z.enum(JOB_EVENTS)) })
      .optional()
      .meta({ description: "`webhookUrl` and `webhookEvents` of the request (events defaulted)." }),
    tags: z.array(z.string()).optional(),
    deadline: z.number().optional().meta({ description: "The job's deadline, Unix milliseconds." }),
  })
  .meta({ id: "JobSpec" });
export type JobSpec = z.output<typeof jobSpecViewSchema>;

export interface SpecContext {
  /** Loopback http URLs are fine (local development against the simulator). */
  allowLoopbackHttp: boolean;
  /** Outgoing webhooks can be signed (WEBHOOK_SECRET is set). */
  webhooksEnabled: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Validates one job spec; every problem is reported with its path under `prefix`. The checks that
 * depend on configuration (URL policy, webhooks enabled, image URL safety) run on the raw values
 * whenever those values have the right shape, whatever else failed, so one answer lists them all.
 */
export function validateJobSpec(
  body: unknown,
  ctx: SpecContext,
  prefix: (string | number)[] = [],
): { spec?: JobSpec; errors: FieldError[] } {
  const { allowLoopbackHttp } = ctx;
  const top = jobSpecSchema.safeParse(body);
  const errors: FieldError[] = top.success ? [] : fieldErrors(top.error.issues, prefix);
  const raw = isObject(body) ? body : {};
  const { webhookUrl: rawWebhookUrl, webhookEvents: rawWebhookEvents } = raw;
  // a non-string or over-long webhookUrl is already reported by the schema
  if (typeof rawWebhookUrl === "string" && jobSpecSchema.shape.webhookUrl.safeParse(rawWebhookUrl).success) {
    const reason = ctx.webhooksEnabled
      ? checkUrl(rawWebhookUrl, { allowLoopbackHttp })
      : "webhooks are not enabled on this server (WEBHOOK_SECRET is not set)";
    if (reason) errors.push({ path: formatPath([...prefix, "webhookUrl"]), message: reason });
  }
  if (Array.isArray(rawWebhookEvents) && rawWebhookUrl === undefined)
    errors.push({ path: formatPath([...prefix, "webhookEvents"]), message: "needs webhookUrl" });
  // zod's record skips a "__proto__" key without checking it, so the value would vanish silently
  if (isObject(raw.metadata) && Object.hasOwn(raw.metadata, "__proto__"))
    errors.push({ path: formatPath([...prefix, "metadata", "__proto__"]), message: "is not an allowed key" });
  const model = typeof raw.model === "string" ? modelSpec(raw.model) : undefined;
  if (!model || !isObject(raw.params)) return { errors };
  const params = model.params.safeParse(raw.params);
  if (!params.success) errors.push(...fieldErrors(params.error.issues, [...prefix, "params"]));
  // urls yields only the entries shaped like a URL string (images, frames, videos, audios); the schema reports the others
  for (const { path, url } of model.urls(raw.params)) {
    const reason = checkUrl(url, { allowLoopbackHttp });
    if (reason) errors.push({ path: formatPath([...prefix, "params", ...path]), message: reason });
  }
  if (errors.length > 0 || !top.success || !params.success) return { errors };
  const { webhookUrl, webhookEvents } = top.data;
  return {
    spec: {
      model: model.id,
      params: params.data,
      metadata: top.data.metadata ?? {},
      ...(webhookUrl ? { webhook: { url: webhookUrl, events: webhookEvents ?? DEFAULT_JOB_EVENTS } } : {}),
      ...(top.data.tags?.length ? { tags: top.data.tags } : {}),
      ...(top.data.deadline ? { deadline: Date.parse(top.data.deadline) } : {}),
    },
    errors,
  };
}
