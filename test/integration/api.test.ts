// The HTTP contract: auth, tenant isolation, problem+json errors, validation before any provider call.
import { describe, expect } from "vitest";
import { it } from "../support/fixture.ts";
import { api, createJob, KEY_B } from "../support/harness.ts";

const problem = async (res: Response) => {
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  return (await res.json()) as {
    status: number;
    code: string;
    title: string;
    detail: string;
    requestId: string;
    errors?: { path: string; message: string }[];
  };
};

describe("auth", () => {
  it.each([null, "wrong-key", ""])("refuses key %s with 401 problem+json", async (key) => {
    const res = await api("/v1/jobs/job_00000000000000000000", { key });
    expect(res.status).toBe(401);
    const body = await problem(res);
    expect(body).toMatchObject({ status: 401, code: "unauthorized" });
    expect(body.requestId).toBe(res.headers.get("X-Request-Id"));
  });
  it("a job is visible only to the key that created it", async () => {
    const { id } = await createJob({ model: "weshop/seedream", params: { textDescription: "x" } });
    expect((await api(`/v1/jobs/${id}`)).status).toBe(200);
    const other = await api(`/v1/jobs/${id}`, { key: KEY_B });
    expect(other.status).toBe(404);
    expect((await problem(other)).code).toBe("not_found");
  });
  it("unknown and malformed ids are 404", async () => {
    expect((await api("/v1/jobs/job_zzzzzzzzzzzzzzzzzzzz")).status).toBe(404);
    expect((await api("/v1/jobs/../../etc")).status).toBe(404);
  });
});

