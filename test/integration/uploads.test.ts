// POST /v1/uploads: one image, checked by its bytes and size before anything is sent, forwarded
// to WeShop with the raw key, answered with the URL WeShop serves it at; provider faults map to
// 502/504, a missing key to 503. The same assertions run against the sub-app mounted in a small
// app with the real middleware, and against the worker entry (once src/http/app.ts mounts the route).
import { createExecutionContext, env } from "cloudflare:test";
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/http/context.ts";
import { bearerAuth, requestId, requireConfig } from "../../src/http/middleware.ts";
import { MAX_IMAGE_BYTES, MAX_UPLOAD_BODY_BYTES, uploadRoutes } from "../../src/http/routes/uploads.ts";
import { ApiError, problemResponse } from "../../src/lib/errors.ts";
import { uploadWeshopImage } from "../../src/providers/weshop-assets.ts";
import type { FetchFn } from "../../src/providers/http.ts";
import { api, BASE, KEY_A, startHarness, type Harness } from "../helpers.ts";
import { SIM_ORIGIN, TEST_BINDINGS } from "../bindings.ts";

const WESHOP_KEY = TEST_BINDINGS.WESHOP_API_KEY;
const MiB = 1024 * 1024;

/** A real 1×1 PNG. */
const PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="), (ch) => ch.charCodeAt(0));
const JPEG_HEAD = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
const WEBP_HEAD = new TextEncoder().encode("RIFF\x24\x00\x00\x00WEBPVP8 ");

/** `size` bytes that start like a PNG (enough for the magic-byte check; WeShop's sniffing agrees). */
function pngOfSize(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set(PNG.subarray(0, Math.min(PNG.length, size)));
  return bytes;
}

function form(fields: [string, string | File][]): FormData {
  const f = new FormData();
  for (const [name, value] of fields) f.append(name, value);
  return f;
}
const file = (bytes: Uint8Array, name: string, type = "image/png") => new File([bytes], name, { type });

type Problem = { status: number; code: string; title: string; detail: string; requestId: string; errors?: { path: string; message: string }[] };
async function problem(res: Response): Promise<Problem> {
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  const text = await res.text();
  expect(text).not.toContain(WESHOP_KEY);
  return JSON.parse(text) as Problem;
}

type CallInit = { body?: BodyInit; key?: string | null; headers?: Record<string, string> };
type Call = (path: string, init?: CallInit) => Promise<Response>;

/** The routes as the lead mounts them: request id, config, bearer auth, problem+json errors. */
function subApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", requestId());
  app.use("/v1/*", requireConfig(), bearerAuth());
  app.route("/", uploadRoutes);
  app.notFound((c) => problemResponse(c, new ApiError(404, "not_found", "Not Found", "No such route.")));
  app.onError((err, c) => {
    if (err instanceof ApiError) return problemResponse(c, err);
    return problemResponse(c, new ApiError(500, "internal_error", "Internal Server Error", err instanceof Error ? err.message : String(err)));
  });
  return app;
}

