// The quote tool: what one job, or a list of jobs, would cost, from POST /v1/quotes with the
// caller's key. Creates nothing and starts no provider task.
import { z } from "zod";
import type { FieldError } from "../../lib/errors.ts";
import { formatPath } from "../../lib/validation.ts";
import { MAX_BATCH_JOBS } from "../../schemas/batch-spec.ts";
import { jobSpecSchema, validateJobSpec } from "../../schemas/job-spec.ts";
import { defineTool, type Tool } from "../tool.ts";

const UNITS = ["weshop_power", "usd"] as const;
const amountSchema = z.strictObject({ unit: z.enum(UNITS), amount: z.number() });

const quoteResultSchema = z.strictObject({
  total: z.array(amountSchema).meta({ description: "The sum per unit: WeShop power points (weshop_power) and Wiro US dollars (usd)." }),
  jobs: z.array(
    z.strictObject({
      model: z.string(),
      estimate: z
        .strictObject({
          unit: z.enum(UNITS),
          amount: z.number(),
          source: z.string().meta({ description: "Where it came from: provider, price_table, history, …" }),
        })
        .nullable()
        .meta({ description: "null when no estimate can be had for this job." }),
    }),
  ),
});

const quoteArgs = jobSpecSchema.partial().extend({
  jobs: z
    .array(jobSpecSchema)
    .min(1)
    .max(MAX_BATCH_JOBS)
    .optional()
    .meta({ description: `Instead of model and params: 1–${MAX_BATCH_JOBS} job specs, as create_batch takes them.` }),
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export const quote = defineTool({
  name: "quote",
  title: "Quote the cost of jobs",
  description:
    "Says what a job (model and params, as create_job takes them) or a list of jobs (jobs) would cost, per job and in total, in WeShop power points or Wiro US dollars. Free: creates nothing and starts no provider task. Call it before create_job or create_batch.",
  input: quoteArgs,
  output: quoteResultSchema,
  annotations: { title: "Quote the cost of jobs", readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  check(raw, ctx) {
    const { jobs, ...single } = raw;
    if (jobs === undefined) return validateJobSpec(single, ctx.specContext).errors;
    const errors: FieldError[] = Object.keys(single).map((key) => ({ path: key, message: "cannot be given with jobs" }));
    if (!Array.isArray(jobs) || jobs.length < 1 || jobs.length > MAX_BATCH_JOBS)
      return [...errors, { path: "jobs", message: `must be an array of 1 to ${MAX_BATCH_JOBS} job specs` }];
    jobs.forEach((spec: unknown, i) => {
      if (!isObject(spec)) errors.push({ path: formatPath(["jobs", i]), message: "must be a job spec" });
      else errors.push(...validateJobSpec(spec, ctx.specContext, ["jobs", i]).errors);
    });
    return errors;
  },
  async run(args, ctx) {
    const body = args.jobs === undefined ? args : { jobs: args.jobs };
    return { structured: await ctx.api.request<z.output<typeof quoteResultSchema>>("POST", "/v1/quotes", { json: body }) };
  },
});

export const QUOTE_TOOLS: Tool[] = [quote];
