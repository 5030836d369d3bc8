import { describe, expect, it } from "vitest";
import {
  body,
  harness,
  SEEDANCE_RUN,
  seedreamRun,
  T0,
  WESHOP_KEY,
  weshopPoll,
  weshopRequest,
  weshopSubmit,
} from "./helpers.ts";

describe("WeShop auth", () => {
  it("accepts the raw key and refuses Bearer, wrong and missing keys with 401 UNAUTHORIZED", async () => {
    const { sim } = harness();
    const ok = await sim.fetch(weshopRequest("/agent/runs", { body: SEEDANCE_RUN }));
    expect(ok.status).toBe(200);
    for (const key of [`Bearer ${WESHOP_KEY}`, "nope", null]) {
      const res = await sim.fetch(weshopRequest("/agent/runs", { body: SEEDANCE_RUN, key }));
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        success: false,
        error: { code: "UNAUTHORIZED", message: "Invalid API key", retryable: false },
      });
    }
    expect(sim.tasks()).toHaveLength(1);
    // Refused requests are still captured, so tests can prove where a key went.
    expect(sim.requests.map((r) => r.headers.authorization)).toEqual([
      WESHOP_KEY,
      `Bearer ${WESHOP_KEY}`,
      "nope",
      undefined,
    ]);
  });
});

