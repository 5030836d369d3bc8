// /v1/models: the model catalogue, and each model's params as the JSON Schema the OpenAPI document
// gives them (the same zod schemas that validate requests, with the variant rules restated), so a
// client can build a form or check a request without reading the whole document.
import { Hono } from "hono";
import { notFound } from "../../lib/errors.ts";
import { MODEL_IDS, MODELS, modelSpec, type ModelId } from "../../providers/models.ts";
import type { AppEnv } from "../context.ts";
import { openapiDocument } from "./openapi.ts";

export interface ModelView {
  id: ModelId;
  provider: "weshop" | "wiro";
  kind: "video" | "image";
  /** WeShop agent, or Wiro's model path. */
  agent: string;
}

export const modelView = (id: ModelId): ModelView => ({ id, provider: MODELS[id].provider, kind: MODELS[id].kind, agent: MODELS[id].agent });

/** The params schema of `id`, as in /openapi.json (`#/components/schemas/Params.…`). */
export function paramsJsonSchema(id: ModelId): Record<string, unknown> {
  const schemas = (openapiDocument().components as { schemas: Record<string, Record<string, unknown>> }).schemas;
  const schema = schemas[`Params.${id.replace(/[^A-Za-z0-9._-]+/g, ".")}`];
  if (!schema) throw new Error(`no params schema for ${id}`);
  return schema;
}

export const modelRoutes = new Hono<AppEnv>()
  .get("/", (c) => c.json({ data: MODEL_IDS.map(modelView) }))
  // model ids have slashes in them: the rest of the path is the id
  .get("/:id{.+}", (c) => {
    const id = c.req.param("id");
    const spec = modelSpec(id);
    if (!spec) throw notFound(`Model ${id}`);
    return c.json({ ...modelView(spec.id), paramsSchema: { $schema: "https://json-schema.org/draft/2020-12/schema", ...paramsJsonSchema(spec.id) } });
  });
