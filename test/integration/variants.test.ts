// A job of every variant in the catalogue succeeds through POST /v1/jobs, and goes out to the
// provider with its own agent, modelName and values (what a user choosing a variant relies on).
import { env } from "cloudflare:test";
import { describe, expect } from "vitest";
import { MODEL_IDS, MODELS, type ModelId } from "../../src/providers/models.ts";
import { it } from "../support/fixture.ts";
import { createJob, driveJob, getJob } from "../support/harness.ts";

const IMG = "https://images.example.com/in.png";
const IMG2 = "https://images.example.com/in-2.png";
const VID = "https://media.example.com/clip.mp4";
const AUD = "https://media.example.com/voice.mp3";

interface Case {
  model: ModelId;
  /** the variant the job must run on (modelName sent), or none for a model without variants */
  variant?: string;
  params: Record<string, unknown>;
}

const CASES: Record<string, Case> = {
  "Seedance_20, text only at 1080p": {
    model: "weshop/seedance",
    variant: "Seedance_20",
    params: { textDescription: "city at night", resolution: "1080p", duration: "15s", aspectRatio: "21:9" },
  },
  "Seedance_20, first and last frame, adaptive": {
    model: "weshop/seedance",
    variant: "Seedance_20",
    params: {
      textDescription: "a door opens",
      modelName: "Seedance_20",
      firstFrame: IMG,
      lastFrame: IMG2,
      aspectRatio: "adaptive",
      returnLastFrame: true,
      resolution: "4k",
    },
  },
  "Seedance_20, extending a video": {
    model: "weshop/seedance",
    variant: "Seedance_20",
    params: { textDescription: "go on", extendVideo: VID, extendDirection: "forward" },
  },
  "Seedance_20, images, videos and audios": {
    model: "weshop/seedance",
    variant: "Seedance_20",
    params: { textDescription: "mix", images: [IMG, IMG2], videos: [VID], audios: [AUD] },
  },
  "Seedance_20_Mini, a first frame at 720p": {
    model: "weshop/seedance",
    variant: "Seedance_20_Mini",
    params: {
      textDescription: "leaves fall",
      modelName: "Seedance_20_Mini",
      firstFrame: IMG,
      resolution: "720p",
      generateAudio: false,
    },
  },
  "Seedance_15_Pro, the seed's request": {
    model: "weshop/seedance",
    variant: "Seedance_15_Pro",
    params: {
      textDescription: "waves",
      images: [IMG],
      modelName: "Seedance_15_Pro",
      duration: "5s",
      aspectRatio: "21:9",
    },
  },
  "Seedance_10_Pro at 2s": {
    model: "weshop/seedance",
    variant: "Seedance_10_Pro",
    params: {
      textDescription: "spin",
      images: [IMG],
      modelName: "Seedance_10_Pro",
      duration: "2s",
      aspectRatio: "16:9",
    },
  },
  "Seedance_10_Pro_Fast at 12s": {
    model: "weshop/seedance",
    variant: "Seedance_10_Pro_Fast",
    params: {
      textDescription: "spin",
      images: [IMG],
      modelName: "Seedance_10_Pro_Fast",
      duration: "12s",
      aspectRatio: "1:1",
    },
  },
  "Seedance_25, auto duration as mov with references": {
    model: "weshop/seedance-25",
    variant: "Seedance_25",
    params: {
      textDescription: "a long take",
      duration: "-1",
      outputFormat: "mov",
      resolution: "1080p",
      images: [IMG],
      videos: [VID],
      audios: [AUD],
    },
  },
  "Seedance_25, a first frame at 30s": {
    model: "weshop/seedance-25",
    variant: "Seedance_25",
    params: { textDescription: "a long take", firstFrame: IMG, duration: "30s", aspectRatio: "adaptive" },
  },
  "Seedream_50_Pro at 1K, auto": {
    model: "weshop/seedream",
    variant: "Seedream_50_Pro",
    params: { textDescription: "a shoe", modelName: "Seedream_50_Pro", imageSize: "1K", aspectRatio: "auto" },
  },
  "Seedream_50_Lite at 3K with web_search": {
    model: "weshop/seedream",
    variant: "Seedream_50_Lite",
    params: {
      textDescription: "today's skyline",
      modelName: "Seedream_50_Lite",
      imageSize: "3K",
      tools: ["web_search"],
      images: [IMG],
    },
  },
  "a seed-style Seedream 3K job, sent as Seedream_50_Lite": {
    model: "weshop/seedream",
    variant: "Seedream_50_Lite",
    params: { textDescription: "a lighthouse", imageSize: "3K" },
  },
  "a seed-style Seedream job, sent as Seedream_50_Pro": {
    model: "weshop/seedream",
    variant: "Seedream_50_Pro",
    params: { textDescription: "a lighthouse", images: [IMG] },
  },
  "Wiro Seedance": {
    model: "wiro/ByteDance/text-to-video-seedance-v1",
    params: { prompt: "a kite", resolution: "720p", ratio: "9:21" },
  },
};

