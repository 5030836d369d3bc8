// /mcp as a protocol endpoint, with the official SDK's own client: auth and Origin like /v1, the
// stateless transport, the tools it lists with their schemas and annotations, the model tools,
// tenant isolation, and bad arguments named field by field.

import { exports } from "cloudflare:workers";
import { Validator } from "@cfworker/json-schema";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect } from "vitest";
import { batchJobId } from "../../src/batches/batch-object.ts";
import { it } from "../support/fixture.ts";
import { BASE, KEY_A, KEY_B } from "../support/harness.ts";
import { type McpSession, mcpSession, problem, SEEDREAM, structured } from "../support/mcp-client.ts";

const TOOL_NAMES = [
  "list_models",
  "get_model_schema",
  "quote",
  "create_job",
  "wait_for_job",
  "get_job",
  "list_jobs",
  "cancel_job",
  "create_batch",
  "get_batch",
  "create_pipeline",
  "get_pipeline",
  "delete_job",
];
let mcp: McpSession;
it.beforeEach(({ h }) => {
  mcp = mcpSession(h);
});
it.afterEach(async () => {
  await mcp.close();
});

describe("/mcp", () => {
  it("refuses a client without a valid key with 401, like /v1", async () => {
    await expect(mcp.connect(null)).rejects.toThrow(/401/);
    const res = await exports.default.fetch(
      new Request(`${BASE}/mcp`, {
        method: "POST",
        headers: {
          Authorization: "Bearer wrong",
          "Content-Type": "application/json",
          Accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      }),
    );
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toContain("Bearer");
  });

  it("refuses a browser Origin other than its own or a loopback one with 403 (MCP's guard against DNS rebinding)", async () => {
    const post = (origin: string) =>
      exports.default.fetch(
        new Request(`${BASE}/mcp`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${KEY_A}`,
            Origin: origin,
            "Content-Type": "application/json",
            Accept: "application/json, text/event-stream",
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
        }),
      );
    expect((await post("http://seedrun.attacker.example:8787")).status).toBe(403);
    expect((await post(BASE)).status).toBe(200);
    expect((await post("http://localhost:6274")).status).toBe(200);
    // [::1] is no loopback name anywhere in seedrun (lib/url-policy.ts), here neither
    expect((await post("http://[::1]:6274")).status).toBe(403);
  });

  it("is stateless (GET and DELETE are 405) and refuses bodies over 1 MB with 413, like /v1", async () => {
    const headers = { Authorization: `Bearer ${KEY_A}`, Accept: "application/json, text/event-stream" };
    for (const method of ["GET", "DELETE"]) {
      const res = await exports.default.fetch(new Request(`${BASE}/mcp`, { method, headers }));
      expect(res.status).toBe(405);
      expect(res.headers.get("Allow")).toBe("POST");
    }
    const big = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/list",
      params: { _meta: { pad: "x".repeat(1024 * 1024) } },
    });
    const res = await exports.default.fetch(
      new Request(`${BASE}/mcp`, {
        method: "POST",
        headers: { ...headers, "Content-Type": "application/json" },
        body: big,
      }),
    );
    expect(res.status).toBe(413);
  });

  it("lists the contract's tools, each with object schemas its own checks agree with and honest annotations", async () => {
    const client = await mcp.connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort());
    const byName = new Map<string, Tool>(tools.map((t) => [t.name, t]));
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe("object");
      expect(tool.outputSchema?.type).toBe("object");
      expect(tool.description?.length).toBeGreaterThan(40);
      // one type per schema and boolean additionalProperties: what function-calling dialects such as Gemini's take
      const text = JSON.stringify([tool.inputSchema, tool.outputSchema]);
      expect(text).not.toMatch(/"type":\[/);
      expect(text).not.toContain('"additionalProperties":{}');
      // each stands alone: no references into the OpenAPI document's components
      expect(text).not.toContain('"$ref"');
    }
    const accepts = (name: string, args: unknown) =>
      new Validator(byName.get(name)!.inputSchema as object, "2020-12", false).validate(args).valid;
    expect(accepts("create_job", { ...SEEDREAM, idempotency_key: "k-1", wait_seconds: 5 })).toBe(true);
    expect(accepts("create_job", { ...SEEDREAM, wait_seconds: 46 })).toBe(false);
    expect(accepts("create_job", { ...SEEDREAM, model: "weshop/nope" })).toBe(false);
    expect(accepts("wait_for_job", { job_id: "job_abc" })).toBe(false);
    expect(accepts("wait_for_job", { job_id: "job_0123456789abcdefghij" })).toBe(true);

    // the tools that spend money say so, and the read-only ones are marked read-only
    for (const name of ["create_job", "create_batch"]) {
      expect(byName.get(name)!.annotations).toMatchObject({
        readOnlyHint: false,
        destructiveHint: false,
        openWorldHint: true,
      });
      expect(byName.get(name)!.description).toMatch(/COSTS MONEY/);
    }
    for (const name of ["list_models", "get_model_schema", "wait_for_job", "get_job", "list_jobs", "get_batch"])
      expect(byName.get(name)!.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.get("cancel_job")!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get("create_job")!.description).toMatch(/wait_for_job/);
  });

  it("lists the models and gives each model's params schema, the one /openapi.json publishes", async () => {
    const client = await mcp.connect();
    const { models } = structured<{ models: { id: string; variants: string[] }[] }>(
      await mcp.call(client, "list_models", {}),
    );
    expect(models.map((m) => m.id)).toContain("weshop/seedance-25");
    expect(models.find((m) => m.id === "weshop/seedance")!.variants).toContain("Seedance_20");
    const doc = (await (await exports.default.fetch(new Request(`${BASE}/openapi.json`))).json()) as {
      components: { schemas: Record<string, unknown> };
    };
    const { schema, description } = structured<{ schema: Record<string, unknown>; description: string }>(
      await mcp.call(client, "get_model_schema", { model: "weshop/seedance" }),
    );
    expect(schema).toEqual(doc.components.schemas["Params.weshop.seedance"]);
    // defaults and the rules between fields, in words
    expect(description).toMatch(/default:? "4s"/i);
    expect(description).toMatch(/lastFrame needs firstFrame/);
    const validate = new Validator(schema as object, "2020-12", false);
    expect(validate.validate({ textDescription: "a fox", duration: "5s" }).valid).toBe(true);
    expect(validate.validate({ textDescription: "a fox", modelName: "Seedance_10_Pro", duration: "15s" }).valid).toBe(
      false,
    );
  });

  it("shows another key nothing: its jobs, lists and batches are not found", async ({ h }) => {
    const a = await mcp.connect(KEY_A);
    const b = await mcp.connect(KEY_B);
    const { job } = structured(await mcp.call(a, "create_job", { ...SEEDREAM, wait_seconds: 0 }));
    const { batch } = structured<{ batch: { id: string } }>(await mcp.call(a, "create_batch", { jobs: [SEEDREAM] }));
    h.jobs.push(await batchJobId(batch.id, 0));
    for (const [tool, args] of [
      ["get_job", { job_id: job.id }],
      ["wait_for_job", { job_id: job.id, wait_seconds: 0 }],
      ["cancel_job", { job_id: job.id }],
      ["get_batch", { batch_id: batch.id }],
    ] as const)
      expect(problem(await mcp.call(b, tool, args))).toMatchObject({ code: "not_found", status: 404 });
    expect(structured<{ data: unknown[] }>(await mcp.call(b, "list_jobs", {})).data).toEqual([]);
    expect(
      structured<{ data: { id: string }[] }>(await mcp.call(a, "list_jobs", { limit: 100 })).data.map((j) => j.id),
    ).toContain(job.id);
    // still running for its owner
    expect(structured(await mcp.call(a, "get_job", { job_id: job.id })).job.status).not.toBe("canceled");
  });

  it("names every offending field of bad arguments, the params' own included, and sends nothing", async ({ h }) => {
    const client = await mcp.connect();
    const result = await mcp.call(client, "create_job", {
      model: "weshop/seedance",
      params: { textDescription: "a fox", duration: "99s", bogus: true },
      wait_seconds: 99,
      idempotency_key: "",
      color: "red",
    });
    const p = problem(result);
    expect(p).toMatchObject({ code: "validation_failed", status: 400 });
    expect(p.errors!.map((e) => e.path).sort()).toEqual([
      "color",
      "idempotency_key",
      "params.bogus",
      "params.duration",
      "wait_seconds",
    ]);
    // the first text block is for reading: the code, the message and each field
    const text = result.content[0]!.type === "text" ? result.content[0]!.text : "";
    for (const path of ["params.duration", "wait_seconds", "idempotency_key"]) expect(text).toContain(`- ${path}:`);
    const batch = problem(
      await mcp.call(client, "create_batch", {
        jobs: [SEEDREAM, { model: "weshop/seedream", params: { batchCount: 0 } }],
      }),
    );
    expect(batch.errors!.map((e) => e.path)).toContain("jobs[1].params.batchCount");
    expect(problem(await mcp.call(client, "get_job", { job_id: 7 })).errors).toEqual([
      { path: "job_id", message: "must be a job id" },
    ]);
    expect(h.sim.requests).toEqual([]);
  });
});
