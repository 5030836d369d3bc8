// A job per model from POST /v1/jobs to bytes in R2, checked against what the providers saw.
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hmacSha256Hex } from "../../src/lib/crypto.ts";
import { weshopRunKey } from "../../src/providers/weshop-run.ts";
import { TEST_BINDINGS } from "../support/bindings.ts";
import { api, createJob, download, driveJob, getJob, type Harness, startHarness } from "../support/harness.ts";

const IMAGE = "https://images.example.com/input.png";
let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  await h.stop();
});

/** A WeShop run request's headers: the raw key, JSON, and the job's own UUID Idempotency-Key (stable across resubmits). */
function expectWeshopHeaders(headers: Record<string, string>, key: string) {
  expect(headers).toMatchObject({
    authorization: TEST_BINDINGS.WESHOP_API_KEY,
    "content-type": "application/json",
    accept: "application/json",
    "idempotency-key": key,
  });
  expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(Object.keys(headers).filter((name) => /^x-/.test(name))).toEqual([]);
}

async function expectStoredOutputsMatchSimulator(id: string, count: number, contentType: string) {
  const job = await getJob(id);
  expect(job.status).toBe("succeeded");
  expect(job.outputs).toHaveLength(count);
  const stored = await driveJob(h, id);
  for (const [i, output] of job.outputs.entries()) {
    expect(output).toMatchObject({ index: i, status: "stored", contentType });
    const url = String(output.url);
    expect(url).toMatch(new RegExp(`^https://seedrun\\.test/media/jobs/${id}/${i}\\.\\w+\\?expires=\\d+&sig=`));
    // the provider URL is never handed out
    expect(JSON.stringify(job)).not.toContain("127.0.0.1");
    const res = await download(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe(contentType);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const source = await h.sim.mediaBytes(stored.outputs[i]!.sourceUrl!);
    expect(source).toBeDefined();
    expect(bytes).toEqual(source);
    expect(output.size).toBe(bytes.byteLength);
    const digest = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), (b) =>
      b.toString(16).padStart(2, "0"),
    ).join("");
    expect(output.sha256).toBe(digest);
    const object = await env.MEDIA.head(`jobs/${id}/${i}.${url.split("?")[0]!.split(".").pop()}`);
    expect(object?.size).toBe(bytes.byteLength);
  }
}

describe("weshop/seedream", () => {
  it("runs to stored images byte for byte, with the documented auth and body", async () => {
    const { id, body } = await createJob({
      model: "weshop/seedream",
      params: { textDescription: "a red fox", batchCount: 2, outputFormat: "png", images: [IMAGE] },
      metadata: { customer: "c-1" },
    });
    expect(body).toMatchObject({
      status: "queued",
      model: "weshop/seedream",
      metadata: { customer: "c-1" },
      polls: 0,
      outputs: [],
    });
    const done = await driveJob(h, id);
    expect(done.status).toBe("succeeded");
    await expectStoredOutputsMatchSimulator(id, 2, "image/png");

    const submits = h.sim.requests.filter((r) => r.target === "weshop.submit");
    expect(submits).toHaveLength(1);
    const submit = submits[0]!;
    expectWeshopHeaders(submit.headers, await weshopRunKey(id));
    // the official CLI's wire form: the first image in input.originalImage, all in input.images
    // and params.images, an explicit modelName, safeGenerate top-level
    expect(JSON.parse(submit.body)).toEqual({
      agent: { name: "seedream", version: "v1.0" },
      input: { originalImage: IMAGE, images: [IMAGE] },
      params: {
        textDescription: "a red fox",
        batchCount: 2,
        outputFormat: "png",
        images: [IMAGE],
        imageSize: "2K",
        aspectRatio: "3:4",
        modelName: "Seedream_50_Pro",
      },
      safeGenerate: "on",
    });
    expect(h.sim.tasks()).toHaveLength(1);
    const polls = h.sim.requests.filter((r) => r.target === "weshop.poll");
    expect(polls.length).toBe(done.polls);
    expect(polls.every((p) => p.headers.authorization === TEST_BINDINGS.WESHOP_API_KEY)).toBe(true);
    expect(h.outbound).toEqual([]);
  });
});