describe("every catalogue variant", () => {
  it("has a case here (a new variant needs one)", () => {
    const covered = new Set(Object.values(CASES).map((c) => `${c.model} ${c.variant ?? ""}`));
    for (const id of MODEL_IDS) {
      const variants = Object.keys(MODELS[id].catalogue?.variants ?? { "": 0 });
      for (const variant of variants) expect(covered.has(`${id} ${variant}`), `${id} ${variant}`).toBe(true);
    }
  });

  it.for(Object.entries(CASES))("%s: succeeds, sent with its agent and modelName", async ([_, c], { h }) => {
    const { id, body } = await createJob({ model: c.model, params: c.params });
    const done = await driveJob(h, id);
    expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
    const job = await getJob(id);
    const kind = MODELS[c.model].kind;
    expect(job.outputs.length).toBeGreaterThan(0);
    // a video is mp4 unless Seedance 2.5 was asked for mov, which is stored as a .mov QuickTime movie
    const [contentType, ext] =
      kind === "image"
        ? ["image/jpeg", "jpg"]
        : c.params.outputFormat === "mov"
          ? ["video/quicktime", "mov"]
          : ["video/mp4", "mp4"];
    for (const output of job.outputs) {
      expect(output).toMatchObject({ kind, status: "stored", contentType });
      const key = `jobs/${id}/${output.index}.${ext}`;
      expect(new URL(String(output.url)).pathname).toBe(`/media/${key}`);
      expect((await env.MEDIA.head(key))?.httpMetadata?.contentType).toBe(contentType);
    }
    expect(h.sim.tasks()).toHaveLength(1);
    const spec = MODELS[c.model];
    if (spec.provider === "wiro") {
      const run = h.sim.requests.find((r) => r.target === "wiro.run")!;
      expect(run.path).toContain(spec.agent);
      return;
    }
    const submits = h.sim.requests.filter((r) => r.target === "weshop.submit");
    expect(submits).toHaveLength(1);
    const sent = JSON.parse(submits[0]!.body) as {
      agent: unknown;
      params: Record<string, unknown>;
      safeGenerate: unknown;
    };
    expect(sent.agent).toEqual({ name: spec.agent, version: "v1.0" });
    expect(sent.params.modelName).toBe(c.variant);
    expect(sent.safeGenerate).toBe("on");
    // the job shows what was sent, besides the run-level switch
    const { safeGenerate, ...shown } = body.params as Record<string, unknown>;
    expect(safeGenerate).toBe("on");
    expect(sent.params).toEqual(shown);
    // every value the caller gave went out as given (booleans in the provider's form)
    for (const [key, value] of Object.entries(c.params))
      if (key !== "returnLastFrame" && key !== "generateAudio") expect(sent.params[key], key).toEqual(value);
  });
});
