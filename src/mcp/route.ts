// /mcp: a remote MCP server over Streamable HTTP, stateless — every POST gets its own server and
// transport, since all state lives in the jobs' Durable Objects. Authenticated like /v1 (the same
// middleware: bearer key, then the configuration check), and every tool acts as that key.
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Hono } from "hono";
import { ApiError } from "../lib/errors.ts";
import type { AppEnv } from "../http/context.ts";
import { bearerAuth, requireConfig } from "../http/middleware.ts";
import { makeApi, type AppFetch } from "./api.ts";
import { buildServer } from "./server.ts";

/** As /v1: JSON bodies over 1 MB are refused (the transport answers 413). */
const MAX_BODY_BYTES = 1024 * 1024;

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The MCP spec's guard against DNS rebinding: a browser's Origin must be this worker's public
 * origin or a loopback one (a local client). A page elsewhere that had a local stack's name
 * rebound to 127.0.0.1 sends its own Origin and is refused. Clients outside browsers send none.
 */
function originAllowed(origin: string | undefined, publicBaseUrl: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    const url = new URL(origin);
    return (publicBaseUrl !== undefined && url.origin === new URL(publicBaseUrl).origin) || LOOPBACK.has(url.hostname);
  } catch {
    return false;
  }
}

export function mcpRoutes(appFetch: AppFetch): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .use("*", bearerAuth(), requireConfig(), async (c, next) => {
      if (!originAllowed(c.req.header("Origin"), c.get("config").publicBaseUrl))
        throw new ApiError(403, "origin_not_allowed", "Forbidden", "Requests from this Origin are refused (MCP's guard against DNS rebinding).");
      await next();
    })
    .post("/", async (c) => {
      const config = c.get("config");
      const api = makeApi({
        fetch: appFetch,
        env: c.env,
        ctx: c.executionCtx,
        origin: new URL(c.req.url).origin,
        authorization: c.req.header("Authorization") ?? "",
        tenant: c.get("tenant"),
        requestId: c.get("requestId"),
      });
      const server = buildServer({
        api,
        specContext: { allowLoopbackHttp: config.devMode, webhooksEnabled: config.webhookSecret !== undefined },
        requestId: c.get("requestId"),
      });
      // no session id: stateless, so any worker instance can answer any request
      const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, maxRequestBodySize: MAX_BODY_BYTES });
      await server.connect(transport);
      return transport.handleRequest(c.req.raw);
    })
    .on(["GET", "DELETE"], "/", () => {
      // stateless: no stream for server-initiated messages and no session to end (the spec's 405)
      throw new ApiError(405, "method_not_allowed", "Method Not Allowed", "This MCP server is stateless: send JSON-RPC messages with POST.", undefined, {
        Allow: "POST",
      });
    });
}
