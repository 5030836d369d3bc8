// Wiro `ByteDance/text-to-video-seedance-v1` (seed 003): one model, its inputs as the seed
// documents them.
import { z } from "zod";
import { boolString, numericChoice, oneOf, prompt } from "./fields.ts";
import type { Params } from "./types.ts";

const RESOLUTIONS = ["480p", "720p"] as const;
const RATIOS = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "9:21"] as const;
const DURATIONS = ["5", "10"] as const;
const FPS = ["24", "16"] as const;

/**
 * Wiro's `seed` is a number input (-1 for random) and is sent as a JSON number. An integer string is
 * accepted for convenience and sent as a number; null (as in the seed's example body) leaves it out.
 */
const seed = z
  .union([z.number(), z.string().regex(/^-?\d+$/, "must be an integer")], {
    error: "must be an integer (-1 for random)",
  })
  .transform((v) => Number(v))
  .pipe(z.number().int("must be an integer").min(-1, "must be -1 (random) or more").max(4294967295, "is too large"))
  .nullable()
  .optional();

export const wiroSeedanceParams = z
  .strictObject({
    prompt,
    resolution: oneOf(RESOLUTIONS).default("480p"),
    ratio: oneOf(RATIOS).default("16:9"),
    duration: numericChoice(DURATIONS).default("5"),
    fps: numericChoice(FPS).default("24"),
    watermark: boolString.default("false"),
    seed,
    camerafixed: boolString.default("false"),
  })
  .transform(({ seed, ...rest }): Params => (seed === null || seed === undefined ? rest : { ...rest, seed }));

export const wiroSeedanceRunMs = (p: Params) =>
  40_000 * (p.resolution === "720p" ? 1.5 : 1) * (p.duration === "10" ? 2 : 1);
