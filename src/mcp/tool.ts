// What an MCP tool is here: zod schemas for its arguments and its structured result (exported to
// JSON Schema for tools/list), honest annotations, and a run function. Failures are problems
// (the same problem+json the HTTP API answers), shown to the agent as `isError` results.
import type { CallToolResult, ContentBlock, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { FieldError } from "../lib/problems.ts";
import type { Scope } from "../schemas/scopes.ts";
import type { Api } from "./api.ts";
import type { Problem } from "./problem.ts";

export interface ToolContext {
  api: Api;
  /** Aborted when the client goes away or cancels the call. */
  signal: AbortSignal;
  /** Sends notifications/progress when the client asked for them (a progressToken); else does nothing. */
  progress(message: string): Promise<void>;
  /** Loopback URLs allowed, webhooks enabled: what the job spec's checks depend on. */
  specContext: { allowLoopbackHttp: boolean; webhooksEnabled: boolean };
}

export interface ToolOutput<T> {
  structured: T;
  /** Content besides the JSON text of `structured`: resource links to stored media. */
  links?: ContentBlock[];
}

export interface Tool<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  /** The scope the caller's key needs, as the /v1 route the tool calls would ask (src/schemas/scopes.ts). */
  scope: Scope;
  /**
   * Checks the raw arguments and names every offending field; by default the input schema alone.
   * Tools that take a job spec add the spec's own rules (per-model params), so one answer lists all.
   */
  check?(raw: Record<string, unknown>, ctx: ToolContext): FieldError[];
  run(args: z.output<I>, ctx: ToolContext): Promise<ToolOutput<z.output<O>>>;
}

/** Keeps each tool's argument and result types tied to its schemas. */
export function defineTool<I extends z.ZodType, O extends z.ZodType>(tool: Tool<I, O>): Tool {
  return tool as unknown as Tool;
}

export function okResult(output: ToolOutput<unknown>): CallToolResult {
  // the JSON text too, for clients that show content but not structuredContent
  return {
    content: [{ type: "text", text: JSON.stringify(output.structured) }, ...(output.links ?? [])],
    structuredContent: output.structured as Record<string, unknown>,
  };
}

/** An isError result: the problem's code and message first, then every field, then the problem as JSON. */
export function problemResult(problem: Problem): CallToolResult {
  const fields = (problem.errors ?? []).map((e) => `- ${e.path}: ${e.message}`);
  const summary = [`${problem.code}: ${problem.detail}`, ...fields].join("\n");
  return {
    isError: true,
    content: [
      { type: "text", text: summary },
      { type: "text", text: JSON.stringify(problem) },
    ],
  };
}

type Json = Record<string, unknown>;

const ANNOTATIONS = new Set(["title", "description", "default", "examples"]);

/**
 * The same schema in the spelling every client takes: agents hand tool schemas to models whose
 * function-calling dialects (Gemini's OpenAPI subset, say) want one `type` per schema and a
 * boolean for "any further property". So `type: [a, b]` becomes `anyOf` with one type each, and
 * `additionalProperties: {}` becomes `true`; what the schema accepts does not change.
 */
function portable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(portable);
  if (typeof node !== "object" || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    const empty =
      typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
    out[key] =
      key === "additionalProperties" && empty
        ? true
        : key === "properties" || key === "$defs"
          ? mapValues(value as Json)
          : portable(value);
  }
  if (!Array.isArray(out.type) || out.anyOf !== undefined || out.oneOf !== undefined) return out;
  const { type, ...rest } = out;
  const notes = Object.fromEntries(Object.entries(rest).filter(([k]) => ANNOTATIONS.has(k)));
  const checks = Object.fromEntries(Object.entries(rest).filter(([k]) => !ANNOTATIONS.has(k)));
  return { ...notes, anyOf: (type as string[]).map((t) => ({ ...checks, type: t })) };
}

/** A `properties` map: its keys are field names, not keywords. */
const mapValues = (props: Json): Json => Object.fromEntries(Object.entries(props).map(([k, v]) => [k, portable(v)]));

/**
 * The HTTP schemas carry component ids (`Job`, `JobList`) for the OpenAPI document, which zod
 * exports as `$ref`s into `$defs`. A tool schema stands alone and must say `type: "object"` at its
 * root, so each reference is replaced by what it names (none of these schemas refers to itself).
 */
function inline(node: unknown, defs: Json): unknown {
  if (Array.isArray(node)) return node.map((n) => inline(n, defs));
  if (typeof node !== "object" || node === null) return node;
  const { $ref, ...rest } = node as Json;
  const out: Json = {};
  if (typeof $ref === "string" && $ref.startsWith("#/$defs/"))
    Object.assign(out, inline(defs[$ref.slice("#/$defs/".length)], defs));
  for (const [key, value] of Object.entries(rest)) out[key] = inline(value, defs);
  return out;
}

/** JSON Schema of a tool's arguments (as clients may send them) or of its result (as sent). */
export function jsonSchema(schema: z.ZodType, io: "input" | "output"): Json & { type: "object" } {
  const { $schema: _, $defs, id: _id, ...json } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
  return portable(inline(json, ($defs ?? {}) as Json)) as Json & { type: "object" };
}