describe("WeShop submit", () => {
  it("returns the documented envelope, charging what a power estimate of the same body quoted", async () => {
    const { sim } = harness();
    const quote = await body(await sim.fetch(weshopRequest("/agent/power-estimates", { body: SEEDANCE_RUN })));
    const data = await weshopSubmit(sim, SEEDANCE_RUN);
    const second = await weshopSubmit(sim, SEEDANCE_RUN);
    expect(data.success).toBe(true);
    expect(data.data.executionId).toMatch(/^exe_/);
    expect(data.data.taskId).toMatch(/^task_/);
    expect(quote.data.totalPower).toBeGreaterThan(0);
    expect(data.data.powerConsumption).toBe(quote.data.totalPower);
    expect(second.data.powerBalanceAmount).toBe(data.data.powerBalanceAmount - quote.data.totalPower);
    expect(data.meta).toEqual({ executionId: data.data.executionId });
  });

  it("dedups by Idempotency-Key: same ids, no second task", async () => {
    const { sim } = harness();
    const a = await weshopSubmit(sim, SEEDANCE_RUN, { "Idempotency-Key": "job-1" });
    const b = await weshopSubmit(sim, SEEDANCE_RUN, { "Idempotency-Key": "job-1" });
    const c = await weshopSubmit(sim, SEEDANCE_RUN, { "Idempotency-Key": "job-2" });
    expect(b.data.executionId).toBe(a.data.executionId);
    expect(b.data.taskId).toBe(a.data.taskId);
    expect(c.data.executionId).not.toBe(a.data.executionId);
    expect(sim.tasks().map((t) => t.idempotencyKey)).toEqual(["job-1", "job-2"]);
  });

  // The real API refuses with INVALID_PARAMETER at HTTP 422 (docs/providers.md, "What the official clients show").
  it.each([
    [{ agent: { name: "seedance", version: "v2.0" } }, "agent"],
    [{ agent: { name: "kling", version: "v1.0" } }, "agent"],
    [{ input: { images: [] } }, "input.images"],
    [
      {
        params: { ...SEEDANCE_RUN.params, images: Array.from({ length: 10 }, (_, i) => `https://x/${i}.jpg`) },
        input: {},
      },
      "params.images",
    ],
    [{ params: { ...SEEDANCE_RUN.params, textDescription: "" } }, "params.textDescription"],
    [{ params: { ...SEEDANCE_RUN.params, modelName: "Seedance_99" } }, "params.modelName"],
    [{ params: { ...SEEDANCE_RUN.params, modelName: "Seedance_25" } }, "params.modelName"],
    [{ params: { ...SEEDANCE_RUN.params, duration: 5 } }, "params.duration"],
    [{ params: { ...SEEDANCE_RUN.params, duration: "16s" } }, "params.duration"],
    [{ params: { ...SEEDANCE_RUN.params, modelName: "Seedance_10_Pro", duration: "13s" } }, "params.duration"],
    [{ params: { ...SEEDANCE_RUN.params, aspectRatio: "2:3" } }, "params.aspectRatio"],
    [{ params: { ...SEEDANCE_RUN.params, modelName: "Seedance_10_Pro", aspectRatio: "21:9" } }, "params.aspectRatio"],
    [{ params: { textDescription: "x", modelName: "Seedance_10_Pro_Fast" }, input: {} }, "params.images"],
    [
      {
        params: {
          ...SEEDANCE_RUN.params,
          modelName: "Seedance_15_Pro",
          images: ["https://x/a.jpg", "https://x/b.jpg"],
        },
        input: {},
      },
      "params.images",
    ],
    [{ params: { ...SEEDANCE_RUN.params, generateAudio: true } }, "params.generateAudio"],
    [{ params: { ...SEEDANCE_RUN.params, batchCount: 17 } }, "params.batchCount"],
    [{ params: { ...SEEDANCE_RUN.params, modelName: "Seedance_20_Mini", resolution: "1080p" } }, "params.resolution"],
    [{ params: { ...SEEDANCE_RUN.params, modelName: "Seedance_10_Pro", resolution: "720p" } }, "params.resolution"],
    [
      { params: { ...SEEDANCE_RUN.params, modelName: "Seedance_10_Pro", returnLastFrame: true } },
      "params.returnLastFrame",
    ],
    [{ params: { textDescription: "x", lastFrame: "https://x/l.jpg" }, input: {} }, "params.lastFrame"],
    [{ params: { textDescription: "x", aspectRatio: "adaptive" }, input: {} }, "params.aspectRatio"],
    [{ params: { textDescription: "x", extendVideo: "https://x/v.mp4" }, input: {} }, "params.extendDirection"],
    [
      {
        params: {
          textDescription: "x",
          videos: ["https://x/1.mp4", "https://x/2.mp4", "https://x/3.mp4", "https://x/4.mp4"],
        },
        input: {},
      },
      "params.videos",
    ],
    [{ params: { ...SEEDANCE_RUN.params, firstFrame: "https://x/f.jpg" } }, "params.firstFrame"],
    [{ params: { textDescription: "x", audios: ["https://x/a.mp3"] }, input: {} }, "params.audios"],
    [{ safeGenerate: "yes" }, "safeGenerate"],
    [{ input: { images: ["https://x/other.jpg"] } }, "input.images"],
  ])("refuses invalid seedance run %#", async (patch, expected) => {
    const { sim } = harness();
    const res = await sim.fetch(weshopRequest("/agent/runs", { body: { ...SEEDANCE_RUN, ...patch } }));
    expect(res.status).toBe(422);
    const data = await body(res);
    expect(data.success).toBe(false);
    expect(data.error).toMatchObject({
      code: "INVALID_PARAMETER",
      retryable: false,
      message: expect.stringContaining(expected),
    });
    expect(sim.tasks()).toHaveLength(0);
  });

  const many = (n: number) => Array.from({ length: n }, (_, i) => `https://x/${i}.jpg`);
  it.each([
    [{ textDescription: undefined }, "params.textDescription"],
    [{ modelName: "Seedream_50_Lite", images: many(15) }, "params.images"],
    // Pro is the server's default when modelName is missing: at most 10 images, no 3K, no tools, no 1K on Lite
    [{ images: many(11) }, "params.images"],
    [{ imageSize: "3K" }, "params.imageSize"],
    [{ tools: ["web_search"] }, "params.tools"],
    [{ modelName: "Seedream_50_Lite", imageSize: "1K" }, "params.imageSize"],
    [{ modelName: "Seedream_50_Lite", aspectRatio: "auto" }, "params.aspectRatio"],
    [{ modelName: "Seedream_50_Lite", tools: ["image_search"] }, "params.tools"],
    [{ modelName: "Seedream_40" }, "params.modelName"],
    [{ imageSize: "4K" }, "params.imageSize"],
    [{ aspectRatio: "9:21" }, "params.aspectRatio"],
    [{ outputFormat: "webp" }, "params.outputFormat"],
    [{ batchCount: 0 }, "params.batchCount"],
    [{ modelName: "Seedream_50_Lite", tools: "web_search" }, "params.tools"],
  ])("refuses invalid seedream params %#", async (patch, field) => {
    const { sim } = harness();
    const res = await sim.fetch(weshopRequest("/agent/runs", { body: seedreamRun(patch) }));
    expect(res.status).toBe(422);
    expect((await body(res)).error).toMatchObject({
      code: "INVALID_PARAMETER",
      message: expect.stringContaining(field),
    });
  });

  it("names every offending field in one answer", async () => {
    const { sim } = harness();
    const run = seedreamRun({ imageSize: "3K", aspectRatio: "9:21", batchCount: 0, textDescription: "" });
    const message: string = (await body(await sim.fetch(weshopRequest("/agent/runs", { body: run })))).error.message;
    for (const field of ["params.imageSize", "params.aspectRatio", "params.batchCount", "params.textDescription"])
      expect(message).toContain(field);
  });

  it("accepts a full valid seedream run", async () => {
    const { sim } = harness();
    const params = {
      images: ["https://x/1.jpg"],
      imageSize: "3K",
      aspectRatio: "21:9",
      outputFormat: "png",
      tools: ["web_search"],
      batchCount: 16,
    };
    const run = seedreamRun({ ...params, modelName: "Seedream_50_Lite" });
    const data = await weshopSubmit(sim, { ...run, input: { images: ["https://x/1.jpg"] } });
    expect(data.success).toBe(true);
    expect(sim.tasks()[0]?.effectiveParams).toMatchObject({ ...params, modelName: "Seedream_50_Lite" });
  });
});

