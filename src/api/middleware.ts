// Request id, access log, configuration check and bearer auth, each a named middleware factory.
import type { MiddlewareHandler } from "hono";
import { readConfig } from "../config.ts";
import { ApiError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { randomId, sha256Hex, timingSafeEqualText } from "../lib/crypto.ts";
import type { AppEnv } from "./context.ts";

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const incoming = c.req.header("X-Request-Id");
    const id = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomId("req", 16);
    c.set("requestId", id);
    const started = Date.now();
    await next();
    c.res.headers.set("X-Request-Id", id);
    // the path only (query strings carry media signatures), callback tokens masked
    const path = c.req.path.replace(/^(\/callbacks\/wiro\/[^/]+\/)[^/]+/, "$1…");
    log("info", "request", { requestId: id, method: c.req.method, path, status: c.res.status, ms: Date.now() - started });
  };
}

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

export function bearerAuth(): MiddlewareHandler<AppEnv> {
  return async function bearerAuthMiddleware(c, next) {
    const header = c.req.header("Authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const presented = match?.[1];
    // compare against every key so the time taken does not reveal which one matched
    let matched: string | undefined;
    for (const key of c.get("config").apiKeys) if (presented && timingSafeEqualText(presented, key)) matched = key;
    if (!matched)
      throw new ApiError(401, "unauthorized", "Unauthorized", "Send Authorization: Bearer <API key> with a valid key.", undefined, {
        "WWW-Authenticate": 'Bearer realm="seedrun"',
      });
    c.set("tenant", (await sha256Hex(`tenant:${matched}`)).slice(0, 32));
    await next();
  };
}
