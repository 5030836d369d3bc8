// Request id, access log, security headers, bearer auth and configuration check, each a named
// middleware factory.
import type { MiddlewareHandler } from "hono";
import { readConfig } from "../config.ts";
import { randomId } from "../lib/crypto.ts";
import { logger, subjectOf } from "../lib/log.ts";
import { problem } from "../lib/problems.ts";
import { authenticate } from "./auth.ts";
import type { AppEnv } from "./context.ts";

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const incoming = c.req.header("X-Request-Id");
    const id = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomId("req", 16);
    c.set("requestId", id);
    // every line about this request carries its id, and the job/batch/pipeline it names or created
    const requestLog = logger({ requestId: id, ...subjectOf(c.req.path) });
    c.set("log", requestLog);
    const started = Date.now();
    await next();
    c.res.headers.set("X-Request-Id", id);
    requestLog.bind(subjectOf(c.res.headers.get("Location")));
    // the path only (query strings carry media signatures), callback tokens masked
    const path = c.req.path.replace(/^(\/callbacks\/wiro\/[^/]+\/)[^/]+/, "$1…");
    requestLog.info("request", { method: c.req.method, path, status: c.res.status, ms: Date.now() - started });
  };
}

/** Headers every answer carries, errors included: no content sniffing of JSON or media. */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async function securityHeadersMiddleware(c, next) {
    await next();
    c.res.headers.set("X-Content-Type-Options", "nosniff");
  };
}

/** Runs after bearerAuth: only an authenticated client learns which settings are wrong. */
export function requireConfig(): MiddlewareHandler<AppEnv> {
  return async function requireConfigMiddleware(c, next) {
    const result = readConfig(c.env);
    if (!result.ok)
      throw problem("configuration_error", {
        detail: `The server configuration is invalid: ${result.problems.map((p) => `${p.name} (${p.message})`).join("; ")}.`,
      });
    c.set("config", result.config);
    await next();
  };
}

/**
 * The caller's key, its rate limit and the matched route's scope (auth.ts), before the rest of the
 * configuration, so an unauthenticated caller learns nothing about the settings.
 */
export function bearerAuth(): MiddlewareHandler<AppEnv> {
  return async function bearerAuthMiddleware(c, next) {
    await authenticate(c);
    await next();
  };
}
