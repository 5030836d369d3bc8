// Each model's parameters exactly as the provider seeds state them, as data: adding a model
// variant is one line in a table here, not a change to the job code.
import { z } from "zod";

/** Seedance variants of WeShop agent `seedance` v1.0 (seed 000). */
export const SEEDANCE_VARIANTS = {
  Seedance_20: { minSeconds: 4, maxSeconds: 15, audio: true },
  Seedance_15_Pro: { minSeconds: 4, maxSeconds: 15, audio: true },
  Seedance_10_Pro: { minSeconds: 2, maxSeconds: 12, audio: false },
  Seedance_10_Pro_Fast: { minSeconds: 2, maxSeconds: 12, audio: false },
} as const satisfies Record<string, { minSeconds: number; maxSeconds: number; audio: boolean }>;

const SEEDANCE_RATIOS = ["21:9", "16:9", "9:16", "3:4", "4:3", "1:1"] as const;
const SEEDREAM_RATIOS = ["1:1", "2:3", "3:2", "4:3", "3:4", "16:9", "9:16", "21:9"] as const;
const SEEDREAM_SIZES = ["2K", "3K"] as const;
const SEEDREAM_FORMATS = ["jpeg", "png"] as const;
const SEEDREAM_TOOLS = ["web_search"] as const;
const WIRO_RESOLUTIONS = ["480p", "720p"] as const;
const WIRO_RATIOS = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "9:21"] as const;
const WIRO_DURATIONS = ["5", "10"] as const;
const WIRO_FPS = ["24", "16"] as const;

export type ModelId = "weshop/seedance" | "weshop/seedream" | "wiro/ByteDance/text-to-video-seedance-v1";
export type ProviderName = "weshop" | "wiro";
export type OutputKind = "video" | "image";
type Params = Record<string, unknown>;

export interface ModelSpec {
  id: ModelId;
  provider: ProviderName;
  kind: OutputKind;
  /** WeShop agent, or the Wiro model path after /Run/. */
  agent: string;
  /** Validates and normalises to the provider's documented value forms. */
  params: z.ZodType<Params>;
  /**
   * Image URLs in the params, with their field paths, for the URL safety check. Takes the raw
   * (unvalidated) params and yields only the entries shaped like a URL string, so the check runs
   * even when other params are invalid.
   */
  imageUrls(params: Params): { path: (string | number)[]; url: string }[];
  /** Prior guess of how long a run takes; the learned figure scales this. */
  expectedRunMs(params: Params): number;
}

const url = z.string().min(1, "must be a URL").max(2048, "must be at most 2048 characters");
const prompt = z.string().trim().min(1, "is required").max(5000, "must be at most 5000 characters");
const batchCount = z
  .number({ error: "must be an integer from 1 to 16" })
  .int("must be an integer from 1 to 16")
  .min(1, "must be an integer from 1 to 16")
  .max(16, "must be an integer from 1 to 16")
  .default(1);

/** `true`/`false` as JSON booleans or the documented strings, sent as strings. */
const boolString = z
  .union([z.boolean(), z.enum(["true", "false"])], { error: 'must be "true" or "false"' })
  .transform((v) => String(v) as "true" | "false");

