// The catalogue as a client meets it, beyond WeShop's Seedance: the URL-valued inputs of every
// model go through the URL safety check, and Wiro's Seedance v1 params are normalised and refused.
import { describe, expect, it } from "vitest";
import { MODELS } from "../../src/providers/models.ts";
import { aud, check, img, paths, vid } from "./models-support.ts";

describe("URL-valued inputs go through the URL safety check", () => {
  it("lists every URL field with its path, whatever else is wrong", () => {
    const raw = {
      images: [img, 5],
      firstFrame: "https://f.example.com/1.png",
      lastFrame: "https://f.example.com/2.png",
      extendVideo: vid,
      videos: [vid],
      audios: [aud],
      textDescription: 7,
    };
    expect(MODELS["weshop/seedance"].urls(raw).map((u) => u.path)).toEqual([
      ["images", 0],
      ["firstFrame"],
      ["lastFrame"],
      ["extendVideo"],
      ["videos", 0],
      ["audios", 0],
    ]);
    expect(MODELS["weshop/seedance-25"].urls(raw)).toHaveLength(6);
    expect(MODELS["weshop/seedream"].urls(raw).map((u) => u.path)).toEqual([["images", 0]]);
    expect(MODELS["wiro/ByteDance/text-to-video-seedance-v1"].urls(raw)).toEqual([]);
  });
});

describe("wiro/ByteDance/text-to-video-seedance-v1", () => {
  const model = "wiro/ByteDance/text-to-video-seedance-v1" as const;
  it("normalises numbers and booleans to the documented strings", () => {
    expect(
      check(model, { prompt: "p", duration: 10, fps: 16, watermark: true, camerafixed: false, seed: 42 }).data,
    ).toEqual({
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
    expect(
      paths(model, {
        prompt: "",
        resolution: "1080p",
        ratio: "2:1",
        duration: 7,
        fps: 30,
        watermark: "yes",
        seed: 1.5,
        camerafixed: 1,
      }),
    ).toEqual([
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
