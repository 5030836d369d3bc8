// The pipeline tools: create a chain of steps (spends money) and follow it, each a call of the /v1
// pipelines API with the caller's key; the same wait and nextAction shape as create_job.
import { z } from "zod";
import type { PublicJob } from "../../jobs/record.ts";
import { PIPELINE_ID } from "../../lib/ids.ts";
import { fieldErrors } from "../../lib/validation.ts";
import { pipelineSchema, pipelineStepSchema, validatePipeline } from "../../schemas/pipeline-spec.ts";
import { type PipelineView, pipelineViewSchema } from "../../schemas/pipeline-view.ts";
import { defineTool, type Tool, type ToolContext, type ToolOutput } from "../tool.ts";
import { mediaLinks, waitSecondsSchema } from "./job-result.ts";
import { idempotencyKeySchema } from "./jobs.ts";

const pipelineIdSchema = z
  .string({ error: "must be a pipeline id" })
  .regex(PIPELINE_ID, "is not a pipeline id (pipe_ and 20 characters)");
const resultSchema = z.strictObject({
  pipeline: pipelineViewSchema,
  nextAction: z
    .strictObject({ tool: z.literal("get_pipeline"), arguments: z.strictObject({ pipeline_id: z.string() }) })
    .optional()
    .meta({
      description:
        "Present while the pipeline runs: call this tool with these arguments (never create the pipeline again).",
    }),
});
type Result = z.output<typeof resultSchema>;

const createArgs = pipelineSchema.extend({
  steps: z.array(pipelineStepSchema).min(1).max(20).meta({
    description:
      '1–20 steps {id, model, params, each?, after?}. In params, {{steps.<id>.outputs.<n>.url}} stands for output n of an earlier step (e.g. a Seedream still given to Seedance as images[0]); with each: "<id>", the step runs once per output of that step and {{each.url}} stands for it.',
  }),
  idempotency_key: idempotencyKeySchema.optional(),
  wait_seconds: waitSecondsSchema,
});
const ownArgs = createArgs.pick({ idempotency_key: true, wait_seconds: true });

const FINISHED = new Set(["succeeded", "failed", "canceled"]);
const POLL_MS = 1_000;

/** One line per change: each step's status. */
function describe(p: PipelineView): string {
  return `Pipeline ${p.id}: ${p.status}; ${p.steps.map((s) => `${s.id} ${s.status}${s.jobIds.length > 1 ? ` (${s.jobIds.length} jobs)` : ""}`).join(", ")}`;
}

async function waitForPipeline(ctx: ToolContext, first: PipelineView, seconds: number): Promise<PipelineView> {
  const deadline = Date.now() + seconds * 1000;
  let p = first;
  let told = describe(p);
  await ctx.progress(told);
  while (!(FINISHED.has(p.status) && p.completedAt) && !ctx.signal.aborted && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
    p = await ctx.api.request<PipelineView>("GET", `/v1/pipelines/${p.id}`);
    const now = describe(p);
    if (now !== told) await ctx.progress(now);
    told = now;
  }
  return p;
}

/** The pipeline, nextAction while it runs, and once ended the stored outputs of its last steps as resource links. */
async function pipelineOutput(ctx: ToolContext, p: PipelineView): Promise<ToolOutput<Result>> {
  const ended = FINISHED.has(p.status) && p.completedAt !== undefined;
  if (!ended)
    return { structured: { pipeline: p, nextAction: { tool: "get_pipeline", arguments: { pipeline_id: p.id } } } };
  const needed = new Set(p.steps.flatMap((s) => s.needs ?? []));
  const last = p.steps.filter((s) => !needed.has(s.id)).flatMap((s) => s.jobIds);
  const jobs = await Promise.all(last.slice(0, 32).map((id) => ctx.api.request<PublicJob>("GET", `/v1/jobs/${id}`)));
  return { structured: { pipeline: p }, links: jobs.flatMap((j) => mediaLinks(j)) };
}

export const createPipeline = defineTool({
  name: "create_pipeline",
  scope: "jobs:write",
  title: "Create a pipeline of jobs (costs money)",
  description: [
    "Runs steps that feed each other as one durable workflow: e.g. a Seedream still, then a Seedance clip of it; or four stills and a clip of each (each). COSTS MONEY: every job of every step runs a paid provider task; call quote with {pipeline: {steps}} first.",
    "Every step is validated before anything starts (paths like steps[1].params.images[0]), and the whole pipeline is admitted against the budget at once. A step starts when the steps it needs succeeded; when one fails, its dependants are skipped (nothing is paid for them).",
    "Waits up to wait_seconds (default 30, at most 45), sending progress notifications. While it runs the answer carries nextAction: call get_pipeline with its arguments until nextAction is gone. Pass idempotency_key so a retry returns the same pipeline.",
  ].join("\n\n"),
  input: createArgs,
  output: resultSchema,
  annotations: {
    title: "Create a pipeline of jobs (costs money)",
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  },
  check(raw, ctx) {
    const { idempotency_key, wait_seconds, ...spec } = raw;
    const own = ownArgs.safeParse({ idempotency_key, wait_seconds });
    // PUBLIC_BASE_URL is checked by the API itself, which names the setting
    return [
      ...validatePipeline(spec, { ...ctx.specContext, publicBaseUrl: true }).errors,
      ...(own.success ? [] : fieldErrors(own.error.issues)),
    ];
  },
  async run(args, ctx) {
    const { idempotency_key, wait_seconds, ...spec } = args;
    const headers: Record<string, string> = idempotency_key === undefined ? {} : { "Idempotency-Key": idempotency_key };
    const p = await ctx.api.request<PipelineView>("POST", "/v1/pipelines", { json: spec, headers });
    return pipelineOutput(ctx, wait_seconds > 0 ? await waitForPipeline(ctx, p, wait_seconds) : p);
  },
});

export const getPipeline = defineTool({
  name: "get_pipeline",
  scope: "read",
  title: "Get a pipeline",
  description:
    "Waits up to wait_seconds (default 30, at most 45) for a pipeline to end and returns it: each step's status and job ids (get_job for a job's outputs), with nextAction while it runs. Free: it only reads. Once ended, its last steps' stored outputs come as resource_link content.",
  input: z.strictObject({ pipeline_id: pipelineIdSchema, wait_seconds: waitSecondsSchema }),
  output: resultSchema,
  annotations: {
    title: "Get a pipeline",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async run({ pipeline_id, wait_seconds }, ctx) {
    const p = await ctx.api.request<PipelineView>("GET", `/v1/pipelines/${pipeline_id}`);
    return pipelineOutput(ctx, wait_seconds > 0 ? await waitForPipeline(ctx, p, wait_seconds) : p);
  },
});

export const PIPELINE_TOOLS: Tool[] = [createPipeline, getPipeline];
