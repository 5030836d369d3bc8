// The quote tool: what one job, or a list of jobs, would cost, from POST /v1/quotes with the
// caller's key. Creates nothing and starts no provider task.
import { z } from "zod";
import { MAX_BATCH_JOBS, validateBatch } from "../../schemas/batch-spec.ts";
import { quoteResponseSchema } from "../../schemas/costs.ts";
import { jobSpecSchema, validateJobSpec } from "../../schemas/job-spec.ts";
import { pipelineStepSchema, validatePipeline } from "../../schemas/pipeline-spec.ts";
import { defineTool, type Tool } from "../tool.ts";

const quoteArgs = jobSpecSchema.partial().extend({
  jobs: z
    .array(jobSpecSchema)
    .min(1)
    .max(MAX_BATCH_JOBS)
    .optional()
    .meta({ description: `Instead of model and params: 1–${MAX_BATCH_JOBS} job specs, as create_batch takes them.` }),
  pipeline: z
    .strictObject({ steps: z.array(pipelineStepSchema).min(1).max(20) })
    .optional()
    .meta({
      description:
        "Instead of model and params: a pipeline's steps, as create_pipeline takes them (an each step counted at its source's most outputs).",
    }),
});

export const quote = defineTool({
  name: "quote",
  scope: "read",
  title: "Quote the cost of jobs",
  description:
    "Says what a job (model and params, as create_job takes them) or a list of jobs (jobs) would cost, per job and in total, in WeShop power points or Wiro US dollars. Free: creates nothing and starts no provider task. Call it before create_job or create_batch.",
  input: quoteArgs,
  output: quoteResponseSchema,
  // read-only, but it asks WeShop for its power estimate
  annotations: {
    title: "Quote the cost of jobs",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  },
  // as POST /v1/quotes reads its body: a list of jobs when `jobs` is there, else one job spec
  check: (raw, ctx) =>
    "pipeline" in raw
      ? validatePipeline(raw.pipeline, { ...ctx.specContext, publicBaseUrl: true }).errors.map((e) => ({
          ...e,
          path: `pipeline.${e.path}`,
        }))
      : ("jobs" in raw ? validateBatch(raw, ctx.specContext) : validateJobSpec(raw, ctx.specContext)).errors,
  async run(args, ctx) {
    return {
      structured: await ctx.api.request<z.output<typeof quoteResponseSchema>>("POST", "/v1/quotes", { json: args }),
    };
  },
});

export const QUOTE_TOOLS: Tool[] = [quote];
