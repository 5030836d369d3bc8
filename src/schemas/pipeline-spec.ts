// The pipeline specification clients send (POST /v1/pipelines, and POST /v1/quotes' `pipeline`):
// up to 20 steps, each validated as a job spec with its references standing in as valid URLs of
// their output's kind; references, `each` and `after` checked for existence, order, cycles and
// kind. Every problem is reported by path in one answer.
import { z } from "zod";
import type { CostEstimate } from "../jobs/record.ts";
import type { FieldError } from "../lib/problems.ts";
import { checkUrl } from "../lib/url-policy.ts";
import { fieldErrors, formatPath } from "../lib/validation.ts";
import { MODELS, type ModelId, type OutputKind } from "../providers/models.ts";
import { jobSpecSchema, type SpecContext, validateJobSpec } from "./job-spec.ts";
import { checkGraph, type StepNode } from "./pipeline-graph.ts";
import { findReferences, maskReferences, PLACEHOLDER_URL, URL_FIELD_KINDS } from "./pipeline-refs.ts";

export const MAX_PIPELINE_STEPS = 20;
export const MAX_FAN_OUT = 16;
export const PIPELINE_EVENTS = ["pipeline.succeeded", "pipeline.failed", "pipeline.canceled"] as const;
export type PipelineEvent = (typeof PIPELINE_EVENTS)[number];
export const STEP_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TAG = /^[a-z0-9][a-z0-9_.:-]{0,62}$/;

export const pipelineStepSchema = z.strictObject({
  id: z.string({ error: "must be a string" }).regex(STEP_ID, "must be 1-64 letters, digits, _ or -"),
  model: jobSpecSchema.shape.model,
  params: jobSpecSchema.shape.params,
  each: z.string({ error: "must be a step id" }).optional(),
  after: z
    .array(z.string({ error: "must be a step id" }), { error: "must be an array of step ids" })
    .max(MAX_PIPELINE_STEPS)
    .optional(),
});

export const pipelineSchema = z.strictObject({
  steps: z
    .array(z.unknown(), { error: "must be an array of steps" })
    .min(1, "needs at least 1 step")
    .max(MAX_PIPELINE_STEPS, `takes at most ${MAX_PIPELINE_STEPS} steps`),
  webhookUrl: jobSpecSchema.shape.webhookUrl,
  webhookEvents: z
    .array(z.enum(PIPELINE_EVENTS, { error: `must be one of: ${PIPELINE_EVENTS.join(", ")}` }), {
      error: "must be an array of event names",
    })
    .min(1, "must name at least one event")
    .refine((events) => new Set(events).size === events.length, "must not repeat an event")
    .optional(),
  metadata: jobSpecSchema.shape.metadata,
  tags: z
    .array(z.string().regex(TAG, "must match [a-z0-9][a-z0-9_.:-]{0,62}"), { error: "must be an array of tags" })
    .max(10, "takes at most 10 tags")
    .optional(),
  deadline: z.iso.datetime({ error: "must be an ISO-8601 time", offset: true }).optional(),
});

export interface PipelineStepSpec {
  id: string;
  model: ModelId;
  /** As given, references included; normalised when the step runs (after they are resolved). */
  params: Record<string, unknown>;
  each?: string;
  /** Every step this one waits for: those it references, its `each` and its `after`. */
  needs: string[];
  /** The most jobs this step can run (an `each` step: its source's most outputs). */
  maxJobs: number;
  /** The most outputs this step can make, over all its jobs. */
  maxOutputs: number;
  /** The params with each reference replaced by a placeholder of its kind, normalised: what it is quoted with. */
  quoteParams: Record<string, unknown>;
  /** Each of its possible jobs' quote at admission (set by the route once admitted). */
  estimates?: (CostEstimate | null)[];
}

export interface PipelineSpec {
  steps: PipelineStepSpec[];
  metadata: Record<string, string>;
  tags: string[];
  webhook?: { url: string; events: PipelineEvent[] };
  deadline?: string;
}

