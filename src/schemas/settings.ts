// GET/PUT /v1/settings: how long a tenant's outputs and jobs are kept, and the default webhook
// endpoint for jobs (and batches) that name none. PUT replaces all three (an omitted one is null).
import { z } from "zod";
import { DEFAULT_JOB_EVENTS, JOB_EVENTS, type JobEvent } from "../jobs/record.ts";
import type { FieldError } from "../lib/problems.ts";
import { checkUrl } from "../lib/url-policy.ts";
import { fieldErrors } from "../lib/validation.ts";
import type { SpecContext } from "./job-spec.ts";

const days = z
  .int({ error: "must be a whole number of days" })
  .min(1, "must be at least 1 day")
  .max(3650, "must be at most 3650 days")
  .nullable()
  .meta({ description: "Days after a job's creation; null keeps them." });

/** PUT's body (documented as the PutSettings component); `settingsSchema` is the same as an answer. */
export const putSettingsSchema = z.strictObject({
  outputRetentionDays: days.default(null).meta({
    description: 'Outputs older than this are removed from R2 and show `status: "expired"`; null keeps them.',
  }),
  jobRetentionDays: days.default(null).meta({
    description: "Finished jobs older than this are deleted as `DELETE /v1/jobs/{id}` deletes one; null keeps them.",
  }),
  webhook: z
    .strictObject({
      url: z.string({ error: "must be a URL" }).max(2048, "must be at most 2048 characters"),
      events: z
        .array(z.enum(JOB_EVENTS, { error: `must be one of: ${JOB_EVENTS.join(", ")}` }))
        .min(1, "must name at least one event")
        .default([...DEFAULT_JOB_EVENTS]),
    })
    .nullable()
    .default(null)
    .meta({ description: "The endpoint for jobs and batches that name no `webhookUrl`; null for none." }),
});
export const settingsSchema = putSettingsSchema.meta({ id: "Settings" });

export interface Settings {
  outputRetentionDays: number | null;
  jobRetentionDays: number | null;
  webhook: { url: string; events: JobEvent[] } | null;
}

export const NO_SETTINGS: Settings = { outputRetentionDays: null, jobRetentionDays: null, webhook: null };

export function validateSettings(body: unknown, ctx: SpecContext): { settings?: Settings; errors: FieldError[] } {
  const parsed = putSettingsSchema.safeParse(body);
  const errors = parsed.success ? [] : fieldErrors(parsed.error.issues);
  const url = parsed.success ? parsed.data.webhook?.url : undefined;
  if (url !== undefined) {
    const reason = ctx.webhooksEnabled
      ? checkUrl(url, { allowLoopbackHttp: ctx.allowLoopbackHttp })
      : "webhooks are not enabled on this server (WEBHOOK_SECRET is not set)";
    if (reason) errors.push({ path: "webhook.url", message: reason });
  }
  return parsed.success && errors.length === 0 ? { settings: parsed.data, errors } : { errors };
}