describe("weshop/seedance", () => {
  it("runs to a stored video with generateAudio and images sent as documented", async () => {
    const { id } = await createJob({
      model: "weshop/seedance",
      params: { textDescription: "waves", images: [IMAGE], duration: "5s" },
    });
    const done = await driveJob(h, id);
    expect(done.status).toBe("succeeded");
    await expectStoredOutputsMatchSimulator(id, 1, "video/mp4");
    const submit = h.sim.requests.find((r) => r.target === "weshop.submit")!;
    expectWeshopHeaders(submit.headers, await weshopRunKey(id));
    expect(JSON.parse(submit.body)).toEqual({
      agent: { name: "seedance", version: "v1.0" },
      input: { originalImage: IMAGE, images: [IMAGE] },
      params: {
        images: [IMAGE],
        textDescription: "waves",
        modelName: "Seedance_20",
        duration: "5s",
        aspectRatio: "3:4",
        generateAudio: "true",
        batchCount: 1,
      },
      safeGenerate: "on",
    });
  });

  it("a Seedance 1.0 job at 21:9 is a 400 naming params.aspectRatio, with nothing sent", async () => {
    const res = await api("/v1/jobs", {
      json: {
        model: "weshop/seedance",
        params: { textDescription: "waves", images: [IMAGE], modelName: "Seedance_10_Pro", aspectRatio: "21:9" },
      },
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path)).toEqual(["params.aspectRatio"]);
    expect(h.sim.requests).toEqual([]);
  });
});

describe("weshop/seedance-25", () => {
  it("runs agent seedance-25 to a stored video; frames, references and safeGenerate off sent as the official CLI does", async () => {
    const VIDEO = "https://media.example.com/ref.mp4";
    const AUDIO = "https://media.example.com/ref.mp3";
    const { id } = await createJob({
      model: "weshop/seedance-25",
      params: {
        textDescription: "a long take",
        images: [IMAGE],
        videos: [VIDEO],
        audios: [AUDIO],
        duration: "-1",
        outputFormat: "mov",
        safeGenerate: false,
      },
    });
    const done = await driveJob(h, id);
    expect(done.status).toBe("succeeded");
    // asked for mov, WeShop serves a QuickTime movie: stored and served as one
    await expectStoredOutputsMatchSimulator(id, 1, "video/quicktime");
    const submit = h.sim.requests.find((r) => r.target === "weshop.submit")!;
    expectWeshopHeaders(submit.headers, await weshopRunKey(id));
    expect(JSON.parse(submit.body)).toEqual({
      agent: { name: "seedance-25", version: "v1.0" },
      input: { originalImage: IMAGE, images: [IMAGE], videos: [VIDEO], audios: [AUDIO] },
      params: {
        textDescription: "a long take",
        modelName: "Seedance_25",
        images: [IMAGE],
        videos: [VIDEO],
        audios: [AUDIO],
        duration: "-1",
        aspectRatio: "3:4",
        generateAudio: "true",
        outputFormat: "mov",
        batchCount: 1,
      },
      safeGenerate: "off",
    });
  });
});

describe("wiro/ByteDance/text-to-video-seedance-v1", () => {
  it("runs to a stored video; every call is signed as the seed computes it with a fresh nonce", async () => {
    const { id } = await createJob({
      model: "wiro/ByteDance/text-to-video-seedance-v1",
      params: { prompt: "a bicycle at dawn", duration: 10, watermark: false },
    });
    const done = await driveJob(h, id);
    expect(done.status).toBe("succeeded");
    await expectStoredOutputsMatchSimulator(id, 1, "video/mp4");

    const calls = h.sim.requests.filter((r) => r.target.startsWith("wiro."));
    expect(calls.map((c) => c.target)[0]).toBe("wiro.run");
    const nonces = new Set<string>();
    for (const call of calls) {
      const nonce = call.headers["x-nonce"]!;
      expect(call.headers["x-api-key"]).toBe(TEST_BINDINGS.WIRO_API_KEY);
      expect(call.headers["x-signature"]).toBe(
        await hmacSha256Hex(TEST_BINDINGS.WIRO_API_KEY, `${TEST_BINDINGS.WIRO_API_SECRET}${nonce}`),
      );
      expect(nonce).toMatch(/^\d+$/);
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(calls.length);
    expect(JSON.parse(calls[0]!.body)).toEqual({
      prompt: "a bicycle at dawn",
      resolution: "480p",
      ratio: "16:9",
      duration: "10",
      fps: "24",
      watermark: "false",
      camerafixed: "false",
      callbackUrl: expect.stringMatching(new RegExp(`^https://seedrun\\.test/callbacks/wiro/${id}/[\\w-]{43}$`)),
    });
    const task = h.sim.tasks()[0]!;
    expect(JSON.parse(calls[1]!.body)).toEqual({ tasktoken: task.token });
    expect(h.sim.tasks()).toHaveLength(1);
  });
});
