// WeShop agent `seedance` v1.0: one row per modelName (docs/providers.md, "What the official clients
// show", and weshop-cli 0.2.22 `seedance`). A new variant is one more entry in VARIANTS.
import { boolString, flag, oneOf, seconds, url, urlList } from "./fields.ts";
import type { Catalogue, Rule, Variant } from "./types.ts";
import {
  batchFactor,
  extendAmongVideos,
  extendApartFromVideos,
  secondsOf,
  WESHOP_COMMON,
  WESHOP_COMMON_FIELDS,
} from "./weshop-common.ts";

const RATIOS = ["21:9", "16:9", "9:16", "3:4", "4:3", "1:1"] as const;
/** Seedance 1.0 makes no 21:9. */
const RATIOS_10 = ["16:9", "9:16", "3:4", "4:3", "1:1"] as const;
const RESOLUTIONS = ["480p", "720p", "1080p", "4k"] as const;

/** The 2.0 family's rules between inputs (the official CLI's checks). */
const RULES_20: readonly Rule[] = [
  { field: "lastFrame", needs: ["firstFrame"] },
  { field: "aspectRatio", value: "adaptive", needs: ["firstFrame", "extendVideo"] },
  { field: "extendVideo", needs: ["extendDirection"] },
  { field: "extendDirection", needs: ["extendVideo"] },
  { field: "firstFrame", excludes: ["images", "videos", "audios", "extendVideo"] },
  { field: "extendVideo", excludes: ["images", "videos", "audios"] },
  // no audio-only input
  { field: "audios", needs: ["images", "videos"] },
];

/** The seed's defaults; a caller who names a variant gets the same, so switching variants changes nothing else. */
const DEFAULTS = { duration: "4s", aspectRatio: "3:4" };

function seedance20(resolutions: readonly string[]): Variant {
  return {
    takes: {
      images: { count: [0, 9] },
      aspectRatio: { values: [...RATIOS, "adaptive"] },
      duration: { seconds: [4, 15] },
      resolution: { values: resolutions },
      generateAudio: true,
      firstFrame: true,
      lastFrame: true,
      extendVideo: true,
      extendDirection: true,
      returnLastFrame: true,
      videos: { count: [0, 3] },
      audios: { count: [0, 3] },
    },
    defaults: { ...DEFAULTS, generateAudio: "true" },
    rules: RULES_20,
  };
}

function seedance10(): Variant {
  return {
    takes: {
      // the first image is the first frame
      images: { count: [1, 1] },
      aspectRatio: { values: RATIOS_10 },
      duration: { seconds: [2, 12] },
      // no audio: "false" is accepted and left out
      generateAudio: { values: ["false"], send: false },
    },
    defaults: DEFAULTS,
  };
}

const VARIANTS: Record<string, Variant> = {
  Seedance_20: seedance20(RESOLUTIONS),
  Seedance_20_Mini: seedance20(["480p", "720p"]),
  // the seed's variant, gone from the newest CLI: kept with the seed's rules
  Seedance_15_Pro: {
    takes: {
      images: { count: [1, 1] },
      aspectRatio: { values: RATIOS },
      duration: { seconds: [4, 15] },
      generateAudio: true,
    },
    defaults: { ...DEFAULTS, generateAudio: "true" },
  },
  Seedance_10_Pro: seedance10(),
  Seedance_10_Pro_Fast: seedance10(),
};

const RESOLUTION_FACTOR: Record<string, number> = { "480p": 0.8, "720p": 1, "1080p": 1.5, "4k": 2.5 };

export const SEEDANCE: Catalogue = {
  agent: "seedance",
  kind: "video",
  fields: {
    ...WESHOP_COMMON_FIELDS,
    images: urlList("image"),
    duration: seconds(),
    aspectRatio: oneOf([...RATIOS, "adaptive"]),
    resolution: oneOf(RESOLUTIONS),
    generateAudio: boolString,
    firstFrame: url,
    lastFrame: url,
    extendVideo: url,
    extendDirection: oneOf(["forward", "backward"]),
    returnLastFrame: flag,
    videos: urlList("video"),
    audios: urlList("audio"),
  },
  required: ["textDescription"],
  urlFields: ["images", "firstFrame", "lastFrame", "extendVideo", "videos", "audios"],
  common: WESHOP_COMMON,
  variants: VARIANTS,
  implicit: { variant: "Seedance_20" },
  prepare: extendApartFromVideos,
  finish: extendAmongVideos,
  expectedRunMs: (p) =>
    (45_000 + secondsOf(p.duration, 4) * 10_000) * (RESOLUTION_FACTOR[String(p.resolution)] ?? 1) * batchFactor(p),
};
