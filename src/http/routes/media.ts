// GET/HEAD /media/{key}: stored outputs behind signed, expiring links (src/media/serve.ts checks
// the link and serves the bytes; its ApiErrors go to the app's single onError). The key holds slashes, which a `{key}` path template cannot match, so the handler is
// mounted with Hono's `:key{.+}` and its definition is registered for the document beside it.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { Hono } from "hono";
import { readSigningSecret } from "../../config.ts";
import type { ApiError } from "../../lib/problems.ts";
import { checkMediaLink, linksUnavailable, notFound, serveMedia } from "../../media/serve.ts";
import type { AppEnv } from "../context.ts";
import { EXAMPLE_JOB_ID } from "../openapi/params.ts";
import {
  problemBody,
  problemExample,
  problemResponse,
  REQUEST_ID_HEADER,
  unauthenticated,
} from "../openapi/problems.ts";

const mediaProblem = (e: ApiError) => problemResponse(e.title, { [e.code]: problemBody(e) });
const bytes = { "*/*": { schema: { type: "string" as const, contentMediaType: "application/octet-stream" } } };

export const getMediaRoute = createRoute({
  method: "get",
  path: "/media/{key}",
  operationId: "getMedia",
  summary: "Download a stored output",
  description:
    "Serves a job output from R2. Use `outputs[*].url` exactly as given: it is signed and expires, and needs no API key. `HEAD` is answered too. Supports `Range`, `ETag` and the conditional headers `If-None-Match`, `If-Match`, `If-Modified-Since`, `If-Unmodified-Since` and `If-Range` (RFC 9110; an invalid entity-tag or date is ignored).",
  tags: ["Media"],
  ...unauthenticated,
  request: {
    params: z.object({
      key: z.string().openapi({
        param: {
          description: "Object key; contains `/` (e.g. `jobs/{id}/0.png`).",
          example: `jobs/${EXAMPLE_JOB_ID}/0.png`,
        },
      }),
    }),
    query: z.object({
      expires: z
        .string()
        .regex(/^\d{1,15}$/)
        .openapi({ param: { description: "Expiry, Unix seconds.", example: "1795860000" } }),
      sig: z.string().openapi({
        param: {
          description: "base64url HMAC-SHA256 of the key and expiry.",
          example: "Q2hhbmdlIG1lOiB0aGlzIGlzIGFuIGV4YW1wbGUgc2ln",
        },
      }),
    }),
    headers: z.object({
      Range: z
        .string()
        .optional()
        .openapi({ param: { description: "One byte range, e.g. `bytes=0-1023`.", example: "bytes=0-1023" } }),
      "If-None-Match": z
        .string()
        .optional()
        .openapi({ param: { description: "A stored `ETag`; answered `304` when it still matches." } }),
    }),
  },
  responses: {
    200: {
      description: "The whole object, with its stored `Content-Type`, `ETag` and `Accept-Ranges: bytes`.",
      headers: REQUEST_ID_HEADER,
      content: bytes,
    },
    206: {
      description: "The requested range.",
      headers: {
        ...REQUEST_ID_HEADER,
        "Content-Range": { description: "e.g. `bytes 0-1023/2483121`", schema: { type: "string" } },
      },
      content: bytes,
    },
    304: {
      description: "Not modified (`If-None-Match` matched, or not modified since `If-Modified-Since`).",
      headers: REQUEST_ID_HEADER,
    },
    403: problemResponse("Forbidden", { invalid_signature: problemExample("invalid_signature") }),
    404: mediaProblem(notFound()),
    410: problemResponse("Gone", { link_expired: problemExample("link_expired") }),
    412: problemResponse("Precondition Failed", { precondition_failed: problemExample("precondition_failed") }),
    416: { description: "Range not satisfiable; `Content-Range: bytes */{size}`.", headers: REQUEST_ID_HEADER },
    503: mediaProblem(linksUnavailable()),
  },
});

/** What the media route reads from the worker's bindings. */
export interface MediaEnv {
  MEDIA: R2Bucket;
  /** Listed so `mediaRoutes((env) => readSigningSecret(env))` type-checks; read only through getSecret. */
  SIGNING_SECRET?: string;
}

/** The /media sub-app; `getSecret` answers the signing secret, or undefined while it is unusable. */
export function mediaRoutes(getSecret: (env: MediaEnv) => string | undefined): Hono<{ Bindings: MediaEnv }> {
  // Hono answers HEAD with this GET handler and drops the body; c.req.method is still "HEAD".
  return new Hono<{ Bindings: MediaEnv }>().get("/:key{.+}", async (c) => {
    const key = c.req.param("key");
    const maxAge = await checkMediaLink(
      getSecret(c.env),
      key,
      c.req.query("expires") ?? null,
      c.req.query("sig") ?? null,
    );
    return serveMedia({ bucket: c.env.MEDIA, method: c.req.method, headers: c.req.raw.headers }, key, maxAge);
  });
}

/** Mounts the media handler and documents it; the handler checks the link itself (403/410 before any R2 read). */
export function mountMedia(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerPath(getMediaRoute);
  app.route(
    "/media",
    mediaRoutes((env) => readSigningSecret(env)),
  );
}
