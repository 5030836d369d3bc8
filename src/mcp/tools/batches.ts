// The batch tools: create a batch of up to 1000 jobs (spends money) and read its progress, each a
// call of the /v1 batches API with the caller's key.
import { z } from "zod";
import { BATCH_ID } from "../../lib/ids.ts";
import { fieldErrors } from "../../lib/validation.ts";
import { batchSchema, MAX_BATCH_JOBS, validateBatch } from "../../schemas/batch-spec.ts";
import { batchViewSchema } from "../../schemas/batch-view.ts";
import { jobSpecSchema } from "../../schemas/job-spec.ts";
import { defineTool, type Tool } from "../tool.ts";
import { idempotencyKeySchema } from "./jobs.ts";

const batchResultSchema = z.strictObject({ batch: batchViewSchema });
type BatchView = z.output<typeof batchViewSchema>;

const createBatchArgs = batchSchema.extend({
  jobs: z
    .array(jobSpecSchema)
    .min(1)
    .max(MAX_BATCH_JOBS)
    .meta({
      description: `1–${MAX_BATCH_JOBS} job specs, each {model, params, metadata?, webhookUrl?, webhookEvents?} as create_job takes them.`,
    }),
  idempotency_key: idempotencyKeySchema.optional(),
});

export const createBatch = defineTool({
  name: "create_batch",
  scope: "jobs:write",
  title: "Create a batch of jobs (costs money)",
  description: [
    `Starts up to ${MAX_BATCH_JOBS} generation jobs at once. COSTS MONEY: every job in it runs a paid provider task; call quote with the same jobs first for the total.`,
    "Every spec is validated before anything starts: one bad spec refuses the whole batch, naming each field (e.g. jobs[3].params.duration). Answers at once; follow it with get_batch, and list_jobs with batch_id for its jobs and their outputs. Never create the batch again to follow it; pass idempotency_key so a retry returns the same batch.",
  ].join("\n\n"),
  input: createBatchArgs,
  output: batchResultSchema,
  annotations: {
    title: "Create a batch of jobs (costs money)",
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  },
  check(raw, ctx) {
    const { idempotency_key, ...spec } = raw;
    const own = createBatchArgs.pick({ idempotency_key: true }).safeParse({ idempotency_key });
    return [...validateBatch(spec, ctx.specContext).errors, ...(own.success ? [] : fieldErrors(own.error.issues))];
  },
  async run({ idempotency_key, ...spec }, ctx) {
    const headers: Record<string, string> = idempotency_key === undefined ? {} : { "Idempotency-Key": idempotency_key };
    return { structured: { batch: await ctx.api.request<BatchView>("POST", "/v1/batches", { json: spec, headers }) } };
  },
});

export const getBatch = defineTool({
  name: "get_batch",
  scope: "read",
  title: "Get a batch",
  description:
    "Returns a batch's status and its jobs counted by status. Free. Its jobs and their outputs: list_jobs with batch_id.",
  input: z.strictObject({
    batch_id: z.string({ error: "must be a batch id" }).regex(BATCH_ID, "is not a batch id (batch_ and 20 characters)"),
  }),
  output: batchResultSchema,
  annotations: {
    title: "Get a batch",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async run({ batch_id }, ctx) {
    return { structured: { batch: await ctx.api.request<BatchView>("GET", `/v1/batches/${batch_id}`) } };
  },
});

export const BATCH_TOOLS: Tool[] = [createBatch, getBatch];
