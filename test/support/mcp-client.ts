// The MCP side of the test harness: the official SDK's client with its transport's fetch pointed
// at the worker (the test network reaches nothing else), and readers for what tools answer.

import { exports } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { expect } from "vitest";
import { BASE, type Harness, KEY_A } from "./harness.ts";

export const SEEDREAM = { model: "weshop/seedream", params: { textDescription: "a lighthouse", batchCount: 2 } };
export const WIRO = { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle at dusk" } };

export type JobResult = {
  job: { id: string; status: string; outputs: { url: string | null; contentType: string | null }[] };
  nextAction?: { tool: string; arguments: { job_id: string } };
};

export interface McpSession {
  /** A connected client; `null` sends no Authorization header. */
  connect(key?: string | null): Promise<Client>;
  /** Calls a tool (the client checks structuredContent against the tool's outputSchema); jobs it shows are parked by the harness at the end. */
  call(
    client: Client,
    name: string,
    args: Record<string, unknown>,
    onprogress?: (p: Progress) => void,
  ): Promise<CallToolResult>;
  close(): Promise<void>;
}

export function mcpSession(h: Harness): McpSession {
  const clients: Client[] = [];
  return {
    async connect(key = KEY_A) {
      // the SDK's default validator (Ajv) compiles with new Function, which workerd forbids
      const client = new Client(
        { name: "seedrun-test", version: "1.0.0" },
        { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() },
      );
      const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
        requestInit: key === null ? {} : { headers: { Authorization: `Bearer ${key}` } },
        fetch: (input, init) => exports.default.fetch(new Request(input, init)),
      });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    async call(client, name, args, onprogress) {
      const result = (await client.callTool(
        { name, arguments: args },
        undefined,
        onprogress ? { onprogress } : {},
      )) as CallToolResult;
      const id = (result.structuredContent as JobResult | undefined)?.job?.id;
      if (id && !h.jobs.includes(id)) h.jobs.push(id);
      return result;
    },
    async close() {
      await Promise.all(clients.splice(0).map((c) => c.close()));
    },
  };
}

export function structured<T = JobResult>(result: CallToolResult): T {
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return result.structuredContent as T;
}

/** The problem an isError result carries (its last text block is the problem as JSON). */
export function problem(result: CallToolResult): {
  code: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
} {
  expect(result.isError).toBe(true);
  const texts = result.content.filter((c) => c.type === "text");
  return JSON.parse(texts.at(-1)!.text);
}
