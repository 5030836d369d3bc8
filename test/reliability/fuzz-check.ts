// The fuzz tests' judge: what every answer to a random input must look like (never a 5xx; a
// problem+json naming fields the client sent or the route knows), and the seed they all use.
import { expect } from "vitest";
import { api } from "../support/harness.ts";

export const SEED = 42;
export const JOB_FIELDS = ["model", "params", "webhookUrl", "webhookEvents", "metadata"];
export const BATCH_FIELDS = ["jobs", "webhookUrl"];
export const SCHEDULE_FIELDS = ["name", "cron", "timezone", "batch", "enabled"];
export const QUERY_FIELDS = ["status", "model", "batchId", "limit", "cursor"];

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: { path: string; message: string }[];
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
export const rootOf = (path: string) => path.split(/[.[]/)[0]!;

/**
 * The route's answer to one input: never 5xx; 2xx when `valid`; otherwise a problem+json whose
 * validation errors name fields — each path's first segment is a key the client sent or a field
 * the route knows (a missing required one). Returns the parsed body.
 */
export async function check(
  res: Response,
  input: { valid?: boolean; body?: unknown; fields?: string[] },
): Promise<Record<string, unknown>> {
  const text = await res.text();
  const where = `${res.status} for ${JSON.stringify(input.body)?.slice(0, 300)}: ${text.slice(0, 400)}`;
  expect(res.status, where).toBeLessThan(500);
  expect(res.headers.get("X-Request-Id"), where).toBeTruthy();
  if (input.valid) expect(res.status, where).toBeGreaterThanOrEqual(200);
  if (input.valid) expect(res.status, where).toBeLessThan(300);
  if (res.status < 400)
    return /json/.test(res.headers.get("Content-Type") ?? "") && text !== ""
      ? (JSON.parse(text) as Record<string, unknown>)
      : {};
  // a byte range past the end: no body to speak of, the size in Content-Range (RFC 9110 15.5.17)
  if (res.status === 416) {
    expect(res.headers.get("Content-Range"), where).toMatch(/^bytes \*\/\d+$/);
    return {};
  }
  expect(res.headers.get("Content-Type"), where).toBe("application/problem+json");
  const problem = JSON.parse(text) as Problem;
  expect(problem, where).toMatchObject({
    status: res.status,
    code: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  if (res.status === 400 && problem.code === "validation_failed") {
    expect(problem.errors?.length, where).toBeGreaterThan(0);
    for (const e of problem.errors!) {
      expect(e, where).toEqual({ path: expect.any(String), message: expect.any(String) });
      if (isPlainObject(input.body) && input.fields) {
        // the path starts with a field the client sent or one the route requires; a top-level key
        // that itself contains "." or "[" (or is "") is named as it was sent
        const keys = Object.keys(input.body);
        const named = keys.includes(e.path) || [...keys, ...input.fields, "Idempotency-Key"].includes(rootOf(e.path));
        expect(named, `${where}\npath ${JSON.stringify(e.path)} names no field`).toBe(true);
      }
    }
  }
  return problem as unknown as Record<string, unknown>;
}

export const post = (path: string, body: unknown, init: { method?: string; headers?: Record<string, string> } = {}) =>
  api(path, {
    method: init.method ?? "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "Content-Type": "application/json", ...init.headers },
  });

// ---- arbitraries -------------------------------------------------------------------------------