function oneOf<T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of: ${values.join(", ")}` });
}

/** Wiro documents these as strings; numbers are accepted for convenience. */
function numericChoice<T extends readonly [string, ...string[]]>(values: T) {
  return z
    .union([z.string(), z.number()])
    .transform((v) => String(v))
    .pipe(oneOf(values));
}

/** Whole seconds as WeShop writes them: "4s", "12s"; no leading zero, no fractions. */
const SEEDANCE_DURATION = /^([1-9]\d?)s$/;

const variantNames = Object.keys(SEEDANCE_VARIANTS) as [keyof typeof SEEDANCE_VARIANTS, ...(keyof typeof SEEDANCE_VARIANTS)[]];

// Cross-field rules run even when other fields are invalid, so one answer lists every problem.
const always = { when: () => true };

const seedanceParams = z
  .strictObject({
    images: z.array(url, { error: "must be an array of 1 image URL" }).min(1, "needs 1 image URL").max(1, "takes at most 1 image URL"),
    textDescription: prompt,
    modelName: oneOf(variantNames).default("Seedance_20"),
    duration: z
      .string({ error: 'must be a string like "4s"' })
      .regex(SEEDANCE_DURATION, 'must be a whole number of seconds like "4s", without a leading zero')
      .default("4s"),
    aspectRatio: oneOf(SEEDANCE_RATIOS).default("3:4"),
    generateAudio: boolString.optional(),
    batchCount,
  })
  .superRefine((p, ctx) => {
    const variant = SEEDANCE_VARIANTS[(p.modelName ?? "Seedance_20") as keyof typeof SEEDANCE_VARIANTS];
    if (!variant) return;
    // the range is checked only once the form is right; a malformed value has its own message
    const secondsText = typeof p.duration === "string" ? SEEDANCE_DURATION.exec(p.duration)?.[1] : undefined;
    if (secondsText !== undefined) {
      const seconds = Number(secondsText);
      if (seconds < variant.minSeconds || seconds > variant.maxSeconds)
        ctx.addIssue({
          code: "custom",
          path: ["duration"],
          message: `must be from ${variant.minSeconds}s to ${variant.maxSeconds}s for ${p.modelName ?? "Seedance_20"}`,
        });
    }
    if (!variant.audio && (p.generateAudio === "true" || (p.generateAudio as unknown) === true))
      ctx.addIssue({
        code: "custom",
        path: ["generateAudio"],
        message: `is supported only by ${variantNames.filter((n) => SEEDANCE_VARIANTS[n].audio).join(", ")}`,
      });
  }, always)
  .transform((p) => {
    const variant = SEEDANCE_VARIANTS[p.modelName];
    const { generateAudio, ...rest } = p;
    // audio-less variants get no generateAudio at all rather than a value they do not document
    return variant.audio ? { ...rest, generateAudio: generateAudio ?? "true" } : rest;
  });

const seedreamParams = z.strictObject({
  images: z.array(url, { error: "must be an array of image URLs" }).max(14, "takes at most 14 image URLs").optional(),
  textDescription: prompt,
  imageSize: oneOf(SEEDREAM_SIZES).default("2K"),
  aspectRatio: oneOf(SEEDREAM_RATIOS).default("3:4"),
  outputFormat: oneOf(SEEDREAM_FORMATS).default("jpeg"),
  tools: z.array(oneOf(SEEDREAM_TOOLS), { error: "must be an array of tool names" }).max(SEEDREAM_TOOLS.length).optional(),
  batchCount,
});

/**
 * Wiro's `seed` is a number input (-1 for random) and is sent as a JSON number. An integer string is
 * accepted for convenience and sent as a number; null (as in the seed's example body) leaves it out.
 */
const wiroSeed = z
  .union([z.number(), z.string().regex(/^-?\d+$/, "must be an integer")], { error: "must be an integer (-1 for random)" })
  .transform((v) => Number(v))
  .pipe(z.number().int("must be an integer").min(-1, "must be -1 (random) or more").max(4294967295, "is too large"))
  .nullable()
  .optional();

const wiroParams = z
  .strictObject({
    prompt,
    resolution: oneOf(WIRO_RESOLUTIONS).default("480p"),
    ratio: oneOf(WIRO_RATIOS).default("16:9"),
    duration: numericChoice(WIRO_DURATIONS).default("5"),
    fps: numericChoice(WIRO_FPS).default("24"),
    watermark: boolString.default("false"),
    seed: wiroSeed,
    camerafixed: boolString.default("false"),
  })
  .transform(({ seed, ...rest }) => (seed === null || seed === undefined ? rest : { ...rest, seed }));

const imagesOf = (params: Params) =>
  Array.isArray(params.images)
    ? params.images.flatMap((u: unknown, i) => (typeof u === "string" && url.safeParse(u).success ? [{ path: ["images", i], url: u }] : []))
    : [];

const seconds = (value: unknown, fallback: number) => {
  const n = Number.parseInt(String(value ?? ""), 10);
  return Number.isFinite(n) ? n : fallback;
};
const batchFactor = (params: Params) => 1 + 0.25 * (Number(params.batchCount ?? 1) - 1);

export const MODELS: Record<ModelId, ModelSpec> = {
  "weshop/seedance": {
    id: "weshop/seedance",
    provider: "weshop",
    kind: "video",
    agent: "seedance",
    params: seedanceParams,
    imageUrls: imagesOf,
    expectedRunMs: (p) => (45_000 + seconds(p.duration, 4) * 10_000) * batchFactor(p),
  },
  "weshop/seedream": {
    id: "weshop/seedream",
    provider: "weshop",
    kind: "image",
    agent: "seedream",
    params: seedreamParams,
    imageUrls: imagesOf,
    expectedRunMs: (p) => (p.imageSize === "3K" ? 40_000 : 25_000) * batchFactor(p),
  },
  "wiro/ByteDance/text-to-video-seedance-v1": {
    id: "wiro/ByteDance/text-to-video-seedance-v1",
    provider: "wiro",
    kind: "video",
    agent: "ByteDance/text-to-video-seedance-v1",
    params: wiroParams,
    imageUrls: () => [],
    expectedRunMs: (p) => 40_000 * (p.resolution === "720p" ? 1.5 : 1) * (p.duration === "10" ? 2 : 1),
  },
};

export const MODEL_IDS = Object.keys(MODELS) as [ModelId, ...ModelId[]];

export function modelSpec(id: string): ModelSpec | undefined {
  return Object.hasOwn(MODELS, id) ? MODELS[id as ModelId] : undefined;
}
