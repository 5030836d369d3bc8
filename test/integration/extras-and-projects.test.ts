// A Wiro API-key-only project works with no WIRO_API_SECRET; WeShop's poster and last frame of a
// video are stored in R2 and served next to it, and a missing one never fails the job.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect } from "vitest";
import { sha256Hex } from "../../src/lib/crypto.ts";
import { drive, stepUntil } from "../reliability/steps.ts";
import {
  cancelOpenJobs,
  layerFetch,
  requestsTo,
  restoreProviderPace,
  sha256Hex as sha256OfBytes,
} from "../reliability/support.ts";
import { SIM_WIRO_KEY_ONLY_API_KEY } from "../support/bindings.ts";
import { SEEDANCE } from "../support/builders.ts";
import { envWith, jobInside } from "../support/do-internals.ts";
import { it } from "../support/fixture.ts";
import { createJob, download, getJob, jobStub, KEY_A } from "../support/harness.ts";

it.beforeEach(async () => {
  await restoreProviderPace();
});
it.afterEach(async ({ h }) => {
  await cancelOpenJobs(h);
});

async function bytesOf(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

describe("a Wiro API-key-only project", () => {
  it("a job succeeds with no WIRO_API_SECRET: only x-api-key is sent, and the video is stored and served", async ({
    h,
  }) => {
    const id = `job_${"k".repeat(20)}`;
    // this object runs as a deployment configured for a key-only project: its key, no secret
    await runInDurableObject(jobStub(id), (instance) => {
      const holder = jobInside(instance);
      holder.env = envWith(holder.env, { WIRO_API_KEY: SIM_WIRO_KEY_ONLY_API_KEY, WIRO_API_SECRET: undefined });
    });
    h.jobs.push(id);
    // the tenant the API derives for KEY_A, so the job can be read back through the API
    const tenant = (await sha256Hex(`tenant:${KEY_A}`)).slice(0, 32);
    await jobStub(id).create({
      id,
      tenant,
      model: "wiro/ByteDance/text-to-video-seedance-v1",
      params: { prompt: "a bicycle" },
      metadata: {},
      origin: "https://seedrun.test",
    });
    const job = await drive(h, id);
    expect(job.status).toBe("succeeded");
    expect(h.sim.tasks()).toHaveLength(1);
    const calls = h.sim.requests.filter((r) => r.target.startsWith("wiro."));
    expect(calls.map((r) => r.target)).toContain("wiro.run");
    expect(calls.map((r) => r.target)).toContain("wiro.detail");
    for (const call of calls) {
      expect(call.headers["x-api-key"]).toBe(SIM_WIRO_KEY_ONLY_API_KEY);
      expect(call.headers["x-nonce"]).toBeUndefined();
      expect(call.headers["x-signature"]).toBeUndefined();
    }
    const view = await getJob(id);
    expect(view.outputs).toHaveLength(1);
    const served = await download(String(view.outputs[0]!.url));
    expect(served.status).toBe(200);
    expect(await bytesOf(served)).toEqual(await h.sim.mediaBytes(job.outputs[0]!.sourceUrl!));
  });
});

describe("WeShop video extras", () => {
  const TWO = { ...SEEDANCE, params: { ...SEEDANCE.params, batchCount: 2 } };

  it("each video's poster is stored in R2 and served at its own signed link, inside the video's output", async ({
    h,
  }) => {
    const { id } = await createJob(TWO);
    const job = await drive(h, id);
    expect(job.status).toBe("succeeded");
    const view = await getJob(id);
    // the outputs are the videos; each carries its poster
    expect(view.outputs.map((o) => [o.index, o.kind, o.status])).toEqual([
      [0, "video", "stored"],
      [1, "video", "stored"],
    ]);
    for (const output of view.outputs) {
      const poster = output.poster as Record<string, unknown>;
      expect(poster).toMatchObject({ status: "stored", contentType: "image/jpeg" });
      expect(output.lastFrame).toBeUndefined();
      const res = await download(String(poster.url));
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("image/jpeg");
      const bytes = await bytesOf(res);
      const record = job.outputs.find((o) => o.role === "poster" && o.parent === output.index)!;
      expect(record.sourceUrl).toMatch(new RegExp(`/${output.index}-poster\\.jpg$`));
      expect(bytes).toEqual(await h.sim.mediaBytes(record.sourceUrl!));
      expect(poster.size).toBe(bytes.byteLength);
      expect(poster.sha256).toBe(await sha256OfBytes(bytes));
    }
    // two videos and two posters copied, nothing else
    expect(requestsTo(h, "media")).toHaveLength(4);
    expect((await env.MEDIA.list({ prefix: `jobs/${id}/` })).objects).toHaveLength(4);
  });

  it("asked for with returnLastFrame, the last frame is stored and served as the video's lastFrame", async ({ h }) => {
    const { id } = await createJob({ ...SEEDANCE, params: { ...SEEDANCE.params, returnLastFrame: true } });
    const job = await drive(h, id);
    expect(job.status).toBe("succeeded");
    const [output] = (await getJob(id)).outputs;
    expect(output).toMatchObject({ kind: "video", status: "stored", poster: { status: "stored" } });
    const lastFrame = output!.lastFrame as Record<string, unknown>;
    expect(lastFrame).toMatchObject({ status: "stored", contentType: "image/jpeg" });
    const res = await download(String(lastFrame.url));
    expect(res.status).toBe(200);
    const record = job.outputs.find((o) => o.role === "last_frame" && o.parent === 0)!;
    expect(record.sourceUrl).toMatch(/\/0-last\.jpg$/);
    expect(await bytesOf(res)).toEqual(await h.sim.mediaBytes(record.sourceUrl!));
  });

  it("a poster that cannot be copied is marked failed with its reason; the job still succeeds with its video", async ({
    h,
  }) => {
    const { id } = await createJob(SEEDANCE);
    await stepUntil(h, id, (j) => j.outputs.some((o) => o.role === undefined && o.status === "stored"));
    // the poster's download is next: its URL has expired
    h.sim.inject({ target: "media", kind: "expired" });
    const job = await drive(h, id);
    expect(job.status).toBe("succeeded");
    const [output] = (await getJob(id)).outputs;
    expect(output).toMatchObject({ kind: "video", status: "stored" });
    expect(output!.poster).toMatchObject({
      status: "failed",
      url: null,
      error: expect.stringMatching(/^output_unavailable:/),
    });
  });

  it("a video result without a poster has none, and the job succeeds", async ({ h }) => {
    layerFetch(async (request, next) => {
      const res = await next();
      if (!request.url.includes("/agent/runs/")) return res;
      const answer = (await res.json()) as { data: { executions: { result?: Record<string, unknown>[] }[] } };
      for (const execution of answer.data.executions) for (const r of execution.result ?? []) delete r.videoPoster;
      return new Response(JSON.stringify(answer), { status: res.status, headers: res.headers });
    });
    const { id } = await createJob(SEEDANCE);
    expect((await drive(h, id)).status).toBe("succeeded");
    const [output] = (await getJob(id)).outputs;
    expect(output).toMatchObject({ kind: "video", status: "stored" });
    expect(output!.poster).toBeUndefined();
    expect(requestsTo(h, "media")).toHaveLength(1);
  });
});
