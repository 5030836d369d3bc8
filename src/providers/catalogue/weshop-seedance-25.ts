// WeShop agent `seedance-25` v1.0 (Seedance 2.5): docs/providers.md, "What the official clients show",
// and weshop-cli 0.2.22 `seedance-25`.
import { boolString, flag, oneOf, seconds, url, urlList } from "./fields.ts";
import type { Catalogue } from "./types.ts";
import {
  batchFactor,
  extendAmongVideos,
  extendApartFromVideos,
  secondsOf,
  WESHOP_COMMON,
  WESHOP_COMMON_FIELDS,
} from "./weshop-common.ts";

const RATIOS = ["21:9", "16:9", "9:16", "3:4", "4:3", "1:1", "adaptive"] as const;
const RESOLUTIONS = ["480p", "720p", "1080p"] as const;
const FORMATS = ["mp4", "mov"] as const;

const RESOLUTION_FACTOR: Record<string, number> = { "480p": 0.8, "720p": 1, "1080p": 1.5 };

export const SEEDANCE_25: Catalogue = {
  agent: "seedance-25",
  kind: "video",
  fields: {
    ...WESHOP_COMMON_FIELDS,
    images: urlList("image"),
    duration: seconds("-1"),
    aspectRatio: oneOf(RATIOS),
    resolution: oneOf(RESOLUTIONS),
    outputFormat: oneOf(FORMATS),
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
  variants: {
    Seedance_25: {
      takes: {
        images: { count: [0, 30] },
        duration: { seconds: [4, 30], auto: true },
        aspectRatio: { values: RATIOS },
        resolution: { values: RESOLUTIONS },
        outputFormat: { values: FORMATS },
        generateAudio: true,
        firstFrame: true,
        lastFrame: true,
        extendVideo: true,
        extendDirection: true,
        returnLastFrame: true,
        videos: { count: [0, 10] },
        audios: { count: [0, 10] },
      },
      defaults: { duration: "4s", aspectRatio: "3:4", generateAudio: "true" },
      rules: [
        { field: "lastFrame", needs: ["firstFrame"] },
        { field: "extendVideo", needs: ["extendDirection"] },
        { field: "extendDirection", needs: ["extendVideo"] },
        { field: "firstFrame", excludes: ["images", "videos", "audios", "extendVideo"] },
        { field: "images", total: ["images", "videos", "audios"], max: 50 },
        // the video to extend counts among the 10 videos
        { field: "videos", total: ["videos", "extendVideo"], max: 10 },
      ],
    },
  },
  implicit: { variant: "Seedance_25" },
  prepare: extendApartFromVideos,
  finish: extendAmongVideos,
  // auto duration: guess the middle of the range
  expectedRunMs: (p) =>
    (45_000 + secondsOf(p.duration, 15) * 10_000) * (RESOLUTION_FACTOR[String(p.resolution)] ?? 1) * batchFactor(p),
};