describe("request ids and health", () => {
  it("every response carries X-Request-Id, echoing a sane incoming one", async () => {
    const res = await api("/healthz", { headers: { "X-Request-Id": "abc-123" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Request-Id")).toBe("abc-123");
    const generated = await api("/nope");
    expect(generated.status).toBe(404);
    expect(generated.headers.get("X-Request-Id")).toMatch(/^req_/);
  });
  it("a refused media link is problem+json with the request id, like every other error", async () => {
    const res = await api("/media/jobs/job_00000000000000000000/0.png?expires=9999999999&sig=forged", { key: null });
    expect(res.status).toBe(403);
    expect(res.headers.get("Content-Type")).toContain("application/problem+json");
    const body = (await res.json()) as { code: string; requestId: string };
    expect(body.code).toBe("invalid_signature");
    expect(body.requestId).toBe(res.headers.get("X-Request-Id"));
  });
});

describe("POST /v1/jobs validation", () => {
  it("lists every offending field by path and sends nothing to any provider", async ({ h }) => {
    const res = await api("/v1/jobs", {
      json: {
        model: "weshop/seedance",
        params: {
          images: ["http://10.0.0.1/x.png"],
          textDescription: "",
          modelName: "Seedance_10_Pro",
          duration: "13s",
          generateAudio: true,
          batchCount: 0,
        },
        metadata: { a: 1 },
        surprise: true,
      },
    });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.code).toBe("validation_failed");
    // the image URL is checked even though other params are invalid
    expect(body.errors!.map((e) => e.path).sort()).toEqual([
      "metadata.a",
      "params.batchCount",
      "params.duration",
      "params.generateAudio",
      "params.images[0]",
      "params.textDescription",
      "surprise",
    ]);
    expect(h.sim.requests).toEqual([]);
    expect(h.jobs).toEqual([]);
  });
  it("runs the URL and webhook checks whatever else failed", async ({ h }) => {
    const res = await api("/v1/jobs", {
      json: {
        model: "weshop/seedance",
        params: { images: ["http://10.0.0.1/x.png"], textDescription: "x", duration: "99s" },
        webhookUrl: "http://169.254.169.254/latest",
      },
    });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.errors!.map((e) => e.path).sort()).toEqual(["params.duration", "params.images[0]", "webhookUrl"]);
    // an invalid top level (unknown model) does not hide the webhook rules either
    const top = await problem(
      await api("/v1/jobs", { json: { model: "openai/sora", params: {}, webhookEvents: ["job.failed"] } }),
    );
    expect(top.errors!.map((e) => e.path).sort()).toEqual(["model", "webhookEvents"]);
    const unsafe = await problem(
      await api("/v1/jobs", {
        json: {
          model: "weshop/seedream",
          params: { textDescription: "" },
          webhookUrl: "https://user:pw@hooks.example.com/x",
          surprise: 1,
        },
      }),
    );
    expect(unsafe.errors!.map((e) => e.path).sort()).toEqual(["params.textDescription", "surprise", "webhookUrl"]);
    // values of the wrong shape are reported once, by the schema
    const shapes = await problem(
      await api("/v1/jobs", {
        json: {
          model: "weshop/seedream",
          params: { textDescription: "x", images: [42, "https://ok.example.com/a.png", "http://10.0.0.1/b.png"] },
          webhookUrl: 7,
        },
      }),
    );
    expect(shapes.errors!.map((e) => e.path).sort()).toEqual(["params.images[0]", "params.images[2]", "webhookUrl"]);
    expect(h.sim.requests).toEqual([]);
    expect(h.jobs).toEqual([]);
  });
  it("reports job paths inside a batch, image URLs included", async ({ h }) => {
    const ok = { model: "weshop/seedream", params: { textDescription: "x" } };
    const jobs = Array.from({ length: 18 }, () => ok);
    jobs[17] = {
      model: "weshop/seedance",
      params: { images: ["http://10.0.0.1/x.png"], textDescription: "x", duration: "04s" },
    } as never;
    const body = await problem(await api("/v1/batches", { json: { jobs } }));
    expect(body.errors!.map((e) => e.path).sort()).toEqual(["jobs[17].params.duration", "jobs[17].params.images[0]"]);
    expect(h.sim.requests).toEqual([]);
  });
  it("checks image URLs once the params are otherwise valid", async ({ h }) => {
    const res = await api("/v1/jobs", {
      json: {
        model: "weshop/seedream",
        params: {
          textDescription: "x",
          images: ["https://ok.example.com/a.png", "https://user:pw@example.com/a.png", "data:image/png;base64,AAAA"],
        },
      },
    });
    const body = await problem(res);
    expect(body.errors!.map((e) => e.path)).toEqual(["params.images[1]", "params.images[2]"]);
    expect(h.sim.requests).toEqual([]);
  });
  it("names an unknown model", async () => {
    const body = await problem(await api("/v1/jobs", { json: { model: "openai/sora", params: {} } }));
    expect(body.errors).toEqual([{ path: "model", message: expect.stringContaining("weshop/seedance") }]);
  });
  it("refuses non-JSON, bad JSON and bodies over 1 MB", async ({ h }) => {
    expect((await api("/v1/jobs", { body: "x", headers: { "Content-Type": "text/plain" } })).status).toBe(415);
    const bad = await api("/v1/jobs", { body: "{", headers: { "Content-Type": "application/json" } });
    expect(bad.status).toBe(400);
    expect((await problem(bad)).code).toBe("invalid_json");
    const big = await api("/v1/jobs", {
      json: { model: "weshop/seedream", params: { textDescription: "x".repeat(1_100_000) } },
    });
    expect(big.status).toBe(413);
    expect((await problem(big)).code).toBe("payload_too_large");
    expect(h.sim.requests).toEqual([]);
  });
  it("accepts a valid job with 202, Location and the normalised params", async () => {
    const res = await api("/v1/jobs", {
      json: { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "p", fps: 16 } },
    });
    expect(res.status).toBe(202);
    const job = (await res.json()) as Record<string, unknown>;
    expect(res.headers.get("Location")).toBe(`/v1/jobs/${job.id}`);
    expect(job).toMatchObject({
      status: "queued",
      params: { prompt: "p", fps: "16", duration: "5" },
      provider: { name: "wiro", taskId: null, status: null, callbackReceived: false },
      outputs: [],
      polls: 0,
    });
    expect(Date.parse(String(job.createdAt))).not.toBeNaN();
  });
});
