// Request id, access log, security headers, bearer auth and configuration check, each a named
// middleware factory.
import type { MiddlewareHandler } from "hono";
import { readApiKeys, readConfig } from "../config.ts";
import { ApiError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { randomId, sha256Hex, timingSafeEqualText } from "../lib/crypto.ts";
import type { AppEnv } from "./context.ts";

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** Requests slower than this are logged whatever their status. */
const SLOW_REQUEST_MS = 1000;
/** Tenant ids by API key: a SHA-256 per request is work the same few keys need only once. */
const tenants = new Map<string, string>();

export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const incoming = c.req.header("X-Request-Id");
    const id = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomId("req", 16);
    c.set("requestId", id);
    const started = Date.now();
    await next();
    c.res.headers.set("X-Request-Id", id);
    // Only server errors and slow answers are logged: a JSON line per request was a large part of
    // a trivial request's cost, and the platform's own invocation logs already count every request.
    const ms = Date.now() - started;
    if (c.res.status < 500 && ms < SLOW_REQUEST_MS) return;
    // the path only (query strings carry media signatures), callback tokens masked
    const path = c.req.path.replace(/^(\/callbacks\/wiro\/[^/]+\/)[^/]+/, "$1…");
    log(c.res.status >= 500 ? "warn" : "info", "request", { requestId: id, method: c.req.method, path, status: c.res.status, ms });
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
      throw new ApiError(
        500,
        "configuration_error",
        "Server misconfigured",
        `The server configuration is invalid: ${result.problems.map((p) => `${p.name} (${p.message})`).join("; ")}.`,
      );
    c.set("config", result.config);
    await next();
  };
}

/**
 * Checks the key against API_KEYS alone, before the rest of the configuration, so an
 * unauthenticated caller learns nothing about the settings. Without a usable API_KEYS nobody
 * can be authenticated: the answer is a configuration error that names no setting.
 */
export function bearerAuth(): MiddlewareHandler<AppEnv> {
  return async function bearerAuthMiddleware(c, next) {
    const apiKeys = readApiKeys(c.env);
    if (!apiKeys)
      throw new ApiError(
        500,
        "configuration_error",
        "Server misconfigured",
        "The server configuration is invalid; its operator can see what is wrong at GET /healthz.",
      );
    const header = c.req.header("Authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const presented = match?.[1];
    // compare against every key so the time taken does not reveal which one matched
    let matched: string | undefined;
    for (const key of apiKeys) if (presented && timingSafeEqualText(presented, key)) matched = key;
    if (!matched)
      throw new ApiError(401, "unauthorized", "Unauthorized", "Send Authorization: Bearer <API key> with a valid key.", undefined, {
        "WWW-Authenticate": 'Bearer realm="seedrun"',
      });
    let tenant = tenants.get(matched);
    if (tenant === undefined) {
      tenant = (await sha256Hex(`tenant:${matched}`)).slice(0, 32);
      // bounded by the configured keys; a changed API_KEYS starts afresh
      if (tenants.size >= apiKeys.length * 2) tenants.clear();
      tenants.set(matched, tenant);
    }
    c.set("tenant", tenant);
    await next();
  };
}
