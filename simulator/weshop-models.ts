// What the real WeShop accepts per agent and modelName (docs/providers.md, "What the official clients show"),
// as data: a new variant is one row. `checkRun` lists every problem and the run's effective params
// (the server's defaults filled in), which is what the sim executes and prices.

import {
  DEFAULT_MODEL,
  SEEDANCE_VARIANTS,
  SEEDREAM_DEFAULT,
  SEEDREAM_VARIANTS,
  type SeedanceVariant,
} from "./weshop-variants.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export interface RunCheck {
  problems: string[];
  /** params with the server's defaults applied and the run's image list in `images` */
  effective: Obj;
  power: number;
  /** the duration was left to the model, so the price is a guess */
  estimated: boolean;
}

function isHttpUrl(v: unknown): v is string {
  if (typeof v !== "string") return false;
  try {
    return /^https?:$/.test(new URL(v).protocol);
  } catch {
    return false;
  }
}

function urlList(field: string, v: unknown, problems: string[]): string[] | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v) && v.every(isHttpUrl)) return v;
  problems.push(`${field} must be an array of http(s) URLs`);
  return [];
}

function oneOf(field: string, v: unknown, allowed: string[], problems: string[], why = ""): void {
  if (v !== undefined && !(typeof v === "string" && allowed.includes(v)))
    problems.push(`${field} must be one of ${allowed.join(", ")}${why}`);
}

/** The run's images, from whichever of the official clients' places carries them (CLI, DSH plugin, seed). */
function runImages(input: Obj, params: Obj, problems: string[]): string[] {
  if (input.originalImage !== undefined && !isHttpUrl(input.originalImage))
    problems.push("input.originalImage must be an http(s) URL");
  const fromInput = urlList("input.images", input.images, problems);
  const fromParams = urlList("params.images", params.images, problems);
  if (fromParams && fromInput && JSON.stringify(fromParams) !== JSON.stringify(fromInput)) {
    problems.push("input.images and params.images must list the same images");
  }
  const list = fromParams ?? fromInput;
  if (list) return list;
  return isHttpUrl(input.originalImage) ? [input.originalImage] : [];
}

function checkCommon(params: Obj, problems: string[]): number {
  if (!(typeof params.textDescription === "string" && params.textDescription.trim() !== ""))
    problems.push("params.textDescription is required");
  const b = params.batchCount;
  if (b !== undefined && !(typeof b === "number" && Number.isInteger(b) && b >= 1 && b <= 16))
    problems.push("params.batchCount must be an integer from 1 to 16");
  return typeof b === "number" && Number.isInteger(b) && b >= 1 ? b : 1;
}

function checkSeedance(agent: string, input: Obj, params: Obj, problems: string[]): RunCheck {
  const batch = checkCommon(params, problems);
  const images = runImages(input, params, problems);
  const model = params.modelName ?? DEFAULT_MODEL[agent];
  const v = typeof model === "string" ? SEEDANCE_VARIANTS[model] : undefined;
  const names = Object.keys(SEEDANCE_VARIANTS).filter((n) => SEEDANCE_VARIANTS[n]?.agent === agent);
  if (!v || v.agent !== agent) {
    problems.push(`params.modelName must be one of ${names.join(", ")}`);
    return { problems, effective: { ...params, images }, power: 0, estimated: false };
  }
  const name = String(model);
  const why = ` for ${name}`;
  if (images.length < v.minImages || images.length > v.maxImages) {
    problems.push(
      v.minImages > 0
        ? `params.images must hold ${v.minImages === v.maxImages ? "exactly 1" : `1 to ${v.maxImages}`} image URL${v.maxImages > 1 ? "s" : ""}${why}`
        : `params.images must hold at most ${v.maxImages} image URLs${why}`,
    );
  }
  let seconds = 4;
  let estimated = false;
  const d = params.duration;
  if (d !== undefined) {
    const m = typeof d === "string" ? /^(\d+)s$/.exec(d) : null;
    seconds = m ? Number(m[1]) : NaN;
    if (v.autoDuration && d === "-1") [seconds, estimated] = [AUTO_GUESS_SECONDS, true];
    else if (!(seconds >= v.minSeconds && seconds <= v.maxSeconds)) {
      problems.push(
        `params.duration must be a string from "${v.minSeconds}s" to "${v.maxSeconds}s"${v.autoDuration ? ' or "-1"' : ""}${why}`,
      );
    }
  }
  oneOf("params.aspectRatio", params.aspectRatio, v.adaptive ? [...v.ratios, "adaptive"] : v.ratios, problems, why);
  // Seedance 1.0 has no audio, yet the official CLI sends generateAudio to it and the server tolerates that
  oneOf("params.generateAudio", params.generateAudio, ["true", "false"], problems);
  if (v.resolutions) oneOf("params.resolution", params.resolution, v.resolutions, problems, why);
  else if (params.resolution !== undefined) problems.push(`params.resolution is not supported by ${name}`);
  if (v.outputFormats) oneOf("params.outputFormat", params.outputFormat, v.outputFormats, problems, why);
  checkModernInputs(v, name, input, params, images, problems);
  const effective: Obj = {
    ...params,
    modelName: name,
    duration: params.duration ?? "4s",
    aspectRatio: params.aspectRatio ?? "3:4",
    batchCount: batch,
    images,
  };
  // 1.0 makes no audio: whatever generateAudio says is ignored, so it is no part of the run
  if (name === "Seedance_10_Pro" || name === "Seedance_10_Pro_Fast") delete effective.generateAudio;
  else effective.generateAudio = params.generateAudio ?? "true";
  const power = Number.isFinite(seconds) ? v.powerPerSecond * seconds * batch : 0;
  return { problems, effective, power, estimated };
}

