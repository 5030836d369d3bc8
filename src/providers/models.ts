// Every model seedrun runs, read from the per-provider catalogues in ./catalogue/ (data: a new
// variant is one entry there). Validation, normalisation, the URL safety check, the OpenAPI
// document and the run-time guess all read these specs.
import type { z } from "zod";
import { catalogueSchema, urlsOf } from "./catalogue/engine.ts";
import type { Catalogue, Params } from "./catalogue/types.ts";
import { SEEDANCE } from "./catalogue/weshop-seedance.ts";
import { SEEDANCE_25 } from "./catalogue/weshop-seedance-25.ts";
import { SEEDREAM } from "./catalogue/weshop-seedream.ts";
import { wiroSeedanceParams, wiroSeedanceRunMs } from "./catalogue/wiro-seedance.ts";

export type ModelId =
  | "weshop/seedance"
  | "weshop/seedance-25"
  | "weshop/seedream"
  | "wiro/ByteDance/text-to-video-seedance-v1";
export type ProviderName = "weshop" | "wiro";
export type OutputKind = "video" | "image";

export interface ModelSpec {
  id: ModelId;
  provider: ProviderName;
  kind: OutputKind;
  /** WeShop agent, or the Wiro model path after /Run/. */
  agent: string;
  /** Validates and normalises to the provider's documented value forms (what is sent). */
  params: z.ZodType<Params>;
  /**
   * URL-valued inputs in the params (images, frames, videos, audios), with their field paths, for
   * the URL safety check. Takes the raw (unvalidated) params and yields only the entries shaped like
   * a URL string, so the check runs even when other params are invalid.
   */
  urls(params: Params): { path: (string | number)[]; url: string }[];
  /** Prior guess of how long a run takes; the learned figure scales this. */
  expectedRunMs(params: Params): number;
  /** The variant table, for models that have one (the OpenAPI document restates its rules). */
  catalogue?: Catalogue;
}

function weshopModel(id: ModelId, catalogue: Catalogue): ModelSpec {
  return {
    id,
    provider: "weshop",
    kind: catalogue.kind,
    agent: catalogue.agent,
    params: catalogueSchema(catalogue),
    urls: (p) => urlsOf(catalogue.urlFields, p),
    expectedRunMs: catalogue.expectedRunMs,
    catalogue,
  };
}

export const MODELS: Record<ModelId, ModelSpec> = {
  "weshop/seedance": weshopModel("weshop/seedance", SEEDANCE),
  "weshop/seedance-25": weshopModel("weshop/seedance-25", SEEDANCE_25),
  "weshop/seedream": weshopModel("weshop/seedream", SEEDREAM),
  "wiro/ByteDance/text-to-video-seedance-v1": {
    id: "wiro/ByteDance/text-to-video-seedance-v1",
    provider: "wiro",
    kind: "video",
    agent: "ByteDance/text-to-video-seedance-v1",
    params: wiroSeedanceParams,
    urls: () => [],
    expectedRunMs: wiroSeedanceRunMs,
  },
};

export const MODEL_IDS = Object.keys(MODELS) as [ModelId, ...ModelId[]];

export function modelSpec(id: string): ModelSpec | undefined {
  return Object.hasOwn(MODELS, id) ? MODELS[id as ModelId] : undefined;
}
