// /mcp: the remote MCP server (Streamable HTTP, stateless; src/mcp/), authenticated like /v1 with
// the same middleware. Documented here like every route; the JSON-RPC messages themselves are
// the MCP specification's, and the tools are listed by the server (tools/list).
import { createRoute } from "@hono/zod-openapi";
import { problem } from "../../lib/problems.ts";
import { isLoopbackHost } from "../../lib/url-policy.ts";
import type { AppFetch } from "../../mcp/api.ts";
import { handleMcp } from "../../mcp/handler.ts";
import { bearerAuth, requireConfig } from "../middleware.ts";
import { routeGroup } from "../openapi/hook.ts";
import { authProblems, problemExample, problemResponse, REQUEST_ID_HEADER, requires } from "../openapi/problems.ts";
import { specContext } from "../request.ts";

/**
 * The MCP spec's guard against DNS rebinding: a browser's Origin must be this worker's public
 * origin or a loopback one (a local client; lib/url-policy.ts's one definition, so not `[::1]`). A page elsewhere that had a local stack's name
 * rebound to 127.0.0.1 sends its own Origin and is refused. Clients outside browsers send none.
 */
function originAllowed(origin: string | undefined, publicBaseUrl: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    const url = new URL(origin);
    return (
      (publicBaseUrl !== undefined && url.origin === new URL(publicBaseUrl).origin) || isLoopbackHost(url.hostname)
    );
  } catch {
    return false;
  }
}

const ORIGIN_REFUSED = problem("origin_not_allowed");
const STATELESS = problem("method_not_allowed", { headers: { Allow: "POST" } });

const TAGS = ["MCP"];
const DESCRIPTION =
  "The remote MCP server (Streamable HTTP transport, stateless: no `Mcp-Session-Id`). Tools: `list_models`, `get_model_schema`, `quote`, `create_job`, `wait_for_job`, `get_job`, `list_jobs`, `cancel_job`, `create_batch`, `get_batch` (`tools/list` gives their schemas). Each tool acts as the caller's key, exactly as `/v1` does. Only `POST` is offered: `GET` and `DELETE` (and any other method) answer `405` with `Allow: POST`.";

const originProblem = {
  403: problemResponse("A browser Origin other than this worker's or a loopback one", {
    origin_not_allowed: problemExample("origin_not_allowed"),
  }),
};

/** What the SDK's transport answers a message it cannot take: a JSON-RPC error object, not a problem. */
const jsonRpcError = (description: string) => ({
  description: `${description} (a JSON-RPC error).`,
  headers: REQUEST_ID_HEADER,
  content: {
    "application/json": {
      schema: {
        type: "object" as const,
        properties: { jsonrpc: { type: "string" as const, const: "2.0" }, error: { type: "object" as const }, id: {} },
        required: ["jsonrpc", "error"],
      },
    },
  },
});

export const mcpRoute = createRoute({
  method: "post",
  path: "/mcp",
  operationId: "mcp",
  summary: "Send MCP messages (JSON-RPC 2.0)",
  description: `${DESCRIPTION} Send \`Accept: application/json, text/event-stream\`. A request is answered as a server-sent event stream: its progress notifications (when it has a \`progressToken\`), then its result.`,
  tags: TAGS,
  // any key may talk MCP; each tool needs its own scope (src/mcp/tools)
  ...requires("read"),
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: {
            type: "object",
            description: "A JSON-RPC 2.0 message, or an array of them, as the MCP specification defines.",
          },
          example: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "list_models", arguments: {} } },
        },
      },
    },
  },
  responses: {
    200: {
      description: "The answer to a request: an SSE stream of JSON-RPC messages.",
      headers: REQUEST_ID_HEADER,
      content: { "text/event-stream": { schema: { type: "string" as const } } },
    },
    202: { description: "Notifications or responses accepted; nothing to answer.", headers: REQUEST_ID_HEADER },
    400: jsonRpcError("Not a JSON-RPC message, or invalid JSON"),
    ...originProblem,
    406: jsonRpcError("`Accept` does not take both application/json and text/event-stream"),
    413: jsonRpcError("Body over 1 MB"),
    415: jsonRpcError("Body is not application/json"),
    ...authProblems,
  },
});

/** The routes, given the app's own fetch: each tool calls /v1 through it with the caller's key. */
export function mcpRoutes(appFetch: AppFetch) {
  const group = routeGroup();
  group.use("/mcp", bearerAuth(), requireConfig(), async (c, next) => {
    if (!originAllowed(c.req.header("Origin"), c.get("config").publicBaseUrl)) throw ORIGIN_REFUSED;
    await next();
  });
  return (
    group
      .openapi(mcpRoute, (c) =>
        handleMcp(c.req.raw, {
          fetch: appFetch,
          env: c.env,
          ctx: c.executionCtx,
          origin: new URL(c.req.url).origin,
          authorization: c.req.header("Authorization") ?? "",
          tenant: c.get("tenant"),
          scopes: c.get("caller").scopes,
          requestId: c.get("requestId"),
          specContext: specContext(c),
        }),
      )
      // GET (a stream for server messages) and DELETE (ending a session) are not operations of a
      // stateless server, so they are not in the document: they, and any other method, answer 405
      .all("/mcp", () => {
        throw STATELESS;
      })
  );
}
