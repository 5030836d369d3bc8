// WeShop's agents and model variants as the real service accepts them (docs/providers.md, "What the
// official clients show"): one row per variant; weshop-models.ts checks a run against them.

export interface SeedanceVariant {
  agent: "seedance" | "seedance-25";
  minImages: number;
  maxImages: number;
  ratios: string[];
  /** `adaptive` allowed (needs firstFrame or extendVideo). */
  adaptive: boolean;
  minSeconds: number;
  maxSeconds: number;
  /** duration "-1" lets the model choose. */
  autoDuration: boolean;
  /** undefined: the variant takes no `resolution`. */
  resolutions?: string[];
  /** firstFrame, lastFrame, extendVideo/extendDirection, returnLastFrame, videos, audios. */
  modern: boolean;
  maxVideos: number;
  maxAudios: number;
  outputFormats?: string[];
  /** power per second of video, per output */
  powerPerSecond: number;
}

const SIX = ["21:9", "16:9", "9:16", "3:4", "4:3", "1:1"];
const FIVE = ["16:9", "9:16", "3:4", "4:3", "1:1"];
const V20 = {
  agent: "seedance",
  minImages: 0,
  maxImages: 9,
  ratios: SIX,
  adaptive: true,
  minSeconds: 4,
  maxSeconds: 15,
  autoDuration: false,
  modern: true,
  maxVideos: 3,
  maxAudios: 3,
} as const;
const V10 = {
  agent: "seedance",
  minImages: 1,
  maxImages: 9,
  ratios: FIVE,
  adaptive: false,
  minSeconds: 2,
  maxSeconds: 12,
  autoDuration: false,
  modern: false,
  maxVideos: 0,
  maxAudios: 0,
} as const;

export const SEEDANCE_VARIANTS: Record<string, SeedanceVariant> = {
  Seedance_20: { ...V20, resolutions: ["480p", "720p", "1080p", "4k"], powerPerSecond: 6 },
  Seedance_20_Mini: { ...V20, resolutions: ["480p", "720p"], powerPerSecond: 3 },
  // gone from CLI 0.2.22 but in the seed: the seed's rules (exactly one image)
  Seedance_15_Pro: {
    ...V10,
    minImages: 1,
    maxImages: 1,
    ratios: SIX,
    minSeconds: 4,
    maxSeconds: 15,
    powerPerSecond: 4,
  },
  Seedance_10_Pro: { ...V10, powerPerSecond: 3 },
  Seedance_10_Pro_Fast: { ...V10, powerPerSecond: 2 },
  Seedance_25: {
    agent: "seedance-25",
    minImages: 0,
    maxImages: 30,
    ratios: SIX,
    adaptive: true,
    minSeconds: 4,
    maxSeconds: 30,
    autoDuration: true,
    resolutions: ["480p", "720p", "1080p"],
    modern: true,
    maxVideos: 10,
    maxAudios: 10,
    outputFormats: ["mp4", "mov"],
    powerPerSecond: 8,
  },
};

export interface SeedreamVariant {
  sizes: string[];
  defaultSize: string;
  ratios: string[];
  defaultRatio: string;
  maxImages: number;
  tools: string[];
  powerPerImage: number;
}
const EIGHT = ["1:1", "2:3", "3:2", "4:3", "3:4", "16:9", "9:16", "21:9"];
export const SEEDREAM_VARIANTS: Record<string, SeedreamVariant> = {
  Seedream_50_Pro: {
    sizes: ["1K", "2K"],
    defaultSize: "1K",
    ratios: ["auto", ...EIGHT],
    defaultRatio: "auto",
    maxImages: 10,
    tools: [],
    powerPerImage: 10,
  },
  Seedream_50_Lite: {
    sizes: ["2K", "3K"],
    defaultSize: "2K",
    ratios: EIGHT,
    defaultRatio: "3:4",
    maxImages: 14,
    tools: ["web_search"],
    powerPerImage: 8,
  },
};
/** The server's choice when modelName is missing. */
export const SEEDREAM_DEFAULT = "Seedream_50_Pro";
export const DEFAULT_MODEL: Record<string, string> = {
  seedance: "Seedance_20",
  "seedance-25": "Seedance_25",
  seedream: SEEDREAM_DEFAULT,
};
export const AGENTS = Object.keys(DEFAULT_MODEL);
