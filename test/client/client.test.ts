// @seedrun/client against the local stack: run() for every model with progress, a failed job,
// aborting mid-run (canceled at the server), pagination, Blob auto-upload, a retry after a 503
// with Retry-After that still creates one job, and verifyWebhook against the reference library.
import { createServer, type IncomingMessage } from "node:http";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Job, SeedrunError, verifyWebhook } from "../../packages/client/src/index.ts";
import { pngImage } from "../../simulator/media.ts";
import { clearFaults, client, injectFault, MODEL_JOBS, serverTakesFileUploads, stack } from "./helpers.ts";
import { freePort, KEYS } from "./stack.ts";

let fileUploads = false;
beforeAll(async () => {
  fileUploads = await serverTakesFileUploads();
});
afterEach(clearFaults);

describe("run()", () => {
  it("runs a job of every model to success, reporting each status on the way", async () => {
    const sr = client(KEYS.client);
    const results = await Promise.all(
      MODEL_JOBS.map(async ({ model, params }) => {
        const seen: string[] = [];
        const job = await sr.run(model, params as never, { onProgress: (j) => seen.push(j.status) });
        return { model, job, seen };
      }),
    );
    for (const { model, job, seen } of results) {
      expect(job.model).toBe(model);
      expect(job.status).toBe("succeeded");
      expect(job.outputs.filter((o) => o.status === "stored").length).toBeGreaterThan(0);
      // the first report is the queued job, the last the succeeded one, and a status is reported once per change at most
      expect(seen[0]).toBe("queued");
      expect(seen.at(-1)).toBe("succeeded");
      expect(seen).toContain("running");
      const media = await fetch(job.outputs[0]!.url!);
      expect(media.status).toBe(200);
      expect((await media.arrayBuffer()).byteLength).toBe(job.outputs[0]!.size);
    }
  });

  it("rejects with a SeedrunError carrying the job's error code and the failed job", async () => {
    await injectFault({ target: "weshop.submit", kind: "run_failed" });
    const error = await client(KEYS.client)
      .run("weshop/seedream", { textDescription: "this one fails" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeedrunError);
    const e = error as SeedrunError;
    expect(e.job?.status).toBe("failed");
    expect(e.code).toBe(e.job?.error?.code);
    expect(e.code).not.toBe("failed");
  });

  it("rejects a bad request with the API's field errors, creating nothing", async () => {
    const sr = client(KEYS.client);
    const error = (await sr
      .run("weshop/seedream", { textDescription: "", batchCount: 99 })
      .catch((e: unknown) => e)) as SeedrunError;
    expect(error).toBeInstanceOf(SeedrunError);
    expect(error.status).toBe(400);
    expect(error.code).toBe("validation_failed");
    expect(error.errors.map((f) => f.path).sort()).toEqual(["params.batchCount", "params.textDescription"]);
    expect(error.requestId).toBeTruthy();
  });

  it("cancels the job at the server when its signal aborts mid-run", async () => {
    const sr = client(KEYS.client);
    const controller = new AbortController();
    let running: Job | undefined;
    const error = (await sr
      .run(
        "wiro/ByteDance/text-to-video-seedance-v1",
        { prompt: "abort me" },
        {
          signal: controller.signal,
          onProgress: (job) => {
            if (job.status === "running" && !running) {
              running = job;
              controller.abort();
            }
          },
        },
      )
      .catch((e: unknown) => e)) as SeedrunError;
    expect(error).toBeInstanceOf(SeedrunError);
    expect(error.code).toBe("aborted");
    expect(running).toBeDefined();
    const atServer = await sr.jobs.get(running!.id);
    expect(atServer.status).toBe("canceled");
    expect(error.job?.status).toBe("canceled");
  });
});

describe("lists", () => {
  it("walks every page of jobs by cursor, newest first", async () => {
    const sr = client(KEYS.pages);
    const created: string[] = [];
    for (let i = 0; i < 5; i++)
      created.push((await sr.jobs.create({ model: "weshop/seedream", params: { textDescription: `page ${i}` } })).id);
    const pages = [];
    for await (const page of sr.jobs.list({ limit: 2 }).pages()) pages.push(page.data.map((j) => j.id));
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const ids: string[] = [];
    for await (const job of sr.jobs.list({ limit: 2 })) ids.push(job.id);
    expect(ids).toEqual([...created].reverse());
  });
});

describe("uploads", () => {
  it("uploads a Blob given as a URL param and sends its URL instead", async (ctx) => {
    if (!fileUploads) ctx.skip("the server does not take the `file` upload field yet (uploads branch not merged)");
    const sr = client(KEYS.client);
    const image = new Blob([pngImage("client-upload")], { type: "image/png" });
    const job = await sr.run("weshop/seedance", { textDescription: "from a blob", images: [image] as never });
    expect(job.status).toBe("succeeded");
    const sent = (job.params as { images: string[] }).images[0]!;
    expect(sent).toMatch(/^https?:\/\//);
    const copy = new Uint8Array(await (await fetch(sent)).arrayBuffer());
    expect(copy).toEqual(pngImage("client-upload"));
  });
});

describe("retries", () => {
  it("retries POST /v1/jobs after a 503 with Retry-After, and the job exists once", async () => {
    // a proxy that passes the first POST on to the worker but answers the client 503 (an answer lost on the way)
    const posts: { key: string | undefined; at: number }[] = [];
    const proxy = createServer(async (req: IncomingMessage, res) => {
      const body = await new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks)));
      });
      const upstream = await fetch(`${stack().worker}${req.url}`, {
        method: req.method,
        headers: Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => k !== "host" && k !== "connection") as [string, string][],
        ),
        ...(body.length ? { body } : {}),
      });
      const text = await upstream.text();
      if (req.method === "POST" && req.url === "/v1/jobs") {
        posts.push({ key: req.headers["idempotency-key"] as string | undefined, at: Date.now() });
        if (posts.length === 1) {
          res.writeHead(503, { "Retry-After": "1", "Content-Type": "application/problem+json" });
          return res.end(JSON.stringify({ title: "Service Unavailable", status: 503, code: "unavailable" }));
        }
      }
      res.writeHead(upstream.status, { "Content-Type": upstream.headers.get("content-type") ?? "application/json" });
      res.end(text);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => proxy.listen(port, "127.0.0.1", resolve));
    try {
      const sr = client(KEYS.retry, { baseUrl: `http://127.0.0.1:${port}` });
      const job = await sr.jobs.create({ model: "weshop/seedream", params: { textDescription: "retried" } });
      expect(posts).toHaveLength(2);
      expect(posts[0]!.key).toBeTruthy();
      expect(posts[1]!.key).toBe(posts[0]!.key);
      // Retry-After: 1 was honoured
      expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(900);
      const all = await client(KEYS.retry).jobs.list().all();
      expect(all.map((j) => j.id)).toEqual([job.id]);
    } finally {
      proxy.close();
    }
  });
});

