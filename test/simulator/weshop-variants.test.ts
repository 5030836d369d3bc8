// The WeShop shapes the official clients send, the server's defaults, power estimates, agent info and
// subscriptions (docs/providers.md, "What the official clients show").
import { describe, expect, it } from "vitest";
import { createSimulator } from "../../simulator/index.ts";
import {
  body,
  harness,
  ORIGIN,
  SEEDANCE_RUN,
  seedreamRun,
  WESHOP_KEY,
  weshopPoll,
  weshopRequest,
  weshopSubmit,
} from "./helpers.ts";

const A = "https://img.example.com/a.jpg";
const B = "https://img.example.com/b.jpg";
const seedance = (input: Record<string, unknown>, params: Record<string, unknown>, agent = "seedance") => ({
  agent: { name: agent, version: "v1.0" },
  input,
  params: { textDescription: "a cat surfing", ...params },
  safeGenerate: "on",
});

describe("WeShop request shapes of the official clients", () => {
  it.each([
    [
      "CLI: first image in input.originalImage, all in params.images",
      seedance({ originalImage: A }, { modelName: "Seedance_10_Pro", images: [A, B], generateAudio: "true" }),
    ],
    ["DSH plugin: input.images and params.images", seedance({ images: [A] }, { images: [A] })],
    ["seed: input.images only", seedance({ images: [A] }, {})],
    [
      "DSH plugin: originalImage in input and params (its legacy form)",
      seedance({ originalImage: A, taskName: "t" }, { originalImage: A }),
    ],
    [
      "seedrun: originalImage, input.images and params.images",
      seedance({ originalImage: A, images: [A] }, { images: [A] }),
    ],
    [
      "CLI: Seedance 2.0 text-only",
      seedance(
        {},
        {
          modelName: "Seedance_20",
          duration: "4s",
          aspectRatio: "16:9",
          resolution: "720p",
          generateAudio: "true",
          batchCount: 1,
        },
      ),
    ],
    [
      "CLI: Seedance 2.0 Mini with a first and last frame",
      seedance(
        {},
        { modelName: "Seedance_20_Mini", firstFrame: A, lastFrame: B, aspectRatio: "adaptive", resolution: "480p" },
      ),
    ],
    [
      "CLI: Seedance 2.0 extending a video",
      seedance(
        { videos: ["https://v.example.com/s.mp4"] },
        {
          extendVideo: "https://v.example.com/s.mp4",
          extendDirection: "forward",
          videos: ["https://v.example.com/s.mp4"],
        },
      ),
    ],
    [
      "CLI: Seedance 2.5 with 30 images, mov, auto duration",
      seedance(
        { originalImage: A },
        {
          modelName: "Seedance_25",
          images: Array(30).fill(A),
          duration: "-1",
          outputFormat: "mov",
          resolution: "1080p",
        },
        "seedance-25",
      ),
    ],
    [
      "Seedance 1.5 Pro as the seed states it",
      seedance({ images: [A] }, { modelName: "Seedance_15_Pro", images: [A], duration: "15s", aspectRatio: "21:9" }),
    ],
    [
      "CLI: Seedream text-only without modelName",
      {
        agent: { name: "seedream", version: "v1.0" },
        input: {},
        params: { textDescription: "x", batchCount: 1 },
        safeGenerate: "on",
      },
    ],
    [
      "CLI: Seedream Pro 1K auto",
      { ...seedreamRun({ modelName: "Seedream_50_Pro", imageSize: "1K", aspectRatio: "auto" }), safeGenerate: "off" },
    ],
    [
      "CLI: Seedream Lite 3K web_search with an image",
      {
        agent: { name: "seedream", version: "v1.0" },
        input: { originalImage: A },
        params: {
          textDescription: "x",
          modelName: "Seedream_50_Lite",
          imageSize: "3K",
          tools: ["web_search"],
          images: [A],
        },
      },
    ],
  ])("accepts %s", async (_name, run) => {
    const { sim } = harness();
    const data = await weshopSubmit(sim, run, { "Idempotency-Key": crypto.randomUUID() });
    expect(data).toMatchObject({ success: true, data: { executionId: expect.stringMatching(/^exe_/) } });
    expect(sim.tasks()).toHaveLength(1);
  });

  it("executes a run with the server's defaults: Seedream_50_Pro at 1K auto when modelName is missing", async () => {
    const { sim } = harness();
    await weshopSubmit(sim, seedreamRun({ images: [A] }));
    await weshopSubmit(sim, seedreamRun({ modelName: "Seedream_50_Lite" }));
    await weshopSubmit(sim, seedance({ originalImage: A }, { images: [A] }));
    const [pro, lite, video] = sim.tasks().map((t) => t.effectiveParams);
    expect(pro).toMatchObject({
      modelName: "Seedream_50_Pro",
      imageSize: "1K",
      aspectRatio: "auto",
      outputFormat: "jpeg",
      batchCount: 1,
      images: [A],
    });
    expect(lite).toMatchObject({ modelName: "Seedream_50_Lite", imageSize: "2K", aspectRatio: "3:4" });
    expect(video).toMatchObject({
      modelName: "Seedance_20",
      duration: "4s",
      aspectRatio: "3:4",
      generateAudio: "true",
      images: [A],
    });
  });

  it("the same Idempotency-Key is the same run, even for a different body: no second run, no second charge", async () => {
    const { sim } = harness();
    const a = await weshopSubmit(sim, SEEDANCE_RUN, { "Idempotency-Key": "one" });
    const b = await weshopSubmit(sim, seedreamRun(), { "Idempotency-Key": "one" });
    expect(b.data).toEqual(a.data);
    expect(sim.tasks()).toHaveLength(1);
  });
});