export interface PipelineContext extends SpecContext {
  /** PUBLIC_BASE_URL is set: references need it (they become signed links on it). */
  publicBaseUrl: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Outputs one job of this model makes at most: WeShop's batchCount, one for Wiro. */
export function outputsPerJob(model: ModelId, params: Record<string, unknown>): number {
  if (MODELS[model].provider !== "weshop") return 1;
  const n = Number(params.batchCount ?? 1);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

export function validatePipeline(body: unknown, ctx: PipelineContext): { spec?: PipelineSpec; errors: FieldError[] } {
  const top = pipelineSchema.safeParse(body);
  const errors: FieldError[] = top.success ? [] : fieldErrors(top.error.issues);
  const raw = isObject(body) ? body : {};
  const steps: PipelineStepSpec[] = [];
  if (Array.isArray(raw.steps) && raw.steps.length <= MAX_PIPELINE_STEPS) {
    const nodes = raw.steps.map((s, i) => stepNode(s, i, errors));
    errors.push(...checkGraph(nodes));
    for (let i = 0; i < nodes.length; i++) {
      const step = checkStep(raw.steps as unknown[], nodes, i, ctx, errors);
      if (step) steps.push(step);
    }
  }
  if (typeof raw.webhookUrl === "string" && pipelineSchema.shape.webhookUrl.safeParse(raw.webhookUrl).success) {
    const reason = ctx.webhooksEnabled
      ? checkUrl(raw.webhookUrl, { allowLoopbackHttp: ctx.allowLoopbackHttp })
      : "webhooks are not enabled on this server (WEBHOOK_SECRET is not set)";
    if (reason) errors.push({ path: "webhookUrl", message: reason });
  }
  if (Array.isArray(raw.webhookEvents) && raw.webhookUrl === undefined)
    errors.push({ path: "webhookEvents", message: "needs webhookUrl" });
  if (typeof raw.deadline === "string" && Date.parse(raw.deadline) <= Date.now())
    errors.push({ path: "deadline", message: "must be in the future" });
  if (errors.length > 0 || !top.success) return { errors };
  const d = top.data;
  return {
    spec: {
      steps,
      metadata: d.metadata ?? {},
      tags: d.tags ?? [],
      ...(d.webhookUrl ? { webhook: { url: d.webhookUrl, events: d.webhookEvents ?? [...PIPELINE_EVENTS] } } : {}),
      ...(d.deadline ? { deadline: new Date(d.deadline).toISOString() } : {}),
    },
    errors,
  };
}

/** The step's own shape, and what it waits for; its problems go to `errors`. */
function stepNode(rawStep: unknown, i: number, errors: FieldError[]): StepNode {
  const shape = pipelineStepSchema
    .omit({ model: true, params: true })
    .safeParse(isObject(rawStep) ? omit(rawStep, "model", "params") : rawStep);
  if (!shape.success) errors.push(...fieldErrors(shape.error.issues, ["steps", i]));
  const s = isObject(rawStep) ? rawStep : {};
  const refs = isObject(s.params) ? findReferences(s.params) : [];
  return {
    index: i,
    id: typeof s.id === "string" ? s.id : undefined,
    each: typeof s.each === "string" ? s.each : undefined,
    after: Array.isArray(s.after) ? s.after.filter((a): a is string => typeof a === "string") : [],
    refs,
  };
}

function omit(o: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

/** Kinds of references, model and params checks; the validated step if all is well. */
function checkStep(
  rawSteps: unknown[],
  nodes: StepNode[],
  i: number,
  ctx: PipelineContext,
  errors: FieldError[],
): PipelineStepSpec | undefined {
  const s = rawSteps[i] as Record<string, unknown>;
  const node = nodes[i]!;
  const before = errors.length;
  const byId = new Map(nodes.slice(0, i).flatMap((n) => (n.id ? [[n.id, n] as const] : [])));
  const kindOf = (id: string): OutputKind | undefined => {
    const model = byId.get(id) ? (rawSteps[byId.get(id)!.index] as Record<string, unknown>).model : undefined;
    return typeof model === "string" && Object.hasOwn(MODELS, model) ? MODELS[model as ModelId].kind : undefined;
  };
  const model = typeof s.model === "string" && Object.hasOwn(MODELS, s.model) ? MODELS[s.model as ModelId] : undefined;
  for (const found of node.refs) {
    const path = formatPath(["steps", i, "params", ...found.path]);
    if (!found.ref) {
      errors.push({
        path,
        message: `"${found.text}" is not a reference: write {{steps.<id>.outputs.<n>.url}} or {{each.url}}, exactly`,
      });
      continue;
    }
    if (!ctx.publicBaseUrl)
      errors.push({ path, message: "references need the PUBLIC_BASE_URL setting, which is not set on this server" });
    const source = found.ref.kind === "each" ? node.each : found.ref.step;
    if (found.ref.kind === "each" && node.each === undefined)
      errors.push({ path, message: "{{each.url}} needs `each` on its step" });
    const field = found.path[0];
    const wants = typeof field === "string" ? URL_FIELD_KINDS[field] : undefined;
    const isUrlField = model
      ? typeof field === "string" && wants !== undefined && (model.catalogue?.urlFields.includes(field) ?? false)
      : true;
    if (model && !isUrlField)
      errors.push({ path, message: `is not a URL field of ${model.id}: a reference stands for a URL` });
    const kind = source !== undefined ? kindOf(source) : undefined;
    if (model && isUrlField && kind && wants && kind !== wants)
      errors.push({
        path,
        message: `takes ${wants === "audio" ? "an audio" : `an ${wants}`} URL; step ${source} makes ${kind}s`,
      });
  }
  // what each reference stands for while the step is checked and quoted: a valid URL of its field's kind
  const placeholderParams = isObject(s.params)
    ? (maskReferences(s.params, PLACEHOLDER_URL.image) as Record<string, unknown>)
    : s.params;
  const typed = isObject(placeholderParams) ? fixKinds(placeholderParams) : placeholderParams;
  const job = validateJobSpec({ model: s.model, params: typed }, ctx, ["steps", i]);
  errors.push(...job.errors);
  if (errors.length > before || !job.spec || !node.id) return undefined;
  const maxOutputsOf = (id: string) => stepsMaxOutputs(rawSteps, nodes, id);
  const maxJobs = node.each ? maxOutputsOf(node.each) : 1;
  if (maxJobs > MAX_FAN_OUT)
    errors.push({
      path: formatPath(["steps", i, "each"]),
      message: `step ${node.each} can make up to ${maxJobs} outputs; a step runs at most ${MAX_FAN_OUT} jobs`,
    });
  for (const found of node.refs)
    if (found.ref?.kind === "output" && found.ref.index >= maxOutputsOf(found.ref.step))
      errors.push({
        path: formatPath(["steps", i, "params", ...found.path]),
        message: `step ${found.ref.step} makes at most ${maxOutputsOf(found.ref.step)} outputs (numbered from 0)`,
      });
  if (errors.length > before) return undefined;
  const needs = [
    ...new Set([
      ...node.refs.flatMap((f) => (f.ref?.kind === "output" ? [f.ref.step] : [])),
      ...(node.each ? [node.each] : []),
      ...node.after,
    ]),
  ];
  return {
    id: node.id,
    model: job.spec.model,
    params: s.params as Record<string, unknown>,
    ...(node.each ? { each: node.each } : {}),
    needs,
    maxJobs,
    maxOutputs: maxJobs * outputsPerJob(job.spec.model, job.spec.params),
    quoteParams: job.spec.params,
  };
}

/** Placeholders of the right kind per field (an image placeholder in `videos` would be refused for its extension by nobody, but reads wrong). */
function fixKinds(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).map(([field, value]) => {
      const kind = URL_FIELD_KINDS[field] === "video" ? "video" : "image";
      const swap = (v: unknown) => (v === PLACEHOLDER_URL.image ? PLACEHOLDER_URL[kind] : v);
      return [field, Array.isArray(value) ? value.map(swap) : swap(value)];
    }),
  );
}

/** The most outputs step `id` can make (earlier steps only; unknown ids count as 1, reported elsewhere). */
function stepsMaxOutputs(rawSteps: unknown[], nodes: StepNode[], id: string, depth = 0): number {
  const node = nodes.find((n) => n.id === id);
  if (!node || depth > MAX_PIPELINE_STEPS) return 1;
  const s = rawSteps[node.index] as Record<string, unknown>;
  const model = typeof s.model === "string" && Object.hasOwn(MODELS, s.model) ? (s.model as ModelId) : undefined;
  const perJob = model && isObject(s.params) ? outputsPerJob(model, s.params) : 1;
  return (node.each ? stepsMaxOutputs(rawSteps, nodes, node.each, depth + 1) : 1) * perJob;
}
