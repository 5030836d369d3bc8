// The /v1 API as the MCP tools reach it: the worker's own app, called in-process with the
// caller's own Authorization header. A tool therefore gets exactly what an HTTP client gets —
// the same validation, idempotency, budgets, tenant isolation and problem+json errors — and no
// rule of /v1 has a second copy here. Only the wait for a job's next change goes to its Durable
// Object directly (the job client), so a wait can end at the second it is due.
import type { Context } from "hono";
import { jobApi } from "../jobs/job-client.ts";
import { type Problem, ProblemError } from "./problem.ts";

/** The app's fetch (Hono's `app.fetch`); passed in by the app that mounts /mcp, which this module cannot import. */
export type AppFetch = (request: Request, env: Env, ctx: Context["executionCtx"]) => Response | Promise<Response>;

export interface Api {
  /** Calls a /v1 route; answers its JSON body, or throws the route's problem as a ProblemError. */
  request<T>(
    method: "GET" | "POST" | "DELETE",
    path: string,
    init?: { json?: unknown; headers?: Record<string, string> },
  ): Promise<T>;
  /** Resolves once the job changed after `since` (ms), when it has ended, or after `timeoutMs`. */
  waitForChange(jobId: string, since: number, timeoutMs: number): Promise<void>;
}

export interface ApiOptions {
  fetch: AppFetch;
  env: Env;
  ctx: Context["executionCtx"];
  /** Origin of the /mcp request: job links and the jobs' own origin are the same as over /v1. */
  origin: string;
  authorization: string;
  tenant: string;
  requestId: string;
}

const isProblem = (body: unknown): body is Problem =>
  typeof body === "object" &&
  body !== null &&
  typeof (body as Problem).code === "string" &&
  typeof (body as Problem).detail === "string";

export function makeApi(options: ApiOptions): Api {
  const { fetch, env, ctx, origin, authorization, tenant, requestId } = options;
  return {
    async request<T>(
      method: "GET" | "POST" | "DELETE",
      path: string,
      init: { json?: unknown; headers?: Record<string, string> } = {},
    ): Promise<T> {
      const headers = new Headers(init.headers);
      headers.set("Authorization", authorization);
      // one request id across the /mcp call and the /v1 calls it makes, for the logs
      headers.set("X-Request-Id", requestId);
      if (init.json !== undefined) headers.set("Content-Type", "application/json");
      const body = init.json === undefined ? undefined : JSON.stringify(init.json);
      const response = await fetch(new Request(new URL(path, origin), { method, headers, body }), env, ctx);
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        parsed = undefined;
      }
      if (response.ok) return parsed as T;
      throw new ProblemError(
        isProblem(parsed)
          ? parsed
          : {
              title: "Error",
              status: response.status,
              detail: `The API answered HTTP ${response.status}.`,
              code: `http_${response.status}`,
            },
      );
    },
    async waitForChange(jobId, since, timeoutMs) {
      await jobApi(env, jobId).waitForChange(tenant, since, timeoutMs);
    },
  };
}
