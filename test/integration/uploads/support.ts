// Shared by the test/integration/uploads/ files: sample media, multipart bodies (built by FormData
// or streamed by hand), and two ways of calling POST /v1/uploads: the sub-app behind the real
// middleware, and the worker entry.
import { createExecutionContext, env } from "cloudflare:test";
import { Hono } from "hono";
import { expect } from "vitest";
import type { AppEnv } from "../../../src/http/context.ts";
import { bearerAuth, requestId, requireConfig } from "../../../src/http/middleware.ts";
import { uploadRoutes } from "../../../src/http/routes/uploads/uploads.ts";
import { problemResponse } from "../../../src/lib/errors.ts";
import { ApiError, problem as apiProblem } from "../../../src/lib/problems.ts";
import { TEST_BINDINGS } from "../../support/bindings.ts";
import { api, BASE, KEY_A } from "../../support/harness.ts";

export const WESHOP_KEY = TEST_BINDINGS.WESHOP_API_KEY;
export const MiB = 1024 * 1024;

/** A real 1×1 PNG. */
export const PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
  (ch) => ch.charCodeAt(0),
);
export const JPEG_HEAD = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
export const WEBP_HEAD = new TextEncoder().encode("RIFF\x24\x00\x00\x00WEBPVP8 ");

/** `size` bytes that start like a PNG (enough for the magic-byte check; WeShop's sniffing agrees). */
export function pngOfSize(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set(PNG.subarray(0, Math.min(PNG.length, size)));
  return bytes;
}

export function form(fields: [string, string | File][]): FormData {
  const f = new FormData();
  for (const [name, value] of fields) f.append(name, value);
  return f;
}
export const file = (bytes: Uint8Array, name: string, type = "image/png") => new File([bytes], name, { type });

export type Problem = {
  status: number;
  code: string;
  title: string;
  detail: string;
  requestId: string;
  errors?: { path: string; message: string }[];
};
export async function problem(res: Response): Promise<Problem> {
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  const text = await res.text();
  expect(text).not.toContain(WESHOP_KEY);
  return JSON.parse(text) as Problem;
}

export type CallInit = { body?: BodyInit; key?: string | null; headers?: Record<string, string> };
export type Call = (path: string, init?: CallInit) => Promise<Response>;

/** The routes as the lead mounts them: request id, config, bearer auth, problem+json errors. */
export function subApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", requestId());
  app.use("/v1/*", requireConfig(), bearerAuth());
  app.route("/", uploadRoutes);
  app.notFound((c) => problemResponse(c, apiProblem("not_found")));
  app.onError((err, c) => {
    if (err instanceof ApiError) return problemResponse(c, err);
    return problemResponse(
      c,
      apiProblem("internal_error", { detail: err instanceof Error ? err.message : String(err) }),
    );
  });
  return app;
}

export function requestFor(path: string, init: CallInit = {}): Request {
  const headers = new Headers(init.headers);
  if (init.key !== null) headers.set("Authorization", `Bearer ${init.key ?? KEY_A}`);
  const body = init.body;
  return new Request(`${BASE}${path}`, {
    method: "POST",
    headers,
    body,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

export const viaSubApp =
  (bindings: Record<string, unknown> = env as unknown as Record<string, unknown>): Call =>
  async (path, init) =>
    subApp().fetch(requestFor(path, init), bindings, createExecutionContext());
export const viaWorker: Call = (path, init = {}) => api(path, { method: "POST", ...init });

/** A hand-written multipart body with one `image` part of `size` bytes, produced lazily in 64 KiB chunks. */
export function streamedUpload(size: number): {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  pulled: () => number;
} {
  const boundary = "seedrun-test-boundary";
  const enc = new TextEncoder();
  const head = enc.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
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
