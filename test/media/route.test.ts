// The /media route: signed access, Range, ETag/304, HEAD and problem+json errors.
import { env } from "cloudflare:test";
import { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import { type MediaEnv, mediaRoutes } from "../../src/http/routes/media.ts";
import { handleError } from "../../src/lib/errors.ts";
import { signMediaUrl } from "../../src/media/links.ts";
import { patternBytes, sameBytes } from "./helpers.ts";

const SECRET = "route-test-secret";
const KEY = "jobs/job_abc/0.mp4";
const BYTES = patternBytes(1000, 11);

// mounted as in the worker: errors reach the app's one error handler
const mount = (getSecret: (e: MediaEnv) => string | undefined) =>
  new Hono<{ Bindings: MediaEnv }>().route("/media", mediaRoutes(getSecret)).onError(handleError);
const app = mount(() => SECRET);
const now = (): number => Math.floor(Date.now() / 1000);

async function link(key = KEY, expiresAt = now() + 3600, secret = SECRET): Promise<string> {
  const url = new URL(await signMediaUrl(secret, "https://api.example", key, expiresAt));
  return url.pathname + url.search;
}

async function get(path: string, init: RequestInit = {}): Promise<Response> {
  return await app.request(path, init, { MEDIA: env.MEDIA });
}

async function problem(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  return (await res.json()) as Record<string, unknown>;
}

let etag = "";
beforeAll(async () => {
  const object = await env.MEDIA.put(KEY, BYTES, { httpMetadata: { contentType: "video/mp4" } });
  etag = object?.httpEtag ?? "";
});

describe("GET /media/<key>", () => {
  it("serves the stored bytes with Content-Type, ETag, Content-Length and a cache lifetime bounded by the link", async () => {
    const res = await get(await link(KEY, now() + 600));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("video/mp4");
    expect(res.headers.get("ETag")).toBe(etag);
    expect(etag).toMatch(/^".+"$/);
    expect(res.headers.get("Accept-Ranges")).toBe("bytes");
    expect(res.headers.get("Content-Length")).toBe("1000");
    const maxAge = Number(/^private, max-age=(\d+)$/.exec(res.headers.get("Cache-Control") ?? "")?.[1]);
    expect(maxAge).toBeGreaterThan(590);
    expect(maxAge).toBeLessThanOrEqual(600);
    expect(sameBytes(new Uint8Array(await res.arrayBuffer()), BYTES)).toBe(true);
  });

  it("answers Range bytes=0-9 with 206 and exactly those 10 bytes", async () => {
    const res = await get(await link(), { headers: { Range: "bytes=0-9" } });
    expect(res.status).toBe(206);
    expect(res.headers.get("Content-Range")).toBe("bytes 0-9/1000");
    expect(res.headers.get("Content-Length")).toBe("10");
    expect(sameBytes(new Uint8Array(await res.arrayBuffer()), BYTES.slice(0, 10))).toBe(true);
  });

  it("answers suffix and open-ended ranges", async () => {
    const suffix = await get(await link(), { headers: { Range: "bytes=-5" } });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get("Content-Range")).toBe("bytes 995-999/1000");
    expect(sameBytes(new Uint8Array(await suffix.arrayBuffer()), BYTES.slice(995))).toBe(true);

    const open = await get(await link(), { headers: { Range: "bytes=990-" } });
    expect(open.status).toBe(206);
    expect(open.headers.get("Content-Range")).toBe("bytes 990-999/1000");
    expect(sameBytes(new Uint8Array(await open.arrayBuffer()), BYTES.slice(990))).toBe(true);
  });

  it("answers an unsatisfiable range with 416 and Content-Range bytes */size", async () => {
    const res = await get(await link(), { headers: { Range: "bytes=1000-" } });
    expect(res.status).toBe(416);
    expect(res.headers.get("Content-Range")).toBe("bytes */1000");
  });

  it("ignores several ranges and serves the whole object", async () => {
    const res = await get(await link(), { headers: { Range: "bytes=0-1,5-6" } });
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(1000);
  });

  it("answers a matching If-None-Match with 304 and no body", async () => {
    const res = await get(await link(), { headers: { "If-None-Match": etag } });
    expect(res.status).toBe(304);
    expect(res.headers.get("ETag")).toBe(etag);
    expect(await res.text()).toBe("");
    const stale = await get(await link(), { headers: { "If-None-Match": '"something-else"' } });
    expect(stale.status).toBe(200);
  });

  it("HEAD returns the headers without a body", async () => {
    const res = await get(await link(), { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Length")).toBe("1000");
    expect(res.headers.get("ETag")).toBe(etag);
    expect(res.headers.get("Content-Type")).toBe("video/mp4");
    expect(await res.text()).toBe("");
  });

  it("refuses a tampered or missing signature with 403 invalid_signature", async () => {
    const good = await link();
    const tampered = good.replace(/sig=(.)/, (_, c: string) => `sig=${c === "A" ? "B" : "A"}`);
    for (const path of [
      tampered,
      good.replace(/&sig=.*$/, ""),
      `/media/${KEY}`,
      await link(KEY, now() + 3600, "wrong-secret"),
    ]) {
      const res = await get(path);
      expect(res.status).toBe(403);
      expect(await problem(res)).toMatchObject({
        type: "https://seedrun.dev/problems/invalid_signature",
        status: 403,
        code: "invalid_signature",
      });
    }
  });

  it("refuses a link signed for another key", async () => {
    const other = (await link("jobs/job_abc/1.mp4")).replace("/1.mp4", "/0.mp4");
    expect((await get(other)).status).toBe(403);
  });

  it("answers an expired link with 410 link_expired", async () => {
    const res = await get(await link(KEY, now() - 1));
    expect(res.status).toBe(410);
    expect(await problem(res)).toMatchObject({ status: 410, code: "link_expired", title: "Gone" });
  });

  it("answers a validly signed link to a missing object with 404 not_found", async () => {
    const res = await get(await link("jobs/job_abc/9.mp4"));
    expect(res.status).toBe(404);
    expect(await problem(res)).toMatchObject({ status: 404, code: "not_found" });
  });

  it("answers 503 configuration_error naming no setting when the secret is missing (the viewer is not authenticated)", async () => {
    const bare = mount(() => undefined);
    const res = await bare.request(await link(), {}, { MEDIA: env.MEDIA });
    expect(res.status).toBe(503);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const body = await problem(res);
    expect(body).toMatchObject({ status: 503, code: "configuration_error", detail: "Media links are not available." });
    expect(JSON.stringify(body)).not.toContain("SIGNING_SECRET");
  });

  it("reads the secret from the environment it is given", async () => {
    const fromEnv = mount((e) => e.SIGNING_SECRET);
    const res = await fromEnv.request(await link(), {}, { MEDIA: env.MEDIA, SIGNING_SECRET: SECRET });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });
});
