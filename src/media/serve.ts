// Serves media from R2 behind signed, expiring links (GET/HEAD /media/<key>, mounted by
// src/http/routes/media.ts), with Range, ETag and conditional requests. Errors are thrown as
// ApiErrors, answered as problem+json by the app's single onError.

import { log } from "../lib/log.ts";
import { type ApiError, problem } from "../lib/problems.ts";
import { parseRange, servedRange } from "./byte-range.ts";
import { type Conditions, evaluatePreconditions, parseConditions, rangeStillApplies } from "./conditionals.ts";
import { verifyMediaLink } from "./links.ts";

/** What serving one media request needs: the bucket and the request's method and headers. */
export interface MediaRequest {
  bucket: R2Bucket;
  method: string;
  headers: Headers;
}

// Media can be opened directly in a tab; an SVG or mislabelled file must not run script on our origin.
const SAFETY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Content-Security-Policy": "default-src 'none'; sandbox",
};

/**
 * Checks a media link; throws the 503/403/410 ApiError when it cannot be served, else answers how
 * many seconds it stays valid. Without a usable SIGNING_SECRET (`secret` undefined) no link can be
 * checked; a viewer is not authenticated, so the setting is named in the log only (issue 11).
 */
export async function checkMediaLink(
  secret: string | undefined,
  key: string,
  expires: string | null,
  sig: string | null,
): Promise<number> {
  if (!secret) {
    log("error", "media route: SIGNING_SECRET is missing or invalid; see GET /healthz");
    throw linksUnavailable();
  }
  const now = Math.floor(Date.now() / 1000);
  const check = await verifyMediaLink(secret, key, expires, sig, now);
  if (check === "invalid") throw problem("invalid_signature", { headers: NO_STORE });
  if (check === "expired") throw problem("link_expired", { headers: NO_STORE });
  return Number(expires) - now;
}

/** Answers GET/HEAD of the object under `key` (Range, ETag, RFC 9110 conditionals); errors are thrown as ApiErrors. */
export async function serveMedia(c: MediaRequest, key: string, maxAge: number): Promise<Response> {
  const headers = c.headers;
  // R2 is asked for bytes only; the conditions are ours to evaluate (R2 throws on malformed ones)
  const conditions = parseConditions(headers);
  let range = parseRange(headers.get("Range"));
  if (isConditional(conditions, range)) {
    // metadata first, so a 304 or 412 never opens the body
    const head = await c.bucket.head(key);
    if (head === null) throw notFound();
    const early = decide(conditions, head, range);
    if (early.status !== undefined) return failedCondition(early.status, head, maxAge);
    range = early.range;
  }
  let object: R2ObjectBody | null;
  try {
    object = await c.bucket.get(key, range !== null ? { range } : {});
  } catch (err) {
    if (!isUnsatisfiableRange(err)) throw err;
    return unsatisfiable(c, key, maxAge, conditions);
  }
  if (object === null) throw notFound();
  // decided again on what was read, in case the object was replaced since its metadata was read
  const late = decide(conditions, object, range);
  if (late.status !== undefined || late.range !== range) object.body.cancel().catch(() => undefined);
  if (late.status !== undefined) return failedCondition(late.status, object, maxAge);
  if (late.range !== range) {
    object = await c.bucket.get(key);
    if (object === null) throw notFound();
  }
  return send(c, object, late.range, maxAge);
}

// If-Range means nothing without a Range
const isConditional = ({ ifRange, ...rest }: Conditions, range: R2Range | null) =>
  Object.values(rest).some((v) => v !== undefined) || (ifRange !== undefined && range !== null);

/** A failed precondition's status, else the range to serve (dropped when If-Range names another version). */
function decide(
  conditions: Conditions,
  object: R2Object,
  range: R2Range | null,
): { status?: 304 | 412; range: R2Range | null } {
  const verdict = evaluatePreconditions(conditions, validators(object));
  if (verdict !== "proceed") return { status: verdict, range };
  return { range: range !== null && rangeStillApplies(conditions, validators(object)) ? range : null };
}

function send(c: MediaRequest, object: R2ObjectBody, range: R2Range | null, maxAge: number): Response {
  const out = objectHeaders(object, maxAge);
  let status = 200;
  out.set("Content-Length", String(object.size));
  if (range !== null) {
    const served = servedRange(object.range ?? range, object.size);
    status = 206;
    out.set("Content-Length", String(served.length));
    out.set("Content-Range", `bytes ${served.offset}-${served.offset + served.length - 1}/${object.size}`);
  }
  if (c.method === "HEAD") {
    object.body.cancel().catch(() => undefined);
    return new Response(null, { status, headers: out });
  }
  return new Response(object.body, { status, headers: out });
}

// R2 throws rather than answering when the range starts past the end (error 10039).
async function unsatisfiable(c: MediaRequest, key: string, maxAge: number, conditions: Conditions): Promise<Response> {
  const object = await c.bucket.head(key);
  if (object === null) throw notFound();
  // Conditions come before Range (RFC 9110 13.2.2): a cached copy that is still current gets 304.
  const verdict = evaluatePreconditions(conditions, validators(object));
  if (verdict !== "proceed") return failedCondition(verdict, object, maxAge);
  if (!rangeStillApplies(conditions, validators(object))) {
    const whole = await c.bucket.get(key);
    if (whole === null) throw notFound();
    return send(c, whole, null, maxAge);
  }
  const out = objectHeaders(object, maxAge);
  out.set("Content-Range", `bytes */${object.size}`);
  out.set("Content-Type", "text/plain");
  return new Response(null, { status: 416, headers: out });
}

const validators = (object: R2Object) => ({ etag: object.httpEtag, lastModified: object.uploaded });

function failedCondition(verdict: 304 | 412, object: R2Object, maxAge: number): Response {
  if (verdict === 304) return new Response(null, { status: 304, headers: objectHeaders(object, maxAge) });
  throw problem("precondition_failed", { headers: { ...NO_STORE, ETag: object.httpEtag } });
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

function isUnsatisfiableRange(err: unknown): boolean {
  return err instanceof Error && /10039|not satisfiable/i.test(err.message);
}

const NO_STORE = { "Cache-Control": "no-store" };

/** What /media answers (also the route's documented examples, src/http/routes/media.ts). */
export function notFound(): ApiError {
  return problem("not_found", { detail: "No media is stored under this link.", headers: NO_STORE });
}
export function linksUnavailable(): ApiError {
  // the API's own configuration_error is a 500; here only the links are down
  return problem("configuration_error", {
    status: 503,
    title: "Service Unavailable",
    detail: "Media links are not available.",
    headers: NO_STORE,
  });
}
