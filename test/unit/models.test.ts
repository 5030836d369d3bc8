// The catalogue as a client meets it: per-variant values accepted and refused, every offending
// field in one answer (variant rules included), seed-style requests normalised exactly as before.
// Wiro's model and the URL-valued inputs are in models-wiro.test.ts.
import { describe, expect, it } from "vitest";
import { aud, check, img, paths, urls, vid, vid2 } from "./models-support.ts";

const seedance = (params: Record<string, unknown>) => paths("weshop/seedance", { textDescription: "x", ...params });

describe("weshop/seedance", () => {
  it("a seed-style request is sent as before: the seed's defaults, Seedance_20, safeGenerate on", () => {
    expect(check("weshop/seedance", { images: [img], textDescription: "waves" }).data).toEqual({
      images: [img],
      textDescription: "waves",
      modelName: "Seedance_20",
      duration: "4s",
      aspectRatio: "3:4",
      generateAudio: "true",
      batchCount: 1,
      safeGenerate: "on",
    });
  });
  it("a description is always required; images only by the 1.x variants (exactly one)", () => {
    expect(paths("weshop/seedance", {})).toEqual(["params.textDescription"]);
    for (const modelName of ["Seedance_15_Pro", "Seedance_10_Pro", "Seedance_10_Pro_Fast"]) {
      expect(seedance({ modelName })).toEqual(["params.images"]);
      expect(seedance({ modelName, images: [img, img] })).toEqual(["params.images"]);
      expect(seedance({ modelName, images: [img] })).toEqual([]);
    }
  });
  it("Seedance_20 and Mini take text only, or up to 9 images", () => {
    for (const modelName of ["Seedance_20", "Seedance_20_Mini"]) {
      expect(seedance({ modelName })).toEqual([]);
      expect(seedance({ modelName, images: urls(9) })).toEqual([]);
      expect(check("weshop/seedance", { textDescription: "x", modelName, images: urls(10) }).errors).toEqual([
        { path: "params.images", message: `takes at most 9 for ${modelName}` },
      ]);
    }
  });
  it.each([
    ["Seedance_20", "15s", true],
    ["Seedance_20", "16s", false],
    ["Seedance_20", "3s", false],
    ["Seedance_20_Mini", "4s", true],
    ["Seedance_20_Mini", "2s", false],
    ["Seedance_15_Pro", "4s", true],
    ["Seedance_15_Pro", "15s", true],
    ["Seedance_10_Pro", "2s", true],
    ["Seedance_10_Pro", "12s", true],
    ["Seedance_10_Pro_Fast", "13s", false],
  ])("%s with duration %s valid=%s", (modelName, duration, valid) => {
    expect(seedance({ images: [img], modelName, duration })).toEqual(valid ? [] : ["params.duration"]);
  });
  it("refuses durations not written like 4s, and the 2.5 auto value", () => {
    for (const duration of ["4", 4, "4.5s", "four", "04s", "0s", "00s", "012s", " 4s", "4S", "-1"])
      expect(seedance({ images: [img], duration })).toEqual(["params.duration"]);
  });
  it("a zero-padded duration is refused for its form, not its range", () => {
    const { errors } = check("weshop/seedance", {
      images: [img],
      textDescription: "x",
      modelName: "Seedance_10_Pro",
      duration: "04s",
    });
    expect(errors).toEqual([{ path: "params.duration", message: expect.stringContaining('like "4s"') }]);
  });
  it("Seedance 1.0 makes no 21:9: a 400 naming params.aspectRatio, and the message says who does", () => {
    for (const modelName of ["Seedance_10_Pro", "Seedance_10_Pro_Fast"]) {
      const { errors } = check("weshop/seedance", {
        images: [img],
        textDescription: "x",
        modelName,
        aspectRatio: "21:9",
      });
      expect(errors).toEqual([
        { path: "params.aspectRatio", message: expect.stringContaining(`for ${modelName}; "21:9" needs Seedance_20`) },
      ]);
      for (const aspectRatio of ["16:9", "9:16", "3:4", "4:3", "1:1"])
        expect(seedance({ images: [img], modelName, aspectRatio })).toEqual([]);
    }
    for (const modelName of ["Seedance_20", "Seedance_20_Mini", "Seedance_15_Pro"])
      expect(seedance({ images: [img], modelName, aspectRatio: "21:9" })).toEqual([]);
  });
  it("generateAudio is only for the 2.0 family and 1.5 Pro; booleans become strings", () => {
    expect(seedance({ images: [img], modelName: "Seedance_10_Pro", generateAudio: true })).toEqual([
      "params.generateAudio",
    ]);
    expect(
      check("weshop/seedance", { images: [img], textDescription: "x", modelName: "Seedance_10_Pro" }).data,
    ).not.toHaveProperty("generateAudio");
    // "false" is accepted and left out: the variant makes no audio anyway
    expect(
      check("weshop/seedance", {
        images: [img],
        textDescription: "x",
        modelName: "Seedance_10_Pro_Fast",
        generateAudio: false,
      }).data,
    ).not.toHaveProperty("generateAudio");
    expect(
      check("weshop/seedance", { images: [img], textDescription: "x", generateAudio: false }).data?.generateAudio,
    ).toBe("false");
    expect(check("weshop/seedance", { textDescription: "x", modelName: "Seedance_20_Mini" }).data?.generateAudio).toBe(
      "true",
    );
  });
  it("resolution: 2.0 up to 4k, Mini 480p/720p, the 1.x variants none", () => {
    for (const resolution of ["480p", "720p", "1080p", "4k"]) expect(seedance({ resolution })).toEqual([]);
    expect(seedance({ resolution: "8k" })).toEqual(["params.resolution"]);
    expect(seedance({ modelName: "Seedance_20_Mini", resolution: "720p" })).toEqual([]);
    const mini = check("weshop/seedance", { textDescription: "x", modelName: "Seedance_20_Mini", resolution: "1080p" });
    expect(mini.errors).toEqual([
      {
        path: "params.resolution",
        message: 'must be one of: 480p, 720p for Seedance_20_Mini; "1080p" needs Seedance_20',
      },
    ]);
    for (const modelName of ["Seedance_15_Pro", "Seedance_10_Pro"]) {
      const { errors } = check("weshop/seedance", {
        textDescription: "x",
        images: [img],
        modelName,
        resolution: "720p",
      });
      expect(errors).toEqual([
        {
          path: "params.resolution",
          message: `is not supported by ${modelName}; it needs Seedance_20 or Seedance_20_Mini`,
        },
      ]);
    }
    // not sent unless asked for: WeShop's default applies, as for every seed-style request
    expect(check("weshop/seedance", { textDescription: "x" }).data).not.toHaveProperty("resolution");
  });
  it("the 2.0 inputs: frames, extension, reference videos and audios, returnLastFrame", () => {
    expect(seedance({ firstFrame: img, lastFrame: img, aspectRatio: "adaptive", returnLastFrame: true })).toEqual([]);
    expect(seedance({ images: [img], videos: urls(3, vid), audios: urls(3, aud) })).toEqual([]);
    expect(seedance({ extendVideo: vid, extendDirection: "backward", aspectRatio: "adaptive" })).toEqual([]);
    expect(seedance({ images: [img], videos: urls(4, vid), audios: urls(4, aud) })).toEqual([
      "params.audios",
      "params.videos",
    ]);
    expect(seedance({ extendVideo: vid, extendDirection: "sideways" })).toEqual(["params.extendDirection"]);
    expect(seedance({ returnLastFrame: "maybe", firstFrame: 5 })).toEqual([
      "params.firstFrame",
      "params.returnLastFrame",
    ]);
  });
  it("the rules between 2.0 inputs, each named at its field", () => {
    const errors = (params: Record<string, unknown>) =>
      check("weshop/seedance", { textDescription: "x", ...params }).errors;
    expect(errors({ lastFrame: img })).toEqual([
      { path: "params.lastFrame", message: "needs firstFrame (Seedance_20)" },
    ]);
    expect(errors({ aspectRatio: "adaptive" })).toEqual([
      { path: "params.aspectRatio", message: '"adaptive" needs firstFrame or extendVideo (Seedance_20)' },
    ]);
    expect(errors({ extendVideo: vid })).toEqual([
      { path: "params.extendVideo", message: "needs extendDirection (Seedance_20)" },
    ]);
    expect(errors({ extendDirection: "forward" })).toEqual([
      { path: "params.extendDirection", message: "needs extendVideo (Seedance_20)" },
    ]);
    expect(errors({ firstFrame: img, images: [img], audios: [aud] })).toEqual([
      { path: "params.firstFrame", message: "cannot be combined with images, audios (Seedance_20)" },
    ]);
    expect(errors({ extendVideo: vid, extendDirection: "forward", videos: [vid2] })).toEqual([
      { path: "params.extendVideo", message: "cannot be combined with videos (Seedance_20)" },
    ]);
    expect(errors({ audios: [aud] })).toEqual([
      { path: "params.audios", message: "needs images or videos (Seedance_20)" },
    ]);
  });
  it("the 1.x variants take none of the 2.0 inputs", () => {
    const extra = {
      firstFrame: img,
      lastFrame: img,
      extendVideo: vid,
      extendDirection: "forward",
      returnLastFrame: true,
      videos: [vid2],
      audios: [aud],
    };
    for (const modelName of ["Seedance_15_Pro", "Seedance_10_Pro", "Seedance_10_Pro_Fast"])
      expect(seedance({ images: [img], modelName, ...extra })).toEqual(
        Object.keys(extra)
          .map((k) => `params.${k}`)
          .sort(),
      );
  });
  it("sends the video to extend among the reference videos, as the official CLI does; returnLastFrame only when on", () => {
    const { data } = check("weshop/seedance", {
      textDescription: "x",
      extendVideo: vid,
      extendDirection: "forward",
      returnLastFrame: false,
    });
    expect(data).toMatchObject({ extendVideo: vid, extendDirection: "forward", videos: [vid] });
    expect(data).not.toHaveProperty("returnLastFrame");
    expect(check("weshop/seedance", { textDescription: "x", returnLastFrame: "true" }).data?.returnLastFrame).toBe(
      true,
    );
  });
  it("a job's own params validate again to the same params (the extend video among videos is not one more video)", () => {
    for (const [model, params] of [
      ["weshop/seedance", { textDescription: "x", extendVideo: vid, extendDirection: "forward" }],
      [
        "weshop/seedance-25",
        { textDescription: "x", extendVideo: vid, extendDirection: "backward", videos: urls(9, img) },
      ],
    ] as const) {
      const first = check(model, params).data!;
      expect(check(model, first)).toEqual({ data: first, errors: [] });
    }
  });
  it("safeGenerate: on by default, off when asked (as a string or a boolean)", () => {
    expect(check("weshop/seedance", { textDescription: "x", safeGenerate: false }).data?.safeGenerate).toBe("off");
    expect(check("weshop/seedance", { textDescription: "x", safeGenerate: "off" }).data?.safeGenerate).toBe("off");
    expect(check("weshop/seedance", { textDescription: "x", safeGenerate: true }).data?.safeGenerate).toBe("on");
    expect(seedance({ safeGenerate: "maybe" })).toEqual(["params.safeGenerate"]);
  });
  it("lists every offending field at once, cross-field rules included", () => {
    expect(
      seedance({
        images: [img],
        modelName: "Seedance_10_Pro",
        duration: "14s",
        generateAudio: "true",
        batchCount: 17,
        aspectRatio: "2:1",
        extra: 1,
      }),
    ).toEqual(["params.aspectRatio", "params.batchCount", "params.duration", "params.extra", "params.generateAudio"]);
    // a duration out of range for the modelName, a missing description and a ratio the variant lacks
    expect(
      paths("weshop/seedance", {
        images: [img],
        modelName: "Seedance_10_Pro_Fast",
        duration: "13s",
        aspectRatio: "21:9",
      }),
    ).toEqual(["params.aspectRatio", "params.duration", "params.textDescription"]);
    expect(
      paths("weshop/seedance", {
        modelName: "Seedance_20_Mini",
        resolution: "4k",
        lastFrame: img,
        images: "x",
        batchCount: 0,
        videos: urls(4, vid),
      }),
    ).toEqual([
      "params.batchCount",
      "params.images",
      "params.lastFrame",
      "params.resolution",
      "params.textDescription",
      "params.videos",
    ]);
  });
  it("an unknown modelName is reported alone for that field; the rest is still checked", () => {
    expect(paths("weshop/seedance", { modelName: "Seedance_30", duration: "x", aspectRatio: "2:1" })).toEqual([
      "params.aspectRatio",
      "params.duration",
      "params.modelName",
      "params.textDescription",
    ]);
  });
});
