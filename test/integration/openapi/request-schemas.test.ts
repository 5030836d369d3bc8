// The request schemas of the document agree with the validators the routes use: every body the
// real validator accepts or refuses, the documented schema accepts or refuses too.
import { describe, expect, it } from "vitest";
import { MODEL_IDS } from "../../../src/providers/models.ts";
import { validateBatch } from "../../../src/schemas/batch-spec.ts";
import { validateJobSpec } from "../../../src/schemas/job-spec.ts";
import { component, doc, expectValid, type Json } from "./support.ts";

describe("request schemas agree with validateJobSpec", () => {
  const ctx = { allowLoopbackHttp: false, webhooksEnabled: true };
  const real = (body: unknown) => validateJobSpec(body, ctx).errors.length === 0;
  const seedance = (params: Json) => ({
    model: "weshop/seedance",
    params: { images: ["https://img.example.com/a.jpg"], textDescription: "spin", ...params },
  });
  const seedream = (params: Json, rest: Json = {}) => ({
    model: "weshop/seedream",
    params: { textDescription: "a lighthouse", ...params },
    ...rest,
  });
  const wiro = (params: Json) => ({
    model: "wiro/ByteDance/text-to-video-seedance-v1",
    params: { prompt: "a boat", ...params },
  });
  const meta = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));

  const valid: [string, unknown][] = [
    ["seedream, only the prompt", seedream({})],
    [
      "seedream, every field",
      seedream({
        images: ["https://img.example.com/a.png"],
        imageSize: "3K",
        aspectRatio: "21:9",
        outputFormat: "png",
        tools: ["web_search"],
        batchCount: 16,
      }),
    ],
    [
      "seedance 10 Pro at 12s without audio",
      seedance({ modelName: "Seedance_10_Pro", duration: "12s", generateAudio: false }),
    ],
    ["seedance default variant at 15s with audio", seedance({ duration: "15s", generateAudio: "true" })],
    ["seedance 20 text only", { model: "weshop/seedance", params: { textDescription: "spin" } }],
    [
      "seedance 20 with 9 images, 3 videos, 3 audios",
      seedance({
        images: Array.from({ length: 9 }, (_, i) => `https://img.example.com/${i}.png`),
        videos: ["https://v.example.com/1.mp4"],
        audios: ["https://a.example.com/1.mp3"],
      }),
    ],
    [
      "seedance Mini with a first and last frame, adaptive",
      {
        model: "weshop/seedance",
        params: {
          textDescription: "spin",
          modelName: "Seedance_20_Mini",
          firstFrame: "https://img.example.com/f.png",
          lastFrame: "https://img.example.com/l.png",
          aspectRatio: "adaptive",
          resolution: "720p",
          returnLastFrame: true,
        },
      },
    ],
    [
      "seedance 20 extending a video",
      {
        model: "weshop/seedance",
        params: {
          textDescription: "spin",
          extendVideo: "https://v.example.com/1.mp4",
          extendDirection: "backward",
          resolution: "4k",
        },
      },
    ],
    [
      "seedance 10 Pro Fast at 2s",
      seedance({ modelName: "Seedance_10_Pro_Fast", duration: "2s", aspectRatio: "16:9", generateAudio: "false" }),
    ],
    ["seedream Pro at 1K auto", seedream({ modelName: "Seedream_50_Pro", imageSize: "1K", aspectRatio: "auto" })],
    [
      "seedream Lite at 3K with web_search and 14 images",
      seedream({
        modelName: "Seedream_50_Lite",
        imageSize: "3K",
        tools: ["web_search"],
        images: Array.from({ length: 14 }, (_, i) => `https://img.example.com/${i}.png`),
      }),
    ],
    ["seedream 1K auto without modelName", seedream({ imageSize: "1K", aspectRatio: "auto", safeGenerate: false })],
    [
      "seedance-25 auto duration as mov",
      {
        model: "weshop/seedance-25",
        params: {
          textDescription: "x",
          duration: "-1",
          outputFormat: "mov",
          resolution: "1080p",
          aspectRatio: "adaptive",
        },
      },
    ],
    [
      "seedance-25 at 30s with references",
      {
        model: "weshop/seedance-25",
        params: {
          textDescription: "x",
          duration: "30s",
          images: ["https://img.example.com/a.png"],
          videos: ["https://v.example.com/1.mp4"],
          audios: ["https://a.example.com/1.mp3"],
        },
      },
    ],
    ["wiro, strings", wiro({ duration: "10", fps: "16", watermark: "true", seed: "-1", camerafixed: false })],
    ["wiro, numbers", wiro({ duration: 10, fps: 24, seed: 4294967295 })],
    ["16 metadata values", seedream({}, { metadata: meta(16) })],
    [
      "a webhook",
      seedream({}, { webhookUrl: "https://hooks.example.com/seedrun", webhookEvents: ["job.running", "job.failed"] }),
    ],
  ];
  const invalid: [string, unknown][] = [
    ["unknown model", { model: "weshop/nope", params: {} }],
    ["params not an object", { model: "weshop/seedream", params: [] }],
    ["unknown top-level field", seedream({}, { surprise: 1 })],
    ["unknown param", seedream({ colour: "red" })],
    ["blank prompt", seedream({ textDescription: "   " })],
    ["batchCount 0", seedream({ batchCount: 0 })],
    ["batchCount 1.5", seedream({ batchCount: 1.5 })],
    ["batchCount 17", seedream({ batchCount: 17 })],
    ["imageSize 4K", seedream({ imageSize: "4K" })],
    ["15 images", seedream({ images: Array.from({ length: 15 }, (_, i) => `https://img.example.com/${i}.png`) })],
    // the seed's one-image rule stays for the 1.x variants; Seedance 2.0 takes text only or up to 9 images
    [
      "seedance 1.5 Pro without images",
      { model: "weshop/seedance", params: { textDescription: "spin", modelName: "Seedance_15_Pro" } },
    ],
    [
      "seedance 10 Pro with two images",
      seedance({
        modelName: "Seedance_10_Pro",
        images: ["https://a.example.com/1.png", "https://a.example.com/2.png"],
      }),
    ],
    [
      "seedance 20 with ten images",
      seedance({ images: Array.from({ length: 10 }, (_, i) => `https://img.example.com/${i}.png`) }),
    ],
    ["seedance 10 Pro at 21:9", seedance({ modelName: "Seedance_10_Pro", aspectRatio: "21:9" })],
    ["seedance Mini at 1080p", seedance({ modelName: "Seedance_20_Mini", resolution: "1080p" })],
    ["seedance 15 Pro with a resolution", seedance({ modelName: "Seedance_15_Pro", resolution: "720p" })],
    ["seedance adaptive without a first frame", seedance({ aspectRatio: "adaptive" })],
    [
      "seedance last frame without a first frame",
      { model: "weshop/seedance", params: { textDescription: "spin", lastFrame: "https://img.example.com/l.png" } },
    ],
    ["seedance first frame with images", seedance({ firstFrame: "https://img.example.com/f.png" })],
    [
      "seedance four videos",
      {
        model: "weshop/seedance",
        params: {
          textDescription: "spin",
          images: ["https://img.example.com/a.png"],
          videos: Array.from({ length: 4 }, (_, i) => `https://v.example.com/${i}.mp4`),
        },
      },
    ],
    ["seedream Pro at 3K", seedream({ modelName: "Seedream_50_Pro", imageSize: "3K" })],
    ["seedream Pro with tools", seedream({ modelName: "Seedream_50_Pro", tools: ["web_search"] })],
    ["seedream Lite at auto", seedream({ modelName: "Seedream_50_Lite", aspectRatio: "auto" })],
    [
      "seedream 11 images on Pro",
      seedream({
        modelName: "Seedream_50_Pro",
        images: Array.from({ length: 11 }, (_, i) => `https://img.example.com/${i}.png`),
      }),
    ],
    ["seedream 3K at auto", seedream({ imageSize: "3K", aspectRatio: "auto" })],
    ["seedance-25 at 31s", { model: "weshop/seedance-25", params: { textDescription: "x", duration: "31s" } }],
    ["seedance-25 at 4k", { model: "weshop/seedance-25", params: { textDescription: "x", resolution: "4k" } }],
    ["seedance-25 as webm", { model: "weshop/seedance-25", params: { textDescription: "x", outputFormat: "webm" } }],
    ["safeGenerate maybe", seedream({ safeGenerate: "maybe" })],
    ["seedance 10 Pro at 13s", seedance({ modelName: "Seedance_10_Pro", duration: "13s" })],
    ["seedance default variant at 3s", seedance({ duration: "3s" })],
    ["seedance 20 at 16s", seedance({ modelName: "Seedance_20", duration: "16s" })],
    ["seedance 10 Pro with audio (boolean)", seedance({ modelName: "Seedance_10_Pro", generateAudio: true })],
    [
      "seedance 10 Pro Fast with audio (string)",
      seedance({ modelName: "Seedance_10_Pro_Fast", generateAudio: "true" }),
    ],
    ["seedance duration without s", seedance({ duration: "5" })],
    ["seedance zero-padded seconds", seedance({ modelName: "Seedance_10_Pro_Fast", duration: "02s" })],
    ["wiro without prompt", { model: "wiro/ByteDance/text-to-video-seedance-v1", params: {} }],
    ["wiro duration 7", wiro({ duration: 7 })],
    ["wiro duration '7'", wiro({ duration: "7" })],
    ["wiro fps 30", wiro({ fps: 30 })],
    ["wiro seed -2", wiro({ seed: -2 })],
    ["wiro seed 2^32", wiro({ seed: 4294967296 })],
    ["wiro seed 1.5", wiro({ seed: 1.5 })],
    ["wiro seed 'abc'", wiro({ seed: "abc" })],
    ["wiro watermark 'yes'", wiro({ watermark: "yes" })],
    ["17 metadata values", seedream({}, { metadata: meta(17) })],
    ["a number in metadata", seedream({}, { metadata: { a: 1 } })],
    ["events without a webhook URL", seedream({}, { webhookEvents: ["job.failed"] })],
    [
      "a repeated event",
      seedream({}, { webhookUrl: "https://hooks.example.com/x", webhookEvents: ["job.failed", "job.failed"] }),
    ],
    ["an unknown event", seedream({}, { webhookUrl: "https://hooks.example.com/x", webhookEvents: ["job.done"] })],
  ];

  it("the documented examples are accepted by both", () => {
    const documented = component("CreateJob");
    const examples = doc().paths["/v1/jobs"].post.requestBody.content["application/json"].examples as Json;
    expect(Object.keys(examples)).toHaveLength(MODEL_IDS.length);
    for (const [name, ex] of Object.entries(examples)) {
      expectValid(documented, ex.value, name);
      expect(validateJobSpec(ex.value, ctx).errors, name).toEqual([]);
    }
  });

  it.each(valid)("both accept: %s", (_, body) => {
    expect(validateJobSpec(body, ctx).errors).toEqual([]);
    expectValid(component("CreateJob"), body, "documented schema");
  });

  it.each(invalid)("both refuse: %s", (_, body) => {
    expect(real(body)).toBe(false);
    expect(component("CreateJob")(body).valid).toBe(false);
  });

  it("batches: the documented schema and validateBatch agree", () => {
    const documented = component("CreateBatch");
    const example = doc().paths["/v1/batches"].post.requestBody.content["application/json"].examples.twoModels.value;
    const cases: [unknown, boolean][] = [
      [example, true],
      [{ jobs: [seedream({})], webhookUrl: "https://hooks.example.com/b" }, true],
      [{ jobs: Array.from({ length: 1000 }, () => seedream({})) }, true],
      [{ jobs: [] }, false],
      [{ jobs: Array.from({ length: 1001 }, () => seedream({})) }, false],
      [{ jobs: [seedream({}), wiro({ duration: 7 })] }, false],
      [{ jobs: [seedream({})], extra: true }, false],
      [{}, false],
    ];
    for (const [body, ok] of cases) {
      expect(validateBatch(body, ctx).errors.length === 0, JSON.stringify(body).slice(0, 120)).toBe(ok);
      expect(documented(body).valid, JSON.stringify(body).slice(0, 120)).toBe(ok);
    }
  });
});
