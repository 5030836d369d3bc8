// Serves media from R2 behind signed, expiring links: GET/HEAD /media/<key>, with Range and ETag.
import { Hono, type Context } from "hono";
import { parseRange, servedRange } from "./byte-range.ts";
import { verifyMediaLink } from "./links.ts";

export interface MediaEnv {
  MEDIA: R2Bucket;
  /** Listed so `mediaRoutes((env) => env.SIGNING_SECRET)` type-checks; read only through getSecret. */
  SIGNING_SECRET?: string;
}

type MediaContext = Context<{ Bindings: MediaEnv }>;

// Media can be opened directly in a tab; an SVG or mislabelled file must not run script on our origin.
const SAFETY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Content-Security-Policy": "default-src 'none'; sandbox",
};

export function mediaRoutes(getSecret: (env: MediaEnv) => string | undefined): Hono<{ Bindings: MediaEnv }> {
  const app = new Hono<{ Bindings: MediaEnv }>();
  // Hono answers HEAD with this GET handler and drops the body; c.req.method is still "HEAD".
  app.get("/:key{.+}", async (c) => {
    const secret = getSecret(c.env);
    if (!secret) {
      return problem(c, 500, "configuration_error", "Configuration Error", "SIGNING_SECRET is not configured.");
    }
    const key = c.req.param("key");
    const now = Math.floor(Date.now() / 1000);
    const check = await verifyMediaLink(secret, key, c.req.query("expires") ?? null, c.req.query("sig") ?? null, now);
    if (check === "invalid") {
      return problem(c, 403, "invalid_signature", "Forbidden", "The media link signature is missing or invalid.");
    }
    if (check === "expired") return problem(c, 410, "link_expired", "Gone", "The media link has expired.");

    const maxAge = Number(c.req.query("expires")) - now;
    return serveObject(c, key, maxAge);
  });
  return app;
}

async function serveObject(c: MediaContext, key: string, maxAge: number): Promise<Response> {
  const headers = c.req.raw.headers;
  const range = parseRange(headers.get("Range"));
  let object: R2Object | R2ObjectBody | null;
  try {
    object = await c.env.MEDIA.get(key, { onlyIf: headers, ...(range !== null ? { range } : {}) });
  } catch (err) {
    if (!isUnsatisfiableRange(err)) throw err;
    return unsatisfiable(c, key, maxAge);
  }
  if (object === null) return notFound(c);

  const out = objectHeaders(object, maxAge);
  if (!("body" in object)) return new Response(null, { status: preconditionStatus(headers, object), headers: out });

  let status = 200;
  out.set("Content-Length", String(object.size));
  if (range !== null) {
    const served = servedRange(object.range ?? range, object.size);
    status = 206;
    out.set("Content-Length", String(served.length));
    out.set("Content-Range", `bytes ${served.offset}-${served.offset + served.length - 1}/${object.size}`);
  }
  if (c.req.method === "HEAD") {
    object.body.cancel().catch(() => undefined);
    return new Response(null, { status, headers: out });
  }
  return new Response(object.body, { status, headers: out });
}

// R2 throws rather than answering when the range starts past the end (error 10039).
async function unsatisfiable(c: MediaContext, key: string, maxAge: number): Promise<Response> {
  const object = await c.env.MEDIA.head(key);
  if (object === null) return notFound(c);
  const out = objectHeaders(object, maxAge);
  // Conditions come before Range (RFC 9110 13.2.2): a cached copy that is still current gets 304.
  if (etagListMatches(c.req.header("If-None-Match"), object.httpEtag)) return new Response(null, { status: 304, headers: out });
  out.set("Content-Range", `bytes */${object.size}`);
  out.set("Content-Type", "text/plain");
  return new Response(null, { status: 416, headers: out });
}

function objectHeaders(object: R2Object, maxAge: number): Headers {
  return new Headers({
    ...SAFETY_HEADERS,
    ETag: object.httpEtag,
    "Last-Modified": object.uploaded.toUTCString(),
    "Accept-Ranges": "bytes",
    "Content-Type": object.httpMetadata?.contentType ?? "application/octet-stream",
    // Never cache past the link's expiry, and only in the viewer's browser.
    "Cache-Control": `private, max-age=${Math.max(0, maxAge)}`,
  });
}

// R2 returns the object without a body when a condition failed; which one decides the status.
function preconditionStatus(headers: Headers, object: R2Object): 304 | 412 {
  const ifMatch = headers.get("If-Match");
  if (ifMatch !== null && !etagListMatches(ifMatch, object.httpEtag, true)) return 412;
  if (headers.has("If-None-Match") || headers.has("If-Modified-Since")) return 304;
  return 412;
}

function etagListMatches(header: string | null | undefined, httpEtag: string, strong = false): boolean {
  if (header === null || header === undefined) return false;
  return header.split(",").some((raw) => {
    const tag = raw.trim();
    if (tag === "*") return true;
    if (strong) return tag === httpEtag;
    return tag.replace(/^W\//, "") === httpEtag;
  });
}

function isUnsatisfiableRange(err: unknown): boolean {
  return err instanceof Error && /10039|not satisfiable/i.test(err.message);
}

function notFound(c: MediaContext): Response {
  return problem(c, 404, "not_found", "Not Found", "No media is stored under this link.");
}

function problem(c: MediaContext, status: 403 | 404 | 410 | 500, code: string, title: string, detail: string): Response {
  // mounted in the worker's app, the request id middleware has named this request
  const requestId = (c.var as Record<string, unknown>).requestId;
  const body = { type: "about:blank", title, status, detail, code, ...(typeof requestId === "string" ? { requestId } : {}) };
  return c.newResponse(JSON.stringify(body), status, {
    "Content-Type": "application/problem+json",
    "Cache-Control": "no-store",
  });
}
