// Seedream's Pro/Lite choice and Seedance 2.5, as a client meets them; the run-time guess and the
// WeShop wire form read from the same catalogue.
import { describe, expect, it } from "vitest";
import { MODELS, type ModelId } from "../../src/providers/models.ts";
import { weshopRunBody, weshopRunKey } from "../../src/providers/weshop-run.ts";
import { aud, check, img, paths, urls, vid } from "./models-support.ts";

const seedream = (params: Record<string, unknown>) => check("weshop/seedream", { textDescription: "cat", ...params });
const s25 = (params: Record<string, unknown>) => paths("weshop/seedance-25", { textDescription: "x", ...params });

describe("weshop/seedream: modelName always sent", () => {
  it("a seed-style request keeps the seed's defaults and goes to Seedream_50_Pro", () => {
    expect(seedream({}).data).toEqual({
      textDescription: "cat",
      modelName: "Seedream_50_Pro",
      imageSize: "2K",
      aspectRatio: "3:4",
      outputFormat: "jpeg",
      batchCount: 1,
      safeGenerate: "on",
    });
    expect(seedream({ images: urls(10), aspectRatio: "21:9", outputFormat: "png" }).data?.modelName).toBe(
      "Seedream_50_Pro",
    );
  });
  it.each([
    ["imageSize 3K", { imageSize: "3K" }],
    ["tools", { tools: ["web_search"] }],
    ["11 images", { images: urls(11) }],
    ["14 images", { images: urls(14) }],
  ])("a seed-style request that needs Lite (%s) goes out as Seedream_50_Lite", (_, params) => {
    const { data, errors } = seedream(params);
    expect(errors).toEqual([]);
    expect(data).toMatchObject({
      modelName: "Seedream_50_Lite",
      imageSize: "imageSize" in params ? params.imageSize : "2K",
      aspectRatio: "3:4",
      ...params,
    });
  });
  it("Pro's own values without a modelName: 1K and auto", () => {
    expect(seedream({ imageSize: "1K", aspectRatio: "auto" }).data).toMatchObject({
      modelName: "Seedream_50_Pro",
      imageSize: "1K",
      aspectRatio: "auto",
    });
  });
  it("a request neither variant takes is refused, saying which variant takes the value", () => {
    expect(seedream({ images: urls(15) }).errors).toEqual([
      { path: "params.images", message: "takes at most 10 for Seedream_50_Pro" },
    ]);
    const { errors } = seedream({ imageSize: "3K", aspectRatio: "auto" });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/needs Seedream_50_(Lite|Pro)$/);
  });
  it("a named Pro gets WeShop's Pro defaults (1K, auto) and Pro's limits", () => {
    expect(seedream({ modelName: "Seedream_50_Pro" }).data).toMatchObject({
      modelName: "Seedream_50_Pro",
      imageSize: "1K",
      aspectRatio: "auto",
      outputFormat: "jpeg",
    });
    expect(seedream({ modelName: "Seedream_50_Pro", imageSize: "2K", images: urls(10) }).errors).toEqual([]);
    expect(
      seedream({ modelName: "Seedream_50_Pro", imageSize: "3K", tools: ["web_search"], images: urls(11) }).errors,
    ).toEqual([
      { path: "params.images", message: "takes at most 10 for Seedream_50_Pro; 11 need Seedream_50_Lite" },
      { path: "params.imageSize", message: 'must be one of: 1K, 2K for Seedream_50_Pro; "3K" needs Seedream_50_Lite' },
      { path: "params.tools", message: "is not supported by Seedream_50_Pro; it needs Seedream_50_Lite" },
    ]);
  });
  it("a named Lite gets Lite's defaults (2K, 3:4) and Lite's limits", () => {
    expect(seedream({ modelName: "Seedream_50_Lite" }).data).toMatchObject({
      modelName: "Seedream_50_Lite",
      imageSize: "2K",
      aspectRatio: "3:4",
    });
    expect(
      seedream({ modelName: "Seedream_50_Lite", imageSize: "3K", tools: ["web_search"], images: urls(14) }).errors,
    ).toEqual([]);
    expect(
      paths("weshop/seedream", {
        textDescription: "c",
        modelName: "Seedream_50_Lite",
        imageSize: "1K",
        aspectRatio: "auto",
        images: urls(15),
      }),
    ).toEqual(["params.aspectRatio", "params.imageSize", "params.images"]);
  });
  it("refuses bad values field by field, all at once", () => {
    expect(
      paths("weshop/seedream", {
        textDescription: "",
        images: urls(15),
        imageSize: "4K",
        outputFormat: "gif",
        aspectRatio: "5:4",
        batchCount: 0,
        tools: ["code"],
      }),
    ).toEqual([
      "params.aspectRatio",
      "params.batchCount",
      "params.imageSize",
      "params.images",
      "params.outputFormat",
      "params.textDescription",
      "params.tools[0]",
    ]);
    expect(paths("weshop/seedream", { modelName: "Seedream_40", imageSize: "3K" })).toEqual([
      "params.modelName",
      "params.textDescription",
    ]);
  });

  it("a prompt of the wrong type is called that, not missing", () => {
    expect(check("weshop/seedream", { textDescription: 5 }).errors).toEqual([
      { path: "params.textDescription", message: "must be a string" },
    ]);
    expect(check("weshop/seedream", {}).errors).toEqual([{ path: "params.textDescription", message: "is required" }]);
  });
});