describe("verifyWebhook", () => {
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const payload = JSON.stringify({
    type: "job.succeeded",
    timestamp: "2026-12-06T10:00:00.000Z",
    data: { id: "job_1" },
  });
  it("accepts what the Standard Webhooks reference library signs and refuses a changed body", async () => {
    const now = new Date();
    const headers = { "webhook-id": "msg_1", "webhook-timestamp": String(Math.floor(now.getTime() / 1000)) };
    const signature = new Webhook(secret).sign("msg_1", now, payload);
    const event = await verifyWebhook(payload, new Headers({ ...headers, "webhook-signature": signature }), secret);
    expect(event.type).toBe("job.succeeded");
    await expect(
      verifyWebhook(payload.replace("job_1", "job_2"), { ...headers, "webhook-signature": signature }, secret),
    ).rejects.toMatchObject({
      code: "invalid_signature",
    });
    const old = new Date(now.getTime() - 10 * 60_000);
    const stale = {
      "webhook-id": "msg_1",
      "webhook-timestamp": String(Math.floor(old.getTime() / 1000)),
      "webhook-signature": new Webhook(secret).sign("msg_1", old, payload),
    };
    await expect(verifyWebhook(payload, stale, secret)).rejects.toMatchObject({ code: "invalid_signature" });
  });
});
