// WeShop agent `seedream` v1.0: one row per modelName (docs/providers.md, "What the official clients
// show", and weshop-cli 0.2.22 `seedream`). WeShop runs Seedream_50_Pro when modelName is
// missing, so a modelName is always sent: the caller's, else the first variant the request fits.
import { z } from "zod";
import { oneOf, urlList } from "./fields.ts";
import type { Catalogue } from "./types.ts";
import { batchFactor, WESHOP_COMMON, WESHOP_COMMON_FIELDS } from "./weshop-common.ts";

const RATIOS = ["1:1", "2:3", "3:2", "4:3", "3:4", "16:9", "9:16", "21:9"] as const;
const SIZES = ["1K", "2K", "3K"] as const;
const FORMATS = ["jpeg", "png"] as const;
const TOOLS = ["web_search"] as const;

export const SEEDREAM: Catalogue = {
  agent: "seedream",
  kind: "image",
  fields: {
    ...WESHOP_COMMON_FIELDS,
    images: urlList("image"),
    imageSize: oneOf(SIZES),
    aspectRatio: oneOf(["auto", ...RATIOS]),
    outputFormat: oneOf(FORMATS),
    tools: z
      .array(oneOf(TOOLS), { error: "must be an array of tool names" })
      .max(TOOLS.length, `takes at most ${TOOLS.length} tool`),
  },
  required: ["textDescription"],
  urlFields: ["images"],
  common: WESHOP_COMMON,
  variants: {
    Seedream_50_Pro: {
      takes: {
        images: { count: [0, 10] },
        imageSize: { values: ["1K", "2K"] },
        aspectRatio: { values: ["auto", ...RATIOS] },
        outputFormat: true,
      },
      // WeShop's own defaults for Pro
      defaults: { imageSize: "1K", aspectRatio: "auto", outputFormat: "jpeg" },
    },
    Seedream_50_Lite: {
      takes: {
        images: { count: [0, 14] },
        imageSize: { values: ["2K", "3K"] },
        aspectRatio: { values: RATIOS },
        outputFormat: true,
        tools: true,
      },
      defaults: { imageSize: "2K", aspectRatio: "3:4", outputFormat: "jpeg" },
    },
  },
  // the seed's defaults, which both variants take: a seed-style request keeps its meaning and
  // goes to Lite only when it needs Lite (3K, tools, more than 10 images)
  implicit: {
    firstFitting: ["Seedream_50_Pro", "Seedream_50_Lite"],
    defaults: { imageSize: "2K", aspectRatio: "3:4", outputFormat: "jpeg" },
  },
  expectedRunMs: (p) => (p.imageSize === "3K" ? 40_000 : p.imageSize === "1K" ? 20_000 : 25_000) * batchFactor(p),
};