describe("weshop/seedance-25", () => {
  it("defaults as the official CLI: Seedance_25, 4s, 3:4, audio on", () => {
    expect(check("weshop/seedance-25", { textDescription: "x" }).data).toEqual({
      textDescription: "x",
      modelName: "Seedance_25",
      duration: "4s",
      aspectRatio: "3:4",
      generateAudio: "true",
      batchCount: 1,
      safeGenerate: "on",
    });
  });
  it.each([
    ["-1", true],
    ["4s", true],
    ["30s", true],
    ["3s", false],
    ["31s", false],
    ["-2", false],
    [-1, false],
  ])("duration %j valid=%s", (duration, valid) => {
    expect(s25({ duration })).toEqual(valid ? [] : ["params.duration"]);
  });
  it("resolution 480p/720p/1080p, outputFormat mp4/mov, the 7 ratios", () => {
    for (const resolution of ["480p", "720p", "1080p"]) expect(s25({ resolution })).toEqual([]);
    for (const outputFormat of ["mp4", "mov"]) expect(s25({ outputFormat })).toEqual([]);
    for (const aspectRatio of ["21:9", "16:9", "9:16", "3:4", "4:3", "1:1", "adaptive"])
      expect(s25({ aspectRatio })).toEqual([]);
    expect(s25({ resolution: "4k", outputFormat: "webm", aspectRatio: "2:1" })).toEqual([
      "params.aspectRatio",
      "params.outputFormat",
      "params.resolution",
    ]);
  });
  it("up to 30 images, 10 videos, 10 audios, 50 in all; the video to extend counts among the 10", () => {
    expect(s25({ images: urls(30), videos: urls(10, vid), audios: urls(10, aud) })).toEqual([]);
    expect(s25({ images: urls(31), videos: urls(11, vid), audios: urls(11, aud) })).toEqual([
      "params.audios",
      "params.images",
      "params.videos",
    ]);
    expect(
      s25({
        images: urls(30),
        videos: urls(10, vid),
        audios: urls(10, aud),
        extendVideo: "https://e.example.com/x.mp4",
        extendDirection: "forward",
      }),
    ).toEqual(["params.videos"]);
    expect(
      s25({
        images: urls(30),
        videos: urls(9, vid),
        audios: urls(10, aud),
        extendVideo: vid.replace("v.mp4", "w.mp4"),
        extendDirection: "backward",
      }),
    ).toEqual([]);
  });
  it("frames and extension rules; everything wrong at once", () => {
    expect(s25({ firstFrame: img, lastFrame: img, returnLastFrame: true })).toEqual([]);
    expect(s25({ lastFrame: img })).toEqual(["params.lastFrame"]);
    expect(s25({ firstFrame: img, extendVideo: vid, extendDirection: "forward" })).toEqual(["params.firstFrame"]);
    expect(
      paths("weshop/seedance-25", { modelName: "Seedance_20", duration: "31s", extendVideo: vid, resolution: "4k" }),
    ).toEqual(["params.modelName", "params.resolution", "params.textDescription"]);
    expect(paths("weshop/seedance-25", { duration: "31s", extendVideo: vid, resolution: "4k" })).toEqual([
      "params.duration",
      "params.extendVideo",
      "params.resolution",
      "params.textDescription",
    ]);
  });
});

