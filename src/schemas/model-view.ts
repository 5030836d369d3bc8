// The model catalogue as clients see it (GET /v1/models, /v1/models/{id}).
import { z } from "zod";
import { MODEL_IDS, MODELS, type ModelId } from "../providers/models.ts";

export const modelViewSchema = z
  .strictObject({
    id: z.enum(MODEL_IDS),
    provider: z.enum(["weshop", "wiro"]),
    kind: z.enum(["video", "image"]).meta({ description: "What its outputs are." }),
    agent: z.string().meta({ description: "The WeShop agent, or the Wiro model path after `/Run/`." }),
  })
  .meta({ id: "Model" });
export type ModelView = z.output<typeof modelViewSchema>;

export const modelListSchema = z.strictObject({ data: z.array(modelViewSchema) }).meta({ id: "ModelList" });

export const modelDetailSchema = modelViewSchema
  .extend({
    paramsSchema: z.record(z.string(), z.unknown()).meta({
      description:
        "JSON Schema (2020-12) of this model's `params`: the one `/openapi.json` has (`#/components/schemas/Params.…`), from the same validator `POST /v1/jobs` uses, with the variant rules restated.",
    }),
  })
  .meta({ id: "ModelDetail" });

export const modelView = (id: ModelId): ModelView => ({
  id,
  provider: MODELS[id].provider,
  kind: MODELS[id].kind,
  agent: MODELS[id].agent,
});
