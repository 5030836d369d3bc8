import { describe, expect, it } from "vitest";
import { fieldErrors } from "../../src/lib/validation.ts";
import { MODELS, type ModelId } from "../../src/providers/models.ts";

function check(model: ModelId, params: Record<string, unknown>) {
  const r = MODELS[model].params.safeParse(params);
  return r.success ? { data: r.data, errors: [] } : { data: undefined, errors: fieldErrors(r.error.issues, ["params"]) };
}
const paths = (model: ModelId, params: Record<string, unknown>) => check(model, params).errors.map((e) => e.path).sort();
const img = "https://example.com/a.png";

describe("weshop/seedance", () => {
  it("applies the seed's defaults", () => {
    expect(check("weshop/seedance", { images: [img], textDescription: "waves" }).data).toEqual({
      images: [img],
      textDescription: "waves",
      modelName: "Seedance_20",
      duration: "4s",
      aspectRatio: "3:4",
      generateAudio: "true",
      batchCount: 1,
    });
  });
  it("requires exactly one image and a description", () => {
    expect(paths("weshop/seedance", {})).toEqual(["params.images", "params.textDescription"]);
    expect(paths("weshop/seedance", { images: [img, img], textDescription: "x" })).toEqual(["params.images"]);
  });
  it.each([
    ["Seedance_20", "15s", true],
    ["Seedance_20", "16s", false],
    ["Seedance_20", "3s", false],
    ["Seedance_15_Pro", "4s", true],
    ["Seedance_10_Pro", "2s", true],
    ["Seedance_10_Pro", "12s", true],
    ["Seedance_10_Pro_Fast", "13s", false],
  ])("%s with duration %s valid=%s", (modelName, duration, valid) => {
    expect(paths("weshop/seedance", { images: [img], textDescription: "x", modelName, duration })).toEqual(valid ? [] : ["params.duration"]);
  });
  it("refuses durations not written like 4s", () => {
    for (const duration of ["4", 4, "4.5s", "four", "04s", "0s", "00s", "012s", " 4s", "4S"])
      expect(paths("weshop/seedance", { images: [img], textDescription: "x", duration })).toEqual(["params.duration"]);
  });
  it("a zero-padded duration is refused for its form, not its range", () => {
    const { errors } = check("weshop/seedance", { images: [img], textDescription: "x", modelName: "Seedance_10_Pro", duration: "04s" });
    expect(errors).toEqual([{ path: "params.duration", message: expect.stringContaining('like "4s"') }]);
  });
  it("generateAudio is only for Seedance_20 and 1.5 Pro; booleans become strings", () => {
    expect(paths("weshop/seedance", { images: [img], textDescription: "x", modelName: "Seedance_10_Pro", generateAudio: true })).toEqual(["params.generateAudio"]);
    expect(check("weshop/seedance", { images: [img], textDescription: "x", modelName: "Seedance_10_Pro" }).data).not.toHaveProperty("generateAudio");
    expect(check("weshop/seedance", { images: [img], textDescription: "x", generateAudio: false }).data?.generateAudio).toBe("false");
  });
  it("lists every offending field at once, cross-field rules included", () => {
    expect(
      paths("weshop/seedance", { images: [img], textDescription: "x", modelName: "Seedance_10_Pro", duration: "14s", generateAudio: "true", batchCount: 17, aspectRatio: "2:1", extra: 1 }),
    ).toEqual(["params.aspectRatio", "params.batchCount", "params.duration", "params.extra", "params.generateAudio"]);
  });
});

describe("weshop/seedream", () => {
  it("applies defaults and accepts up to 14 images", () => {
    const r = check("weshop/seedream", { textDescription: "cat", images: Array(14).fill(img), tools: ["web_search"] });
    expect(r.data).toMatchObject({ imageSize: "2K", aspectRatio: "3:4", outputFormat: "jpeg", batchCount: 1, tools: ["web_search"] });
  });
  it("refuses bad values field by field", () => {
    expect(
      paths("weshop/seedream", { textDescription: "", images: Array(15).fill(img), imageSize: "4K", outputFormat: "gif", aspectRatio: "5:4", batchCount: 0, tools: ["code"] }),
    ).toEqual(["params.aspectRatio", "params.batchCount", "params.imageSize", "params.images", "params.outputFormat", "params.textDescription", "params.tools[0]"]);
  });
});

describe("wiro/ByteDance/text-to-video-seedance-v1", () => {
  const model = "wiro/ByteDance/text-to-video-seedance-v1" as const;
  it("normalises numbers and booleans to the documented strings", () => {
    expect(check(model, { prompt: "p", duration: 10, fps: 16, watermark: true, camerafixed: false, seed: 42 }).data).toEqual({
      prompt: "p",
      resolution: "480p",
      ratio: "16:9",
      duration: "10",
      fps: "16",
      watermark: "true",
      seed: 42,
      camerafixed: "false",
    });
  });
  it("sends seed as a JSON number; an integer string is accepted, null leaves it out", () => {
    expect(check(model, { prompt: "p", seed: "42" }).data?.seed).toBe(42);
    expect(check(model, { prompt: "p", seed: -1 }).data?.seed).toBe(-1);
    expect(check(model, { prompt: "p", seed: 4294967295 }).data?.seed).toBe(4294967295);
    for (const params of [{ prompt: "p", seed: null }, { prompt: "p" }]) {
      const { data } = check(model, params);
      expect(data).toBeDefined();
      expect(data).not.toHaveProperty("seed");
      expect(JSON.parse(JSON.stringify(data))).not.toHaveProperty("seed");
    }
    expect(JSON.stringify(check(model, { prompt: "p", seed: "7" }).data)).toContain('"seed":7');
  });
  it.each([["abc"], [""], [1.5], [-2], [4294967296], [true], [[1]], [{}]])("refuses seed %j", (seed) => {
    expect(paths(model, { prompt: "p", seed })).toEqual(["params.seed"]);
  });
  it("refuses every value outside the seed's options", () => {
    expect(paths(model, { prompt: "", resolution: "1080p", ratio: "2:1", duration: 7, fps: 30, watermark: "yes", seed: 1.5, camerafixed: 1 })).toEqual([
      "params.camerafixed",
      "params.duration",
      "params.fps",
      "params.prompt",
      "params.ratio",
      "params.resolution",
      "params.seed",
      "params.watermark",
    ]);
  });
});
