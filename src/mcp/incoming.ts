// The body of one /mcp POST, read before the SDK's transport sees it, for two things the SDK
// does not do the way this server documents:
// - A JSON-RPC batch is capped at MAX_BATCH_MESSAGES. The SDK takes 100, and 100 `tools/list` in
//   a 5 KB body made a 6.1 MB answer; MCP 2025-06-18 dropped batches, so clients send one
//   message per request and a small cap costs none of them anything.
// - A `tools/call` whose `arguments` is not an object (an array, a string, null) would fail the
//   SDK's own request schema and come back as JSON-RPC -32603 with a raw zod dump. Such a message
//   goes on without `arguments`, its JSON-RPC id noted, and the tool handler answers it with the
//   same `isError` problem (validation_failed, `arguments`) as every other bad argument.
import { readRequestBody } from "@modelcontextprotocol/sdk/server/requestBody.js";

export const MAX_BATCH_MESSAGES = 10;

export type JsonRpcId = string | number;

export type Incoming =
  | { kind: "answer"; response: Response }
  /** `parsedBody` is undefined when the body is not JSON: the transport answers that itself. */
  | { kind: "messages"; request: Request; parsedBody?: unknown; badArguments: Map<JsonRpcId, string> };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The transport's own error shape (a JSON-RPC error with id null). */
function jsonRpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

function describe(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

/** A tools/call message with non-object `arguments`, without them; else the message as it was. */
function withoutBadArguments(message: unknown, bad: Map<JsonRpcId, string>): unknown {
  if (!isObject(message) || message.method !== "tools/call" || !isObject(message.params)) return message;
  const { arguments: args, ...params } = message.params;
  const id = message.id;
  if (args === undefined || isObject(args) || (typeof id !== "string" && typeof id !== "number")) return message;
  bad.set(id, `must be an object of named arguments, not ${describe(args)}`);
  return { ...message, params };
}

export async function readIncoming(request: Request, maxBytes: number): Promise<Incoming> {
  const badArguments = new Map<JsonRpcId, string>();
  // what the transport refuses before reading a body (wrong method, 406, 415) it still answers itself
  const accept = request.headers.get("Accept") ?? "";
  const json = (request.headers.get("Content-Type") ?? "").toLowerCase().includes("json");
  if (
    request.method !== "POST" ||
    !accept.includes("application/json") ||
    !accept.includes("text/event-stream") ||
    !json
  )
    return { kind: "messages", request, badArguments };
  const body = await readRequestBody(request, maxBytes);
  if (body.tooLarge)
    return {
      kind: "answer",
      response: jsonRpcError(413, -32000, `Payload Too Large: Request body must not exceed ${maxBytes} bytes`),
    };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.text);
  } catch {
    // the transport checks Accept and Content-Type first, then answers the parse error
    return {
      kind: "messages",
      request: new Request(request.url, { method: "POST", headers: request.headers, body: body.text }),
      badArguments,
    };
  }
  if (Array.isArray(parsed) && parsed.length > MAX_BATCH_MESSAGES)
    return {
      kind: "answer",
      response: jsonRpcError(
        400,
        -32600,
        `Invalid Request: a batch may hold at most ${MAX_BATCH_MESSAGES} messages; send one message per request (MCP 2025-06-18 has no batches)`,
      ),
    };
  const parsedBody = Array.isArray(parsed)
    ? parsed.map((m) => withoutBadArguments(m, badArguments))
    : withoutBadArguments(parsed, badArguments);
  return { kind: "messages", request, parsedBody, badArguments };
}