function requestFor(path: string, init: CallInit = {}): Request {
  const headers = new Headers(init.headers);
  if (init.key !== null) headers.set("Authorization", `Bearer ${init.key ?? KEY_A}`);
  const body = init.body;
  return new Request(`${BASE}${path}`, { method: "POST", headers, body, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
}

const viaSubApp =
  (bindings: Record<string, unknown> = env as unknown as Record<string, unknown>): Call =>
  async (path, init) =>
    subApp().fetch(requestFor(path, init), bindings, createExecutionContext());
const viaWorker: Call = (path, init = {}) => api(path, { method: "POST", ...init });

/** A hand-written multipart body with one `image` part of `size` bytes, produced lazily in 64 KiB chunks. */
function streamedUpload(size: number): { body: ReadableStream<Uint8Array>; contentType: string; pulled: () => number } {
  const boundary = "seedrun-test-boundary";
  const enc = new TextEncoder();
  const head = enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`);
  const tail = enc.encode(`\r\n--${boundary}--\r\n`);
  const chunk = 64 * 1024;
  let sent = 0;
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) {
        controller.enqueue(head);
        controller.enqueue(pngOfSize(Math.min(chunk, size)));
        sent = Math.min(chunk, size);
        pulled += head.length + sent;
      } else if (sent < size) {
        const n = Math.min(chunk, size - sent);
        controller.enqueue(new Uint8Array(n));
        sent += n;
        pulled += n;
      } else {
        controller.enqueue(tail);
        controller.close();
      }
    },
  });
  return { body, contentType: `multipart/form-data; boundary=${boundary}`, pulled: () => pulled };
}

let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  await h.stop();
});

const uploads = () => h.sim.requests.filter((r) => r.target === "weshop.upload");

/** Every assertion that holds wherever the route is mounted. */
function uploadSuite(call: () => Call) {
  it("a PNG is forwarded once with the raw key and comes back as a URL serving the same bytes", async () => {
    const res = await call()("/v1/uploads", { body: form([["image", file(PNG, "pixel.png")]]) });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(text).not.toContain(WESHOP_KEY);
    const { url } = JSON.parse(text) as { url: string };
    expect(Object.keys(JSON.parse(text) as object)).toEqual(["url"]);
    expect(url.startsWith(`${SIM_ORIGIN}/files/assets/`)).toBe(true);

    // exactly one provider request, and it was the upload
    expect(h.sim.requests).toHaveLength(1);
    const seen = uploads();
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req!.method).toBe("POST");
    expect(req!.path).toBe("/weshop/openapi/agent/assets/images");
    expect(req!.headers.authorization).toBe(WESHOP_KEY);
    expect(req!.headers["content-type"]).toMatch(/^multipart\/form-data; ?boundary=/);
    const parts = req!.body.split(/\r\n--[^\r\n]+/).filter((p) => p.includes("Content-Disposition"));
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatch(/Content-Disposition: form-data; name="image"; filename="pixel.png"/);
    expect(parts[0]).toMatch(/Content-Type: image\/png/);
    expect(h.outbound).toEqual([]);

    const served = await h.sim.fetch(new Request(url));
    expect(served.status).toBe(200);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);
  });

  it("the type sent on is the one the bytes say, not the client's claim; the filename is kept", async () => {
    const jpeg = new Uint8Array(256);
    jpeg.set(JPEG_HEAD);
    const res = await call()("/v1/uploads", { body: form([["image", file(jpeg, "photo.bin", "application/octet-stream")]]) });
    expect(res.status).toBe(201);
    const [req] = uploads();
    expect(req!.body).toMatch(/name="image"; filename="photo.bin"\r\nContent-Type: image\/jpeg\r\n/);
    const { url } = (await res.json()) as { url: string };
    expect(url).toMatch(/\.jpg$/);
  });

  it("WebP is accepted", async () => {
    const webp = new Uint8Array(64);
    webp.set(WEBP_HEAD);
    const res = await call()("/v1/uploads", { body: form([["image", file(webp, "a.webp", "image/webp")]]) });
    expect(res.status).toBe(201);
    expect(uploads()[0]!.body).toMatch(/Content-Type: image\/webp/);
  });

  it("a 2 MiB image is not held to the 1 MB JSON body limit", async () => {
    const res = await call()("/v1/uploads", { body: form([["image", file(pngOfSize(2 * MiB), "two.png")]]) });
    expect(res.status, await res.clone().text()).toBe(201);
    const { url } = (await res.json()) as { url: string };
    const served = await h.sim.fetch(new Request(url));
    expect((await served.arrayBuffer()).byteLength).toBe(2 * MiB);
  });

  it("401 without a key, nothing sent", async () => {
    const res = await call()("/v1/uploads", { key: null, body: form([["image", file(PNG, "pixel.png")]]) });
    expect(res.status).toBe(401);
    expect((await problem(res)).code).toBe("unauthorized");
    expect(h.sim.requests).toEqual([]);
  });

  it("a body that is not multipart is 415", async () => {
    const res = await call()("/v1/uploads", { body: JSON.stringify({ image: "x" }), headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(415);
    const body = await problem(res);
    expect(body.code).toBe("unsupported_media_type");
    expect(body.detail).toMatch(/multipart\/form-data.*`image`/);
    const raw = await call()("/v1/uploads", { body: PNG, headers: { "Content-Type": "image/png" } });
    expect(raw.status).toBe(415);
    expect(h.sim.requests).toEqual([]);
  });

  it("a missing image field is 400 naming `image`", async () => {
    const res = await call()("/v1/uploads", { body: form([]) });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.code).toBe("validation_failed");
    expect(body.errors).toEqual([{ path: "image", message: expect.stringMatching(/required/) }]);
    expect(h.sim.requests).toEqual([]);
  });

  it("a file under another name is 400 naming both the stray field and the missing `image`", async () => {
    const res = await call()("/v1/uploads", { body: form([["file", file(PNG, "pixel.png")]]) });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.errors?.map((e) => e.path).sort()).toEqual(["file", "image"]);
    expect(h.sim.requests).toEqual([]);
  });

  it("extra fields next to the image are 400 naming them", async () => {
    const res = await call()("/v1/uploads", {
      body: form([
        ["image", file(PNG, "pixel.png")],
        ["caption", "hello"],
        ["alt", "x"],
      ]),
    });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.errors?.map((e) => e.path).sort()).toEqual(["alt", "caption"]);
    expect(h.sim.requests).toEqual([]);
  });

  it("`image` as a text value, twice, or empty is 400", async () => {
    const text = await call()("/v1/uploads", { body: form([["image", "https://example.com/a.png"]]) });
    expect(text.status).toBe(400);
    expect((await problem(text)).errors).toEqual([{ path: "image", message: "must be a file, not a text value" }]);
    const twice = await call()("/v1/uploads", {
      body: form([
        ["image", file(PNG, "a.png")],
        ["image", file(PNG, "b.png")],
      ]),
    });
    expect(twice.status).toBe(400);
    expect((await problem(twice)).errors).toEqual([{ path: "image", message: "must be sent once; got 2" }]);
    const empty = await call()("/v1/uploads", { body: form([["image", file(new Uint8Array(0), "empty.png")]]) });
    expect(empty.status).toBe(400);
    expect((await problem(empty)).errors).toEqual([{ path: "image", message: "is empty" }]);
    expect(h.sim.requests).toEqual([]);
  });

  it("a text file named x.png is 415 naming `image`: the bytes decide, not the name or declared type", async () => {
    const res = await call()("/v1/uploads", { body: form([["image", file(new TextEncoder().encode("hello, I am not a picture"), "x.png", "image/png")]]) });
    expect(res.status).toBe(415);
    const body = await problem(res);
    expect(body.code).toBe("unsupported_media_type");
    expect(body.errors).toEqual([{ path: "image", message: expect.stringMatching(/PNG, JPEG or WebP/) }]);
    const gif = await call()("/v1/uploads", { body: form([["image", file(new TextEncoder().encode("GIF89a......"), "a.gif", "image/gif")]]) });
    expect(gif.status).toBe(415);
    expect(h.sim.requests).toEqual([]);
  });

  it("an image over 10 MiB is 413 naming `image`, and nothing reaches the provider", async () => {
    const res = await call()("/v1/uploads", { body: form([["image", file(pngOfSize(MAX_IMAGE_BYTES + 1), "big.png")]]) });
    expect(res.status).toBe(413);
    const body = await problem(res);
    expect(body.code).toBe("payload_too_large");
    expect(body.errors).toEqual([{ path: "image", message: expect.stringMatching(/10 MiB/) }]);
    // exactly at the limit is fine
    const edge = await call()("/v1/uploads", { body: form([["image", file(pngOfSize(MAX_IMAGE_BYTES), "edge.png")]]) });
    expect(edge.status).toBe(201);
    expect(uploads()).toHaveLength(1);
  });

  it("a streamed body without Content-Length is cut off at the limit with 413", async () => {
    const up = streamedUpload(20 * MiB);
    const res = await call()("/v1/uploads", { body: up.body, headers: { "Content-Type": up.contentType } });
    expect(res.status).toBe(413);
    expect((await problem(res)).errors?.[0]?.path).toBe("image");
    expect(h.sim.requests).toEqual([]);
  });

  it("provider 5xx is 502 provider_error; nothing about the key leaks", async () => {
    h.sim.inject({ target: "weshop.upload", kind: "http503" });
    const res = await call()("/v1/uploads", { body: form([["image", file(PNG, "pixel.png")]]) });
    expect(res.status).toBe(502);
    const body = await problem(res);
    expect(body.code).toBe("provider_error");
    expect(body.detail).toMatch(/HTTP 503/);
    expect(uploads()).toHaveLength(1);
  });

  it("a provider that hangs is 504 provider_unavailable after the provider timeout", async () => {
    h.sim.inject({ target: "weshop.upload", kind: "hang" });
    const started = Date.now();
    const res = await call()("/v1/uploads", { body: form([["image", file(PNG, "pixel.png")]]) });
    expect(res.status).toBe(504);
    expect((await problem(res)).code).toBe("provider_unavailable");
    expect(Date.now() - started).toBeGreaterThanOrEqual(Number(TEST_BINDINGS.PROVIDER_TIMEOUT_MS) - 20);
  });

  it("a final provider error is 502 with the provider's code and message", async () => {
    h.sim.inject({ target: "weshop.upload", kind: "error_final" });
    const res = await call()("/v1/uploads", { body: form([["image", file(PNG, "pixel.png")]]) });
    expect(res.status).toBe(502);
    const body = await problem(res);
    expect(body.code).toBe("provider_error");
    expect(body.detail).toContain("INSUFFICIENT_POWER");
    expect(body.detail).toContain("Insufficient power balance");
  });

  it("malformed JSON is 502; a rate limit is 502 with Retry-After", async () => {
    h.sim.inject({ target: "weshop.upload", kind: "malformed_json" });
    const bad = await call()("/v1/uploads", { body: form([["image", file(PNG, "pixel.png")]]) });
    expect(bad.status).toBe(502);
    expect((await problem(bad)).code).toBe("provider_error");
    h.sim.inject({ target: "weshop.upload", kind: "rate_limit", retryAfter: 7 });
    const limited = await call()("/v1/uploads", { body: form([["image", file(PNG, "pixel.png")]]) });
    expect(limited.status).toBe(502);
    expect(limited.headers.get("Retry-After")).toBe("7");
    expect((await problem(limited)).detail).toContain("RATE_LIMITED");
  });
}

describe("POST /v1/uploads (sub-app behind the real middleware)", () => {
  uploadSuite(() => viaSubApp());

  it("a declared Content-Length over the limit is refused before the body is read", async () => {
    const up = streamedUpload(20 * MiB);
    const res = await viaSubApp()("/v1/uploads", {
      body: up.body,
      headers: { "Content-Type": up.contentType, "Content-Length": String(20 * MiB + 300) },
    });
    expect(res.status).toBe(413);
    // at most what the stream queued on its own before anyone read it
    expect(up.pulled()).toBeLessThanOrEqual(128 * 1024);
    expect(h.sim.requests).toEqual([]);
  });

  it("a streamed body stops being read soon after the limit", async () => {
    const up = streamedUpload(20 * MiB);
    const res = await viaSubApp()("/v1/uploads", { body: up.body, headers: { "Content-Type": up.contentType } });
    expect(res.status).toBe(413);
    expect(up.pulled()).toBeLessThan(MAX_UPLOAD_BODY_BYTES + 256 * 1024);
  });

  it("without WESHOP_API_KEY it is 503 provider_not_configured naming the variable, nothing sent", async () => {
    // a fresh bindings object, so the cached parse of the real env is not reused
    const call = viaSubApp({ ...(env as unknown as Record<string, unknown>), WESHOP_API_KEY: undefined });
    const res = await call("/v1/uploads", { body: form([["image", file(PNG, "pixel.png")]]) });
    expect(res.status).toBe(503);
    const body = await problem(res);
    expect(body.code).toBe("provider_not_configured");
    expect(body.detail).toContain("WESHOP_API_KEY");
    expect(h.sim.requests).toEqual([]);
  });
});

/** Whether src/http/app.ts mounts the route yet: an authorised non-multipart POST is 415 there, 404 before. */
describe("POST /v1/uploads through the worker entry", () => {
  uploadSuite(() => viaWorker);
});

describe("uploadWeshopImage", () => {
  const endpoint = { baseUrl: `${SIM_ORIGIN}/weshop/openapi`, loopback: true, apiKey: WESHOP_KEY };
  const image = { bytes: PNG, filename: "pixel.png", contentType: "image/png" };
  const answering =
    (status: number, body: unknown, seen: Request[] = []): FetchFn =>
    async (input, init) => {
      seen.push(new Request(input as RequestInfo, init));
      return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
    };

  it("posts one `image` part to {base}/agent/assets/images with the raw key and reads data.image", async () => {
    const seen: Request[] = [];
    const out = await uploadWeshopImage(
      endpoint,
      image,
      1000,
      answering(200, { success: true, data: { image: "https://cdn.weshop.ai/a.png" }, meta: {} }, seen),
    );
    expect(out).toEqual({ ok: true, value: { url: "https://cdn.weshop.ai/a.png" } });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(`${SIM_ORIGIN}/weshop/openapi/agent/assets/images`);
    expect(seen[0]!.headers.get("Authorization")).toBe(WESHOP_KEY);
    const sent = await seen[0]!.formData();
    expect([...sent.keys()]).toEqual(["image"]);
    const part = sent.get("image") as File;
    expect(part.name).toBe("pixel.png");
    expect(part.type).toBe("image/png");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(PNG);
  });

  it("reads the older {code, msg} error shape", async () => {
    const out = await uploadWeshopImage(endpoint, image, 1000, answering(400, { code: 4001, msg: "image too small" }));
    expect(out).toMatchObject({ ok: false, error: { code: "4001", retryable: false, httpStatus: 400 } });
    expect(!out.ok && out.error.message).toContain("image too small");
  });

  it("a success without a usable data.image is a bad_response", async () => {
    const out = await uploadWeshopImage(endpoint, image, 1000, answering(200, { success: true, data: { image: "not a url" } }));
    expect(out).toMatchObject({ ok: false, error: { code: "bad_response" } });
  });

  it("never repeats the key, even when the provider echoes it", async () => {
    const out = await uploadWeshopImage(
      endpoint,
      image,
      1000,
      answering(401, { success: false, error: { code: "UNAUTHORIZED", message: `bad key ${WESHOP_KEY}` } }),
    );
    expect(out.ok).toBe(false);
    expect(JSON.stringify(out)).not.toContain(WESHOP_KEY);
  });

  it("refuses to send the key anywhere but WeShop or a loopback simulator", async () => {
    const seen: Request[] = [];
    const fetchSpy = answering(200, { success: true, data: { image: "https://x.test/a.png" } }, seen);
    for (const bad of [
      { baseUrl: "https://evil.example.com/openapi", loopback: false },
      { baseUrl: "https://evil.example.com/openapi", loopback: true },
      { baseUrl: "http://10.0.0.1:8790/weshop", loopback: true },
    ]) {
      const out = await uploadWeshopImage({ ...bad, apiKey: WESHOP_KEY }, image, 1000, fetchSpy);
      expect(out).toMatchObject({ ok: false, error: { code: "endpoint_refused", retryable: false } });
    }
    expect(seen).toEqual([]);
  });
});
