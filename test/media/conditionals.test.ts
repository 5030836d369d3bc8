// Conditional requests on /media (RFC 9110 section 13): what a browser or a hostile viewer sends,
// valid or not, gets 200/206/304/412, with invalid entity-tags and dates ignored.
import { env } from "cloudflare:test";
import { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import { type MediaEnv, mediaRoutes } from "../../src/http/routes/media.ts";
import { handleError } from "../../src/lib/errors.ts";
import { parseHttpDate, parseTagList } from "../../src/media/conditionals.ts";
import { signMediaUrl } from "../../src/media/links.ts";
import { patternBytes, sameBytes } from "./helpers.ts";

const SECRET = "conditionals-test-secret";
const KEY = "jobs/job_cond/0.png";
const BYTES = patternBytes(500, 5);
const app = new Hono<{ Bindings: MediaEnv }>()
  .route(
    "/media",
    mediaRoutes(() => SECRET),
  )
  .onError(handleError);

let path = "";
let etag = "";
let uploaded = 0;
beforeAll(async () => {
  const object = (await env.MEDIA.put(KEY, BYTES, { httpMetadata: { contentType: "image/png" } }))!;
  etag = object.httpEtag;
  uploaded = Math.floor(object.uploaded.getTime() / 1000) * 1000;
  const url = new URL(await signMediaUrl(SECRET, "https://api.example", KEY, Math.floor(Date.now() / 1000) + 3600));
  path = url.pathname + url.search;
});

const get = (headers: Record<string, string>, method = "GET") =>
  app.request(path, { method, headers }, { MEDIA: env.MEDIA });
const httpDate = (ms: number) => new Date(ms).toUTCString();
const status = async (headers: Record<string, string>) => {
  const res = await get(headers);
  await res.arrayBuffer();
  return res.status;
};

describe("malformed conditional headers are ignored, not a 500", () => {
  it.each([
    ["If-None-Match", "abc"],
    ["If-Match", "abc"],
    ["If-None-Match", "W/abc"],
    ["If-None-Match", '"abc'],
    ["If-Unmodified-Since", "not a date"],
    ["If-Modified-Since", "yesterday"],
    ["If-Modified-Since", "Mon, 30 Feb 2026 10:00:00 GMT"],
    ["If-Match", 'W/"x" junk'],
  ])("%s: %s answers 200 with the whole object", async (name, value) => {
    const res = await get({ [name]: value });
    expect(res.status).toBe(200);
    expect(sameBytes(new Uint8Array(await res.arrayBuffer()), BYTES)).toBe(true);
  });
});

describe("valid conditional headers decide the status", () => {
  it("If-None-Match compares weakly: the tag, its weak form, a list holding it, or * give 304", async () => {
    for (const value of [etag, `W/${etag}`, `"zzz", ${etag}`, "*"]) {
      const res = await get({ "If-None-Match": value });
      expect(res.status, value).toBe(304);
      expect(res.headers.get("ETag")).toBe(etag);
      expect(await res.text()).toBe("");
    }
    expect(await status({ "If-None-Match": '"zzz", W/"yyy"' })).toBe(200);
  });

  it("If-Match compares strongly: the tag or * serve; another tag or the weak form answer 412 problem+json", async () => {
    expect(await status({ "If-Match": etag })).toBe(200);
    expect(await status({ "If-Match": "*" })).toBe(200);
    for (const value of ['"other"', `W/${etag}`]) {
      const res = await get({ "If-Match": value });
      expect(res.status, value).toBe(412);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
      expect(await res.json()).toMatchObject({ status: 412, code: "precondition_failed" });
    }
  });

  it("If-Modified-Since: 304 when not modified since, 200 when modified after; ignored when If-None-Match is sent", async () => {
    expect(await status({ "If-Modified-Since": httpDate(uploaded + 60_000) })).toBe(304);
    expect(await status({ "If-Modified-Since": httpDate(uploaded) })).toBe(304);
    expect(await status({ "If-Modified-Since": httpDate(uploaded - 60_000) })).toBe(200);
    expect(await status({ "If-None-Match": '"other"', "If-Modified-Since": httpDate(uploaded + 60_000) })).toBe(200);
  });

  it("If-Unmodified-Since: 412 when modified after the date, 200 otherwise; If-Match takes precedence", async () => {
    expect(await status({ "If-Unmodified-Since": httpDate(uploaded - 60_000) })).toBe(412);
    expect(await status({ "If-Unmodified-Since": httpDate(uploaded + 60_000) })).toBe(200);
    expect(await status({ "If-Match": etag, "If-Unmodified-Since": httpDate(uploaded - 60_000) })).toBe(200);
  });

  it("accepts the obsolete RFC 850 and asctime date forms", async () => {
    const d = new Date(uploaded + 86_400_000);
    const days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    const [, dd, mon, yyyy, time] = d.toUTCString().split(" ");
    const rfc850 = `${days[d.getUTCDay()]}, ${dd}-${mon}-${yyyy!.slice(2)} ${time} GMT`;
    const asctime = `${days[d.getUTCDay()]!.slice(0, 3)} ${mon} ${String(d.getUTCDate()).padStart(2, " ")} ${time} ${yyyy}`;
    expect(await status({ "If-Modified-Since": rfc850 })).toBe(304);
    expect(await status({ "If-Modified-Since": asctime })).toBe(304);
  });

  it("If-Range: the current strong tag or exact date keeps the range; another tag, a weak tag, an invalid value serve the whole object", async () => {
    for (const value of [etag, httpDate(uploaded)]) {
      const res = await get({ Range: "bytes=0-9", "If-Range": value });
      expect(res.status, value).toBe(206);
      expect(sameBytes(new Uint8Array(await res.arrayBuffer()), BYTES.slice(0, 10))).toBe(true);
    }
    for (const value of ['"other"', `W/${etag}`, httpDate(uploaded - 1000), "garbage"]) {
      const res = await get({ Range: "bytes=0-9", "If-Range": value });
      expect(res.status, value).toBe(200);
      expect(sameBytes(new Uint8Array(await res.arrayBuffer()), BYTES)).toBe(true);
    }
  });

  it("conditions come before an unsatisfiable range: 304 / 412 first, and a failed If-Range serves the whole object", async () => {
    expect(await status({ Range: "bytes=9999-", "If-None-Match": etag })).toBe(304);
    expect(await status({ Range: "bytes=9999-", "If-Match": '"other"' })).toBe(412);
    expect(await status({ Range: "bytes=9999-", "If-Range": '"other"' })).toBe(200);
    expect(await status({ Range: "bytes=9999-" })).toBe(416);
  });

  it("HEAD answers the same statuses without a body", async () => {
    const res = await get({ "If-None-Match": etag }, "HEAD");
    expect(res.status).toBe(304);
    const failed = await get({ "If-Match": '"other"' }, "HEAD");
    expect(failed.status).toBe(412);
    expect(await failed.text()).toBe("");
  });
});

describe("parsers", () => {
  it("entity-tag lists keep valid members, including quoted commas, and drop the rest", () => {
    expect(parseTagList('"a,b", W/"c", junk, "d')).toEqual([
      { weak: false, opaque: '"a,b"' },
      { weak: true, opaque: '"c"' },
    ]);
    expect(parseTagList("abc")).toBeUndefined();
    expect(parseTagList(" * ")).toBe("*");
  });

  it("HTTP dates: the three forms, nothing lenient", () => {
    const ms = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT")).toBe(ms);
    expect(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT")).toBe(ms);
    expect(parseHttpDate("Sun Nov  6 08:49:37 1994")).toBe(ms);
    for (const bad of [
      "1",
      "2026-01-01",
      "Sun, 06 Nov 1994 08:49:37 UTC",
      "Sun, 06 Nov 1994 25:49:37 GMT",
      "not a date",
    ])
      expect(parseHttpDate(bad), bad).toBeUndefined();
  });
});