describe("the run-time guess reads the catalogue", () => {
  const guess = (model: ModelId, params: Record<string, unknown>) =>
    MODELS[model].expectedRunMs(check(model, params).data!);
  it("longer and sharper videos, bigger images and batches take longer", () => {
    expect(guess("weshop/seedance", { textDescription: "x", duration: "12s" })).toBeGreaterThan(
      guess("weshop/seedance", { textDescription: "x", duration: "4s" }),
    );
    expect(guess("weshop/seedance", { textDescription: "x", resolution: "4k" })).toBeGreaterThan(
      guess("weshop/seedance", { textDescription: "x", resolution: "480p" }),
    );
    expect(guess("weshop/seedance-25", { textDescription: "x", duration: "30s" })).toBeGreaterThan(
      guess("weshop/seedance-25", { textDescription: "x", duration: "-1" }),
    );
    expect(guess("weshop/seedream", { textDescription: "x", imageSize: "3K" })).toBeGreaterThan(
      guess("weshop/seedream", { textDescription: "x" }),
    );
    expect(guess("weshop/seedream", { textDescription: "x", batchCount: 4 })).toBeGreaterThan(
      guess("weshop/seedream", { textDescription: "x" }),
    );
  });
});

describe("WeShop run wire form", () => {
  it("images in input.originalImage, input.images and params.images; safeGenerate top-level", () => {
    const params = check("weshop/seedream", { textDescription: "x", images: [img, vid] }).data!;
    expect(weshopRunBody("seedream", params)).toEqual({
      agent: { name: "seedream", version: "v1.0" },
      input: { originalImage: img, images: [img, vid] },
      params: {
        textDescription: "x",
        images: [img, vid],
        modelName: "Seedream_50_Pro",
        imageSize: "2K",
        aspectRatio: "3:4",
        outputFormat: "jpeg",
        batchCount: 1,
      },
      safeGenerate: "on",
    });
  });
  it("text only: an empty input; reference videos and audios in input and params; safeGenerate off when asked", () => {
    const params = check("weshop/seedance", {
      textDescription: "x",
      images: [img],
      videos: [vid],
      audios: [aud],
      safeGenerate: "off",
    }).data!;
    const body = weshopRunBody("seedance", params);
    expect(body).toMatchObject({
      input: { originalImage: img, images: [img], videos: [vid], audios: [aud] },
      params: { videos: [vid], audios: [aud] },
      safeGenerate: "off",
    });
    expect(body.params).not.toHaveProperty("safeGenerate");
    expect(weshopRunBody("seedance", check("weshop/seedance", { textDescription: "x" }).data!).input).toEqual({});
  });
  it("the Idempotency-Key is a UUID, the same for every submit of a job, another for another job", async () => {
    const a = await weshopRunKey("job_aaaaaaaaaaaaaaaaaaaa");
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await weshopRunKey("job_aaaaaaaaaaaaaaaaaaaa")).toBe(a);
    expect(await weshopRunKey("job_aaaaaaaaaaaaaaaaaaab")).not.toBe(a);
  });
});
