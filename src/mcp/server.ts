// The MCP server of one /mcp request: the SDK's low-level Server with tools/list and tools/call
// answered from the tool table. The low-level Server, not McpServer, because McpServer validates
// arguments itself and answers a failure with one line of text: here every failure is the API's
// problem (code, message, every offending field by path, the job spec's own rules included), and
// the JSON Schemas are exported from the HTTP API's zod schemas as they are.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool as ToolDefinition,
} from "@modelcontextprotocol/sdk/types.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { log } from "../lib/log.ts";
import { fieldErrors } from "../lib/validation.ts";
import { insufficientScope, type Scope } from "../schemas/scopes.ts";
import type { Api } from "./api.ts";
import { invalidArguments, ProblemError } from "./problem.ts";
import { jsonSchema, okResult, problemResult, type Tool, type ToolContext } from "./tool.ts";
import { BATCH_TOOLS } from "./tools/batches.ts";
import { JOB_TOOLS } from "./tools/jobs.ts";
import { LIFECYCLE_TOOLS } from "./tools/lifecycle.ts";
import { MODEL_TOOLS } from "./tools/models.ts";
import { PIPELINE_TOOLS } from "./tools/pipelines.ts";
import { QUOTE_TOOLS } from "./tools/quote.ts";

export const TOOLS: Tool[] = [
  ...MODEL_TOOLS,
  ...QUOTE_TOOLS,
  ...JOB_TOOLS,
  ...BATCH_TOOLS,
  ...PIPELINE_TOOLS,
  ...LIFECYCLE_TOOLS,
];

const INSTRUCTIONS = [
  "seedrun runs ByteDance Seedance (video) and Seedream (image) as durable jobs: a job keeps running, and its outputs stay stored, whatever happens to this connection.",
  "Flow: list_models → get_model_schema → quote → create_job (costs money; pass an idempotency_key) → wait_for_job with the nextAction arguments until nextAction is gone → the resource_link outputs.",
  "Never call create_job again to follow a job; a retry with the same idempotency_key returns the same job.",
].join(" ");

/** The tools/list entries, exported once: they depend on nothing but the schemas. */
let definitions: ToolDefinition[] | undefined;
function toolDefinitions(): ToolDefinition[] {
  definitions ??= TOOLS.map((tool) => ({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: jsonSchema(tool.input, "input"),
    outputSchema: jsonSchema(tool.output, "output"),
    annotations: tool.annotations,
  }));
  return definitions;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

async function callTool(tool: Tool, raw: unknown, ctx: ToolContext): Promise<CallToolResult> {
  const args = isObject(raw) ? raw : {};
  const errors = tool.check ? tool.check(args, ctx) : [];
  const parsed = tool.input.safeParse(args);
  if (errors.length > 0) throw invalidArguments(errors);
  if (!parsed.success) throw invalidArguments(fieldErrors(parsed.error.issues));
  return okResult(await tool.run(parsed.data, ctx));
}

export interface ServerOptions {
  api: Api;
  /** The caller's key's scopes: tools/list shows the tools they allow, tools/call refuses the others. */
  scopes: readonly Scope[];
  specContext: ToolContext["specContext"];
  requestId: string;
  /** tools/call messages whose `arguments` was not an object, by JSON-RPC id (incoming.ts took them out). */
  badArguments?: ReadonlyMap<string | number, string>;
}

export function buildServer(options: ServerOptions): Server {
  const server = new Server(
    { name: "seedrun", title: "seedrun: Seedance and Seedream as durable jobs", version: "0.1.0" },
    // the SDK's default validator (Ajv) compiles with new Function, which Workers forbid
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS, jsonSchemaValidator: new CfWorkerJsonSchemaValidator() },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: toolDefinitions().filter((_, i) => options.scopes.includes(TOOLS[i]!.scope)),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = TOOLS.find((t) => t.name === request.params.name);
    if (!tool)
      return problemResult({
        title: "Unknown tool",
        status: 404,
        detail: `There is no tool ${request.params.name}.`,
        code: "unknown_tool",
      });
    if (!options.scopes.includes(tool.scope)) {
      const e = insufficientScope(tool.scope, `the tool ${tool.name}`);
      return problemResult({
        type: `https://seedrun.dev/problems/${e.code}`,
        title: e.title,
        status: e.status,
        detail: e.detail,
        code: e.code,
        scope: tool.scope,
        requestId: options.requestId,
      });
    }
    const badArguments = options.badArguments?.get(extra.requestId);
    if (badArguments !== undefined)
      return problemResult({
        type: "https://seedrun.dev/problems/validation_failed",
        requestId: options.requestId,
        ...invalidArguments([{ path: "arguments", message: badArguments }]).problem,
      });
    const token = request.params._meta?.progressToken;
    let progress = 0;
    const ctx: ToolContext = {
      api: options.api,
      signal: extra.signal,
      specContext: options.specContext,
      async progress(message) {
        if (token === undefined || extra.signal.aborted) return;
        progress += 1;
        await extra.sendNotification({
          method: "notifications/progress",
          params: { progressToken: token, progress, message },
        });
      },
    };
    try {
      return await callTool(tool, request.params.arguments, ctx);
    } catch (err) {
      // the tools' own refusals carry the same type URI and request id as the API's problems
      if (err instanceof ProblemError)
        return problemResult({
          type: `https://seedrun.dev/problems/${err.problem.code}`,
          requestId: options.requestId,
          ...err.problem,
        });
      log("error", "mcp tool failed", {
        requestId: options.requestId,
        tool: tool.name,
        error: err instanceof Error ? err.message : String(err),
      });
      return problemResult({
        title: "Internal Server Error",
        status: 500,
        detail: "Something went wrong on our side; the request id helps us find it.",
        code: "internal_error",
        requestId: options.requestId,
      });
    }
  });
  return server;
}