/** Seedance 2.x inputs: frames, extension, reference videos and audios (the rules the official CLI states). */
function checkModernInputs(
  v: SeedanceVariant,
  name: string,
  input: Obj,
  params: Obj,
  images: string[],
  problems: string[],
): void {
  const fields = ["firstFrame", "lastFrame", "extendVideo", "extendDirection", "returnLastFrame", "videos", "audios"];
  if (!v.modern) {
    for (const f of fields) if (params[f] !== undefined) problems.push(`params.${f} is not supported by ${name}`);
    return;
  }
  for (const f of ["firstFrame", "lastFrame", "extendVideo"]) {
    if (params[f] !== undefined && !isHttpUrl(params[f])) problems.push(`params.${f} must be an http(s) URL`);
  }
  if (params.lastFrame !== undefined && params.firstFrame === undefined)
    problems.push("params.lastFrame needs params.firstFrame");
  if (params.extendVideo !== undefined)
    oneOf("params.extendDirection", params.extendDirection ?? "", ["forward", "backward"], problems);
  else if (params.extendDirection !== undefined) problems.push("params.extendDirection needs params.extendVideo");
  const r = params.returnLastFrame;
  if (r !== undefined && typeof r !== "boolean" && r !== "true" && r !== "false")
    problems.push("params.returnLastFrame must be true or false");
  const videos = urlList("params.videos", params.videos ?? input.videos, problems) ?? [];
  const audios = urlList("params.audios", params.audios ?? input.audios, problems) ?? [];
  if (videos.length > v.maxVideos) problems.push(`params.videos must hold at most ${v.maxVideos} URLs for ${name}`);
  if (audios.length > v.maxAudios) problems.push(`params.audios must hold at most ${v.maxAudios} URLs for ${name}`);
  if (params.aspectRatio === "adaptive" && params.firstFrame === undefined && params.extendVideo === undefined) {
    problems.push("params.aspectRatio adaptive needs params.firstFrame or params.extendVideo");
  }
  const others = videos.filter((u) => u !== params.extendVideo);
  if (
    params.firstFrame !== undefined &&
    (images.length > 0 || videos.length > 0 || audios.length > 0 || params.extendVideo !== undefined)
  ) {
    problems.push("params.firstFrame cannot be combined with reference images, videos, audios or params.extendVideo");
  }
  if (
    v.agent === "seedance" &&
    params.extendVideo !== undefined &&
    (images.length > 0 || others.length > 0 || audios.length > 0)
  ) {
    problems.push(`params.extendVideo cannot be combined with other reference media for ${name}`);
  }
  if (v.agent === "seedance" && audios.length > 0 && images.length === 0 && videos.length === 0) {
    problems.push(`params.audios needs reference images or videos for ${name}`);
  }
  if (images.length + videos.length + audios.length > 50) problems.push("at most 50 reference media items are allowed");
}

function checkSeedream(input: Obj, params: Obj, problems: string[]): RunCheck {
  const batch = checkCommon(params, problems);
  const images = runImages(input, params, problems);
  const model = params.modelName ?? SEEDREAM_DEFAULT;
  const v = typeof model === "string" ? SEEDREAM_VARIANTS[model] : undefined;
  if (!v) {
    problems.push(`params.modelName must be one of ${Object.keys(SEEDREAM_VARIANTS).join(", ")}`);
    return { problems, effective: { ...params, images }, power: 0, estimated: false };
  }
  const why = ` for ${String(model)}`;
  if (images.length > v.maxImages) problems.push(`params.images must hold at most ${v.maxImages} image URLs${why}`);
  oneOf("params.imageSize", params.imageSize, v.sizes, problems, why);
  oneOf("params.aspectRatio", params.aspectRatio, v.ratios, problems, why);
  oneOf("params.outputFormat", params.outputFormat, ["jpeg", "png"], problems);
  const tools = params.tools;
  if (tools !== undefined) {
    if (!Array.isArray(tools) || !tools.every((t) => typeof t === "string"))
      problems.push("params.tools must be an array of strings");
    else if (tools.some((t) => !v.tools.includes(t))) {
      problems.push(
        v.tools.length === 0
          ? `params.tools are not supported${why}`
          : `params.tools may hold only ${v.tools.join(", ")}${why}`,
      );
    }
  }
  const effective: Obj = {
    ...params,
    modelName: model,
    imageSize: params.imageSize ?? v.defaultSize,
    aspectRatio: params.aspectRatio ?? v.defaultRatio,
    outputFormat: params.outputFormat ?? "jpeg",
    batchCount: batch,
    images,
  };
  return { problems, effective, power: v.powerPerImage * batch, estimated: false };
}

/** What WeShop's power estimate assumes for an automatic duration (and marks `isEstimated`). */
export const AUTO_GUESS_SECONDS = 10;

/** Checks a run body (also the power-estimate body) for an agent the sim knows. */
export function checkRun(agent: string, input: unknown, params: unknown, body: Obj): RunCheck {
  const problems: string[] = [];
  if (!isObj(input)) problems.push("input must be an object");
  if (!isObj(params)) problems.push("params must be an object");
  if (body.callbackUrl !== undefined && !isHttpUrl(body.callbackUrl))
    problems.push("callbackUrl must be an http(s) URL");
  oneOf("safeGenerate", body.safeGenerate, ["on", "off"], problems);
  if (!isObj(input) || !isObj(params)) return { problems, effective: {}, power: 0, estimated: false };
  return agent === "seedream" ? checkSeedream(input, params, problems) : checkSeedance(agent, input, params, problems);
}
