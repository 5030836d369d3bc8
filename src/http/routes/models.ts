// /v1/models: the model catalogue, and each model's params as the JSON Schema the OpenAPI document
// gives them (the validator POST /v1/jobs uses, with the variant rules restated), so a client can
// build a form or check a request without reading the whole document. Model ids contain slashes:
// in the path the id is one segment, percent-encoded (`/v1/models/weshop%2Fseedream`), as OpenAPI
// clients encode a path parameter.
import { createRoute, z } from "@hono/zod-openapi";
import { notFound } from "../../lib/problems.ts";
import { MODEL_IDS, type ModelId, modelSpec } from "../../providers/models.ts";
import { modelDetailSchema, modelListSchema, modelView } from "../../schemas/model-view.ts";
import { routeGroup } from "../openapi/hook.ts";
import { authenticated, authProblems, notFoundProblem, REQUEST_ID_HEADER } from "../openapi/problems.ts";
import { requestComponents, slug } from "../openapi/request-schemas.ts";

let components: Record<string, Record<string, unknown>> | undefined;

/** The params schema of `id`, as in /openapi.json (`#/components/schemas/Params.…`). */
export function paramsJsonSchema(id: ModelId): Record<string, unknown> {
  components ??= requestComponents();
  const schema = components[`Params.${slug(id)}`];
  if (!schema) throw new Error(`no params schema for ${id}`);
  return { $schema: "https://json-schema.org/draft/2020-12/schema", ...schema };
}

export const listModelsRoute = createRoute({
  method: "get",
  path: "/v1/models",
  operationId: "listModels",
  summary: "List models",
  description:
    "Every model this deployment runs, with its provider and output kind. `GET /v1/models/{id}` adds the JSON Schema of its `params`.",
  tags: ["Models"],
  ...authenticated,
  responses: {
    200: {
      description: "Every model this deployment runs.",
      headers: REQUEST_ID_HEADER,
      content: {
        "application/json": {
          schema: modelListSchema,
          examples: { all: { summary: "The catalogue", value: { data: MODEL_IDS.map(modelView) } } },
        },
      },
    },
    ...authProblems,
  },
});

const modelIdParams = z.object({
  id: z
    .string()
    .refine((id) => modelSpec(id) !== undefined, { error: (issue) => `Model ${String(issue.input)}` })
    .openapi({
      param: {
        name: "id",
        in: "path",
        description: "Model id, percent-encoded (`weshop%2Fseedream`).",
        example: "weshop/seedream",
      },
    }),
});

export const getModelRoute = createRoute({
  method: "get",
  path: "/v1/models/{id}",
  operationId: "getModel",
  summary: "Get a model and its params schema",
  description:
    "The model and the JSON Schema of its `params` (the same rules `POST /v1/jobs` validates with, variants included).",
  tags: ["Models"],
  ...authenticated,
  request: { params: modelIdParams },
  responses: {
    200: {
      description: "The model, with the JSON Schema of its `params`.",
      headers: REQUEST_ID_HEADER,
      content: {
        "application/json": {
          schema: modelDetailSchema,
          examples: {
            wiro: {
              summary: "Wiro Seedance",
              value: { ...modelView(MODEL_IDS[3]!), paramsSchema: { type: "object", properties: {}, "…": "…" } },
            },
          },
        },
      },
    },
    404: notFoundProblem("Model", "weshop/nope"),
    ...authProblems,
  },
});

export const modelRoutes = routeGroup()
  .openapi(listModelsRoute, (c) => c.json({ data: MODEL_IDS.map(modelView) }, 200))
  .openapi(getModelRoute, (c) => {
    const spec = modelSpec(c.req.valid("param").id);
    if (!spec) throw notFound(`Model ${c.req.valid("param").id}`);
    return c.json({ ...modelView(spec.id), paramsSchema: paramsJsonSchema(spec.id) }, 200);
  });