describe("WeShop poll results", () => {
  it("a seedance run asked for its last frame returns video, videoPoster and lastFrame, each served", async () => {
    const h = harness({ seedance: 1000 });
    const { data } = await weshopSubmit(h.sim, seedance({}, { modelName: "Seedance_20", returnLastFrame: true }));
    h.advance(1000);
    const [result] = (await weshopPoll(h.sim, data.executionId)).data.executions[0].result;
    expect(result).toEqual({
      status: "Success",
      video: `${ORIGIN}/files/weshop/${data.executionId}/0.mp4`,
      videoPoster: `${ORIGIN}/files/weshop/${data.executionId}/0-poster.jpg`,
      lastFrame: `${ORIGIN}/files/weshop/${data.executionId}/0-last.jpg`,
    });
    const frame = await h.sim.fetch(new Request(result.lastFrame));
    expect(frame.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await frame.arrayBuffer()).subarray(0, 2)).toEqual(new Uint8Array([0xff, 0xd8]));
  });

  it("a seedance-25 run reports its agent name", async () => {
    const h = harness({ seedance: 1000 });
    const { data } = await weshopSubmit(h.sim, seedance({}, { modelName: "Seedance_25" }, "seedance-25"));
    h.advance(1000);
    const poll = await weshopPoll(h.sim, data.executionId);
    expect(poll.data).toMatchObject({ agentName: "seedance-25", executions: [{ status: "Success" }] });
  });
});

describe("WeShop power estimates", () => {
  it("quotes the same body as a run without starting or charging anything", async () => {
    const { sim } = harness();
    const one = await body(await sim.fetch(weshopRequest("/agent/power-estimates", { body: seedreamRun() })));
    const four = await body(
      await sim.fetch(weshopRequest("/agent/power-estimates", { body: seedreamRun({ batchCount: 4 }) })),
    );
    expect(one).toMatchObject({
      success: true,
      data: { totalPower: expect.any(Number), type: expect.any(String), exclusive: false, paidPowerNotEnough: false },
    });
    expect(one.data).not.toHaveProperty("isEstimated");
    expect(four.data.totalPower).toBe(4 * one.data.totalPower);
    expect(sim.tasks()).toHaveLength(0);
    const run = await weshopSubmit(sim, seedreamRun());
    expect(run.data.powerConsumption).toBe(one.data.totalPower);
  });

  it("marks a quote for a model-chosen duration as estimated, and refuses what a run would refuse", async () => {
    const { sim } = harness();
    const auto = await body(
      await sim.fetch(
        weshopRequest("/agent/power-estimates", {
          body: seedance({}, { modelName: "Seedance_25", duration: "-1" }, "seedance-25"),
        }),
      ),
    );
    expect(auto.data.isEstimated).toBe(true);
    const bad = await sim.fetch(weshopRequest("/agent/power-estimates", { body: seedreamRun({ imageSize: "3K" }) }));
    expect(bad.status).toBe(422);
    expect((await body(bad)).error).toMatchObject({
      code: "INVALID_PARAMETER",
      message: expect.stringContaining("params.imageSize"),
    });
  });
});

describe("WeShop agent info and subscriptions", () => {
  it("GET /v1/agent/info answers with its pagination and no presets for these agents; refuses an unknown agent", async () => {
    const { sim } = harness();
    const ok = await body(
      await sim.fetch(weshopRequest("/v1/agent/info?agentName=seedream&agentVersion=v1.0&page=1&pageSize=50")),
    );
    expect(ok).toEqual({ success: true, data: { pagination: { page: 1, pageSize: 50 } }, meta: {} });
    const bad = await sim.fetch(weshopRequest("/v1/agent/info?agentName=nope&agentVersion=v1.0"));
    expect(bad.status).toBe(422);
    const noKey = await sim.fetch(weshopRequest("/v1/agent/info?agentName=seedream&agentVersion=v1.0", { key: null }));
    expect(noKey.status).toBe(401);
  });

  it("a model the account is not subscribed to answers 403 SUBSCRIPTION_REQUIRED on runs and estimates", async () => {
    const sim = createSimulator({
      origin: ORIGIN,
      weshopApiKey: WESHOP_KEY,
      wiroApiKey: "k",
      wiroApiSecret: "s",
      weshopUnsubscribed: ["Seedance_20"],
    });
    for (const path of ["/agent/runs", "/agent/power-estimates"]) {
      const res = await sim.fetch(weshopRequest(path, { body: seedance({}, {}) }));
      expect(res.status).toBe(403);
      expect((await body(res)).error).toMatchObject({ code: "SUBSCRIPTION_REQUIRED", retryable: false });
    }
    expect(sim.tasks()).toHaveLength(0);
    expect((await weshopSubmit(sim, seedance({}, { modelName: "Seedance_20_Mini" }))).success).toBe(true);
  });
});
