// What every WeShop agent run takes, whatever the agent: the prompt, the batch size and the
// content-safety switch (sent top-level as `safeGenerate`, "on" unless the caller turns it off,
// as the official CLI does).
import { batchCount, onOff, prompt } from "./fields.ts";
import type { Params } from "./types.ts";

export const WESHOP_COMMON_FIELDS = { textDescription: prompt, batchCount, safeGenerate: onOff };

export const WESHOP_COMMON = {
  takes: { textDescription: true, batchCount: true, safeGenerate: true },
  defaults: { batchCount: 1, safeGenerate: "on" },
} as const;

/** A batch of n costs a little more than one run: outputs are made side by side. */
export const batchFactor = (params: Params) => 1 + 0.25 * (Number(params.batchCount ?? 1) - 1);

/** Seconds of a "4s" duration; the auto value and anything else count as `fallback`. */
export function secondsOf(value: unknown, fallback: number): number {
  const n = Number.parseInt(String(value ?? ""), 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** A job's params list the video to extend among its videos (see below): not one more reference video. */
export function extendApartFromVideos(params: Params): Params {
  if (
    typeof params.extendVideo !== "string" ||
    !Array.isArray(params.videos) ||
    !params.videos.includes(params.extendVideo)
  )
    return params;
  const { videos, ...rest } = params;
  const others = videos.filter((v: unknown) => v !== params.extendVideo);
  return others.length > 0 ? { ...rest, videos: others } : rest;
}

/**
 * The official CLI sends the video to extend among the reference videos as well, first. Done
 * here so the job's params show what is sent.
 */
export function extendAmongVideos(params: Params): Params {
  const out = { ...params };
  if (out.returnLastFrame === false) delete out.returnLastFrame; // the CLI sends it only when on
  if (typeof out.extendVideo !== "string") return out;
  const others = Array.isArray(out.videos) ? out.videos.filter((v) => v !== out.extendVideo) : [];
  out.videos = [out.extendVideo, ...others];
  return out;
}
