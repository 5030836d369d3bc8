// One /mcp request, answered by a server of its own: stateless, since all state lives in the
// jobs' Durable Objects, so any worker instance answers any request. The HTTP route
// (src/http/routes/mcp.ts) has authenticated the caller; every tool acts as that caller.
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { type ApiOptions, makeApi } from "./api.ts";
import { readIncoming } from "./incoming.ts";
import { buildServer, type ServerOptions } from "./server.ts";

/** As /v1: JSON bodies over 1 MB are refused (the transport answers 413). */
const MAX_BODY_BYTES = 1024 * 1024;

export type McpOptions = ApiOptions & Pick<ServerOptions, "specContext" | "scopes">;

export async function handleMcp(request: Request, options: McpOptions): Promise<Response> {
  // the batch cap and the non-object arguments are handled before the SDK sees the messages (incoming.ts)
  const incoming = await readIncoming(request, MAX_BODY_BYTES);
  if (incoming.kind === "answer") return incoming.response;
  const server = buildServer({
    api: makeApi(options),
    specContext: options.specContext,
    scopes: options.scopes,
    requestId: options.requestId,
    badArguments: incoming.badArguments,
  });
  // no session id: stateless
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    maxRequestBodySize: MAX_BODY_BYTES,
  });
  await server.connect(transport);
  return transport.handleRequest(
    incoming.request,
    incoming.parsedBody === undefined ? undefined : { parsedBody: incoming.parsedBody },
  );
}
