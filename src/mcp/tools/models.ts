// The model tools: which models run, and the JSON Schema of each model's params — the very schema
// GET /openapi.json publishes (the catalogue's zod schemas with its variant rules restated), so an
// agent and an HTTP client read one description.
import { z } from "zod";
import { MODEL_IDS, MODELS, type ModelId } from "../../providers/models.ts";
import { ProblemError } from "../problem.ts";
import { defineTool, type Tool } from "../tool.ts";

const free = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

const modelSchema = z.strictObject({
  id: z.enum(MODEL_IDS),
  provider: z.enum(["weshop", "wiro"]),
  kind: z.enum(["video", "image"]).meta({ description: "What the model's outputs are." }),
  agent: z.string().meta({ description: "The provider's agent (WeShop) or model path (Wiro) a job runs." }),
  variants: z
    .array(z.string())
    .meta({ description: "Values of params.modelName (WeShop); empty when the model has none." }),
  defaultVariant: z
    .string()
    .nullable()
    .meta({ description: "The variant used when params.modelName is left out; null when it depends on the params." }),
});

function describeModel(id: ModelId): z.output<typeof modelSchema> {
  const model = MODELS[id];
  const catalogue = model.catalogue;
  return {
    id,
    provider: model.provider,
    kind: model.kind,
    agent: model.agent,
    variants: catalogue ? Object.keys(catalogue.variants) : [],
    defaultVariant: catalogue && "variant" in catalogue.implicit ? catalogue.implicit.variant : null,
  };
}

export const listModels = defineTool({
  name: "list_models",
  scope: "read",
  title: "List models",
  description:
    "Lists the models seedrun runs (Seedance video and Seedream image through WeShop, Seedance through Wiro) with their variants. Free. Next: get_model_schema for a model's params, then quote and create_job.",
  input: z.strictObject({}),
  output: z.strictObject({ models: z.array(modelSchema) }),
  annotations: { title: "List models", ...free },
  async run() {
    return { structured: { models: MODEL_IDS.map(describeModel) } };
  },
});

type Json = Record<string, unknown>;

/** The schema's rules and each field's values and defaults, in words (what an agent reads first). */
function summary(id: ModelId, schema: Json): string {
  const lines = [`${id} params.${schema.description ? ` ${String(schema.description)}` : ""}`];
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const [field, raw] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
    const notes = [
      required.has(field) ? "required" : undefined,
      typeof raw.description === "string" ? raw.description : undefined,
      raw.default !== undefined ? `default ${JSON.stringify(raw.default)}` : undefined,
    ].filter((n): n is string => n !== undefined);
    lines.push(`- ${field}${notes.length ? `: ${notes.join("; ")}` : ""}`);
  }
  return lines.join("\n");
}

const paramsComponent = (id: ModelId) => `Params.${id.replace(/[^A-Za-z0-9._-]+/g, ".")}`;

export const getModelSchema = defineTool({
  name: "get_model_schema",
  scope: "read",
  title: "Get a model's params schema",
  description:
    "Returns the JSON Schema of a model's params (what create_job and quote take under params): every field with its values, defaults per variant (params.modelName), and the rules between fields, also written out in description. Free.",
  input: z.strictObject({ model: z.enum(MODEL_IDS, { error: `must be one of: ${MODEL_IDS.join(", ")}` }) }),
  output: z.strictObject({
    model: z.enum(MODEL_IDS),
    description: z.string().meta({ description: "The rules, values and defaults in words." }),
    schema: z
      .record(z.string(), z.unknown())
      .meta({ description: "JSON Schema (2020-12) of params, as in GET /openapi.json." }),
  }),
  annotations: { title: "Get a model's params schema", ...free },
  async run({ model }, ctx) {
    const doc = await ctx.api.request<{ components?: { schemas?: Record<string, Json> } }>("GET", "/openapi.json");
    const schema = doc.components?.schemas?.[paramsComponent(model)];
    if (!schema)
      throw new ProblemError({
        title: "Schema missing",
        status: 500,
        detail: `The API document has no params schema for ${model}.`,
        code: "internal_error",
      });
    return { structured: { model, description: summary(model, schema), schema } };
  },
});

export const MODEL_TOOLS: Tool[] = [listModels, getModelSchema];
