// The job tools: create (the one that spends money), wait, read, list and cancel. Each is a call
// of the /v1 jobs API with the caller's key; the schemas are the HTTP API's.
import { z } from "zod";
import type { PublicJob } from "../../jobs/record.ts";
import { IDEMPOTENCY_KEY } from "../../lib/ids.ts";
import { fieldErrors } from "../../lib/validation.ts";
import { listQuery } from "../../schemas/job-query.ts";
import { jobSpecSchema, validateJobSpec } from "../../schemas/job-spec.ts";
import { jobListSchema } from "../../schemas/job-view.ts";
import { defineTool, type Tool } from "../tool.ts";
import { jobIdSchema, jobOutput, jobResultSchema, waitForJob, waitSecondsSchema } from "./job-result.ts";

export const idempotencyKeySchema = z
  .string({ error: "must be 1 to 255 visible ASCII characters" })
  .regex(IDEMPOTENCY_KEY, "must be 1 to 255 visible ASCII characters")
  .meta({
    description:
      "Any unique string you choose (a UUID, say), as the HTTP Idempotency-Key: the same key with the same arguments within 24 hours gives the same job, never a second paid task, even when two calls race; the same key with other arguments is refused (idempotency_key_reused). Send one, and send it again when you retry.",
  });

const createJobArgs = jobSpecSchema.extend({
  params: jobSpecSchema.shape.params.meta({
    description:
      "The model's parameters under the provider's own names; get_model_schema gives their JSON Schema, defaults and per-variant rules.",
  }),
  idempotency_key: idempotencyKeySchema.optional(),
  wait_seconds: waitSecondsSchema,
});
const ownArgs = createJobArgs.pick({ idempotency_key: true, wait_seconds: true });

const readOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

const FOLLOW_UP =
  "While the job is unfinished the answer carries nextAction: call wait_for_job with its arguments, as many times as needed. Never call create_job again to follow a job: that starts (and pays for) another one.";

export const createJob = defineTool({
  name: "create_job",
  scope: "jobs:write",
  title: "Create a generation job (costs money)",
  description: [
    "Starts one Seedance video or Seedream image generation as a durable job. COSTS MONEY: every job runs a paid task at the provider (WeShop power points or Wiro USD); call quote first for its price.",
    `Waits up to wait_seconds (default 30, at most 45) for the job to finish, sending progress notifications (status changes, place in line) when the call has a progressToken. ${FOLLOW_UP}`,
    "Pass idempotency_key so a retry after a timeout or a lost answer returns the same job. Finished outputs come as resource_link content: signed media URLs that work without the API key until their expiresAt.",
    "Bad arguments are refused with every offending field named (e.g. params.duration); nothing reaches a provider then.",
  ].join("\n\n"),
  input: createJobArgs,
  output: jobResultSchema,
  annotations: {
    title: "Create a generation job (costs money)",
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  },
  check(raw, ctx) {
    const { idempotency_key, wait_seconds, ...spec } = raw;
    const own = ownArgs.safeParse({ idempotency_key, wait_seconds });
    return [...validateJobSpec(spec, ctx.specContext).errors, ...(own.success ? [] : fieldErrors(own.error.issues))];
  },
  async run(args, ctx) {
    const { idempotency_key, wait_seconds, ...spec } = args;
    const headers: Record<string, string> = idempotency_key === undefined ? {} : { "Idempotency-Key": idempotency_key };
    const job = await ctx.api.request<PublicJob>("POST", "/v1/jobs", { json: spec, headers });
    return jobOutput(wait_seconds > 0 ? await waitForJob(ctx, job, wait_seconds) : job);
  },
});

export const waitForJobTool = defineTool({
  name: "wait_for_job",
  scope: "read",
  title: "Wait for a job",
  description: [
    "Waits up to wait_seconds (default 30, at most 45) for a job to finish and returns it, with nextAction while it is still unfinished. Free: it only reads the job, and may be called any number of times; a render can take several minutes, so call it again until nextAction is gone.",
    "Sends progress notifications (status changes, place in line) when the call has a progressToken. Finished outputs come as resource_link content (signed media URLs).",
  ].join("\n\n"),
  input: z.strictObject({ job_id: jobIdSchema, wait_seconds: waitSecondsSchema }),
  output: jobResultSchema,
  annotations: { title: "Wait for a job", ...readOnly },
  async run({ job_id, wait_seconds }, ctx) {
    const job = await ctx.api.request<PublicJob>("GET", `/v1/jobs/${job_id}`);
    return jobOutput(wait_seconds > 0 ? await waitForJob(ctx, job, wait_seconds) : job);
  },
});

export const getJob = defineTool({
  name: "get_job",
  scope: "read",
  title: "Get a job",
  description: `Returns a job as it is now, without waiting: status, params as sent, outputs (as resource_link content once finished), error, provider task. Free. ${FOLLOW_UP}`,
  input: z.strictObject({ job_id: jobIdSchema }),
  output: jobResultSchema,
  annotations: { title: "Get a job", ...readOnly },
  async run({ job_id }, ctx) {
    return jobOutput(await ctx.api.request<PublicJob>("GET", `/v1/jobs/${job_id}`));
  },
});

export const listJobs = defineTool({
  name: "list_jobs",
  scope: "read",
  title: "List jobs",
  description:
    "Lists this API key's jobs, newest first, optionally by status, model or batch; pass nextCursor back as cursor for the next page. Free.",
  // the HTTP query's fields, batch_id in the tools' snake_case, and limit a JSON integer rather than query text
  input: listQuery.omit({ batchId: true }).extend({
    batch_id: listQuery.shape.batchId,
    limit: z
      .int({ error: "must be an integer from 1 to 100" })
      .min(1, "must be an integer from 1 to 100")
      .max(100, "must be an integer from 1 to 100")
      .default(20),
  }),
  output: jobListSchema,
  annotations: { title: "List jobs", ...readOnly },
  async run({ status, model, batch_id, limit, cursor }, ctx) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (status) query.set("status", status);
    if (model) query.set("model", model);
    if (batch_id) query.set("batchId", batch_id);
    if (cursor !== undefined) query.set("cursor", cursor);
    return { structured: await ctx.api.request<z.output<typeof jobListSchema>>("GET", `/v1/jobs?${query}`) };
  },
});

export const cancelJob = defineTool({
  name: "cancel_job",
  scope: "jobs:write",
  title: "Cancel a job",
  description:
    "Cancels an unfinished job at once and asks the provider to stop its task (Wiro stops it; WeShop has no cancel, so a run already started there may still be billed, which the job's error message then says). Cannot be undone. A finished job cannot be canceled (job_finished).",
  input: z.strictObject({ job_id: jobIdSchema }),
  output: jobResultSchema,
  annotations: {
    title: "Cancel a job",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: true,
  },
  async run({ job_id }, ctx) {
    return jobOutput(await ctx.api.request<PublicJob>("POST", `/v1/jobs/${job_id}/cancel`));
  },
});

export const JOB_TOOLS: Tool[] = [createJob, waitForJobTool, getJob, listJobs, cancelJob];