describe("WeShop polling", () => {
  it("progresses Pending → Segmenting → Running → Success on the manual clock", async () => {
    const h = harness({ seedance: 20000 });
    const { data } = await weshopSubmit(h.sim, { ...SEEDANCE_RUN, params: { ...SEEDANCE_RUN.params, batchCount: 2 } });
    const seen: string[] = [];
    for (const at of [0, 1999, 2000, 3999, 4000, 19999, 20000]) {
      h.advance(at - (h.now() - T0));
      const poll = await weshopPoll(h.sim, data.executionId);
      const exe = poll.data.executions.at(-1);
      seen.push(exe.status);
      if (exe.status !== "Success") expect(exe.result).toEqual([]);
    }
    expect(seen).toEqual(["Pending", "Pending", "Segmenting", "Segmenting", "Running", "Running", "Success"]);
    const poll = await weshopPoll(h.sim, data.executionId);
    expect(poll.data).toMatchObject({
      agentName: "seedance",
      agentVersion: "v1.0",
      initParams: { textDescription: "a cat surfing" },
    });
    const result = poll.data.executions[0].result;
    expect(result).toHaveLength(2);
    // no returnLastFrame asked: no lastFrame
    for (const [i, r] of result.entries()) {
      expect(r).toEqual({
        status: "Success",
        video: `http://127.0.0.1:8790/files/weshop/${data.executionId}/${i}.mp4`,
        videoPoster: `http://127.0.0.1:8790/files/weshop/${data.executionId}/${i}-poster.jpg`,
      });
    }
  });

  it("returns batchCount images for seedream and serves png when asked", async () => {
    const h = harness();
    const { data } = await weshopSubmit(h.sim, seedreamRun({ batchCount: 3, outputFormat: "png" }));
    h.advance(8000);
    const result = (await weshopPoll(h.sim, data.executionId)).data.executions[0].result;
    expect(result.map((r: { image: string }) => r.image.split("/").at(-1))).toEqual(["0.png", "1.png", "2.png"]);
  });

  it("unknown execution → 404 NOT_FOUND", async () => {
    const { sim } = harness();
    const res = await sim.fetch(weshopRequest("/agent/runs/exe_nope"));
    expect(res.status).toBe(404);
    expect((await body(res)).error).toMatchObject({ code: "NOT_FOUND", retryable: false });
  });
});

describe("WeShop upload", () => {
  it("stores the multipart `image` file and serves the same bytes at the returned URL", async () => {
    const { sim } = harness();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
    const form = new FormData();
    form.append("image", new File([png], "a.png", { type: "image/png" }));
    const res = await sim.fetch(weshopRequest("/agent/assets/images", { method: "POST", body: form }));
    expect(res.status).toBe(200);
    const url: string = (await body(res)).data.image;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:8790\/files\/assets\/[0-9a-f]+\.png$/);
    const served = await sim.fetch(new Request(url));
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(png);
  });

  it("refuses a form without the `image` field and a non-multipart body", async () => {
    const { sim } = harness();
    const form = new FormData();
    form.append("file", new File([new Uint8Array([0xff, 0xd8, 0xff])], "a.jpg"));
    const a = await sim.fetch(weshopRequest("/agent/assets/images", { method: "POST", body: form }));
    const b = await sim.fetch(weshopRequest("/agent/assets/images", { method: "POST", body: { image: "x" } }));
    for (const res of [a, b]) {
      expect(res.status).toBe(422);
      expect((await body(res)).error.code).toBe("INVALID_PARAMETER");
    }
  });
});
