// /mcp with the official SDK's own client: the tools it lists and their schemas, a job per
// provider followed by nextAction to stored media, progress notifications, cancel, tenant
// isolation, field-by-field argument errors, and retries that never make a second provider task.
import { Validator } from "@cfworker/json-schema";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import type { CallToolResult, Progress, Tool } from "@modelcontextprotocol/sdk/types.js";
import { env, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { batchJobId } from "../../src/batches/batch-object.ts";
import { gateApi } from "../../src/jobs/gate/gate-client.ts";
import { TEST_BINDINGS } from "../bindings.ts";
import { BASE, download, driveJob, fireAlarm, KEY_A, KEY_B, startHarness, type Harness } from "../helpers.ts";

const SEEDREAM = { model: "weshop/seedream", params: { textDescription: "a lighthouse", batchCount: 2 } };
const WIRO = { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle at dusk" } };
const TOOL_NAMES = ["list_models", "get_model_schema", "create_job", "wait_for_job", "get_job", "list_jobs", "cancel_job", "create_batch", "get_batch"];

const WIRO_CAP = Number(TEST_BINDINGS.WIRO_MAX_CONCURRENCY);
/** Stand-ins for other jobs' Wiro tasks: they hold slots at the gate and nothing else. */
const others = Array.from({ length: WIRO_CAP }, (_, i) => `job_othertask00000000${i}`);
const wiroGate = () => gateApi(env, "wiro");

let h: Harness;
const clients: Client[] = [];
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const id of others) await wiroGate().release(id);
  await h.stop();
});

/** The SDK's client, its transport's fetch pointed at the worker (the test network reaches nothing else). */
async function connect(key: string | null = KEY_A): Promise<Client> {
  // the SDK's default validator (Ajv) compiles with new Function, which workerd forbids
  const client = new Client({ name: "seedrun-test", version: "1.0.0" }, { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() });
  const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
    requestInit: key === null ? {} : { headers: { Authorization: `Bearer ${key}` } },
    fetch: (input, init) => exports.default.fetch(new Request(input, init)),
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

type JobResult = {
  job: { id: string; status: string; outputs: { url: string | null; contentType: string | null }[] };
  nextAction?: { tool: string; arguments: { job_id: string } };
};

/** Calls a tool; the client checks structuredContent against the tool's outputSchema. */
async function call(client: Client, name: string, args: Record<string, unknown>, onprogress?: (p: Progress) => void): Promise<CallToolResult> {
  const result = (await client.callTool({ name, arguments: args }, undefined, onprogress ? { onprogress } : {})) as CallToolResult;
  const id = (result.structuredContent as JobResult | undefined)?.job?.id;
  if (id && !h.jobs.includes(id)) h.jobs.push(id);
  return result;
}

function structured<T = JobResult>(result: CallToolResult): T {
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return result.structuredContent as T;
}

/** The problem an isError result carries (its last text block is the problem as JSON). */
function problem(result: CallToolResult): { code: string; status: number; detail: string; errors?: { path: string; message: string }[] } {
  expect(result.isError).toBe(true);
  const texts = result.content.filter((c) => c.type === "text");
  return JSON.parse(texts.at(-1)!.text);
}

/** Follows nextAction as an agent would, letting provider time pass between calls, until the job has finished. */
async function followToEnd(client: Client, first: JobResult): Promise<{ result: CallToolResult; calls: number }> {
  let next = first.nextAction;
  let result: CallToolResult | undefined;
  let calls = 0;
  while (next) {
    expect(next.tool).toBe("wait_for_job");
    h.advance(15_000);
    await fireAlarm(next.arguments.job_id);
    result = await call(client, next.tool, { ...next.arguments, wait_seconds: 0 });
    next = structured(result).nextAction;
    calls++;
    if (calls > 80) throw new Error("the job did not finish");
  }
  return { result: result!, calls };
}

async function expectLinksDownload(result: CallToolResult, count: number, contentType: string) {
  const { job } = structured(result);
  expect(job.status).toBe("succeeded");
  const links = result.content.filter((c) => c.type === "resource_link");
  expect(links).toHaveLength(count);
  for (const [i, link] of links.entries()) {
    expect(link).toMatchObject({ uri: job.outputs[i]!.url, mimeType: contentType });
    const res = await download(link.uri);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe(contentType);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
  }
}

/** A batch's jobs are parked by the harness at the end like the others. */
async function trackBatch(batchId: string, total: number) {
  for (let i = 0; i < total; i++) h.jobs.push(await batchJobId(batchId, i));
}

/** Runs one fan-out step of the batch now (its alarm). */
async function fanOut(batchId: string): Promise<void> {
  await runInDurableObject(env.BATCHES.get(env.BATCHES.idFromName(batchId)), async (instance, state) => {
    await state.storage.deleteAlarm();
    await (instance as unknown as { alarm(): Promise<void> }).alarm();
  });
}

const submits = () => h.sim.requests.filter((r) => r.target === "weshop.submit" || r.target === "wiro.run");

describe("/mcp", () => {
  it("refuses a client without a valid key with 401, like /v1", async () => {
    await expect(connect(null)).rejects.toThrow(/401/);
    const res = await exports.default.fetch(
      new Request(`${BASE}/mcp`, {
        method: "POST",
        headers: { Authorization: "Bearer wrong", "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
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
          headers: { Authorization: `Bearer ${KEY_A}`, Origin: origin, "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
        }),
      );
    expect((await post("http://seedrun.attacker.example:8787")).status).toBe(403);
    expect((await post(BASE)).status).toBe(200);
    expect((await post("http://localhost:6274")).status).toBe(200);
  });

  it("is stateless (GET and DELETE are 405) and refuses bodies over 1 MB with 413, like /v1", async () => {
    const headers = { Authorization: `Bearer ${KEY_A}`, Accept: "application/json, text/event-stream" };
    for (const method of ["GET", "DELETE"]) {
      const res = await exports.default.fetch(new Request(`${BASE}/mcp`, { method, headers }));
      expect(res.status).toBe(405);
      expect(res.headers.get("Allow")).toBe("POST");
    }
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: { pad: "x".repeat(1024 * 1024) } } });
    const res = await exports.default.fetch(
      new Request(`${BASE}/mcp`, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: big }),
    );
    expect(res.status).toBe(413);
  });

  it("lists the contract's tools, each with object schemas its own checks agree with and honest annotations", async () => {
    const client = await connect();
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
    const accepts = (name: string, args: unknown) => new Validator(byName.get(name)!.inputSchema as object, "2020-12", false).validate(args).valid;
    expect(accepts("create_job", { ...SEEDREAM, idempotency_key: "k-1", wait_seconds: 5 })).toBe(true);
    expect(accepts("create_job", { ...SEEDREAM, wait_seconds: 46 })).toBe(false);
    expect(accepts("create_job", { ...SEEDREAM, model: "weshop/nope" })).toBe(false);
    expect(accepts("wait_for_job", { job_id: "job_abc" })).toBe(false);
    expect(accepts("wait_for_job", { job_id: "job_0123456789abcdefghij" })).toBe(true);

    // the tools that spend money say so, and the read-only ones are marked read-only
    for (const name of ["create_job", "create_batch"]) {
      expect(byName.get(name)!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, openWorldHint: true });
      expect(byName.get(name)!.description).toMatch(/COSTS MONEY/);
    }
    for (const name of ["list_models", "get_model_schema", "wait_for_job", "get_job", "list_jobs", "get_batch"])
      expect(byName.get(name)!.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.get("cancel_job")!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get("create_job")!.description).toMatch(/wait_for_job/);
  });

  it("lists the models and gives each model's params schema, the one /openapi.json publishes", async () => {
    const client = await connect();
    const { models } = structured<{ models: { id: string; variants: string[] }[] }>(await call(client, "list_models", {}));
    expect(models.map((m) => m.id)).toContain("weshop/seedance-25");
    expect(models.find((m) => m.id === "weshop/seedance")!.variants).toContain("Seedance_20");
    const doc = (await (await exports.default.fetch(new Request(`${BASE}/openapi.json`))).json()) as { components: { schemas: Record<string, unknown> } };
    const { schema, description } = structured<{ schema: Record<string, unknown>; description: string }>(
      await call(client, "get_model_schema", { model: "weshop/seedance" }),
    );
    expect(schema).toEqual(doc.components.schemas["Params.weshop.seedance"]);
    // defaults and the rules between fields, in words
    expect(description).toMatch(/default "4s"/);
    expect(description).toMatch(/lastFrame needs firstFrame/);
    const validate = new Validator(schema as object, "2020-12", false);
    expect(validate.validate({ textDescription: "a fox", duration: "5s" }).valid).toBe(true);
    expect(validate.validate({ textDescription: "a fox", modelName: "Seedance_10_Pro", duration: "15s" }).valid).toBe(false);
  });

  it("runs a WeShop job: a short wait, then nextAction followed to stored images that download", async () => {
    const client = await connect();
    const first = structured(await call(client, "create_job", { ...SEEDREAM, wait_seconds: 1 }));
    expect(first.job.status).not.toBe("succeeded");
    expect(first.nextAction).toEqual({ tool: "wait_for_job", arguments: { job_id: first.job.id } });
    const { result } = await followToEnd(client, first);
    await expectLinksDownload(result, 2, "image/jpeg");
    expect(submits()).toHaveLength(1);
  });

  it("runs a Wiro job the same way, to a stored video", async () => {
    const client = await connect();
    const first = structured(await call(client, "create_job", { ...WIRO, wait_seconds: 0 }));
    expect(first.nextAction?.arguments.job_id).toBe(first.job.id);
    const { result } = await followToEnd(client, first);
    await expectLinksDownload(result, 1, "video/mp4");
    expect(h.sim.requests.filter((r) => r.target === "wiro.run")).toHaveLength(1);
  });

  it("sends progress notifications with the status changes while wait_for_job holds its answer", async () => {
    const client = await connect();
    const { job } = structured(await call(client, "create_job", { ...SEEDREAM, wait_seconds: 0 }));
    const seen: Progress[] = [];
    const waiting = call(client, "wait_for_job", { job_id: job.id, wait_seconds: 45 }, (p) => seen.push(p));
    await driveJob(h, job.id);
    const result = await waiting;
    expect(structured(result).job.status).toBe("succeeded");
    expect(structured(result).nextAction).toBeUndefined();
    const messages = seen.map((p) => p.message ?? "");
    expect(messages.some((m) => /: (queued|running|copying)/.test(m))).toBe(true);
    expect(messages.at(-1)).toMatch(/succeeded, 2 output\(s\) stored/);
    // progress only ever increases
    expect(seen.map((p) => p.progress)).toEqual([...seen.map((p) => p.progress)].sort((a, b) => a - b));
    expect(new Set(seen.map((p) => p.progress)).size).toBe(seen.length);
  });

  it("tells the place in line in progress notifications while the job waits for a provider slot", async () => {
    for (const id of others) await wiroGate().acquire(id, { maxConcurrency: WIRO_CAP });
    const client = await connect();
    const { job } = structured(await call(client, "create_job", { ...WIRO, wait_seconds: 0 }));
    const seen: string[] = [];
    const waiting = call(client, "wait_for_job", { job_id: job.id, wait_seconds: 45 }, (p) => seen.push(p.message ?? ""));
    await fireAlarm(job.id);
    await vi.waitFor(() => expect(seen).toContain(`Job ${job.id}: queued, 1st in line for a wiro slot`));
    for (const id of others) await wiroGate().release(id);
    await driveJob(h, job.id);
    expect(structured(await waiting).job.status).toBe("succeeded");
    expect(seen.at(-1)).toBe(`Job ${job.id}: succeeded, 1 output(s) stored`);
  });

  it("cancels a job once; a second cancel is the API's job_finished problem", async () => {
    const client = await connect();
    const { job } = structured(await call(client, "create_job", { ...WIRO, wait_seconds: 0 }));
    const canceled = structured(await call(client, "cancel_job", { job_id: job.id }));
    expect(canceled.job.status).toBe("canceled");
    expect(canceled.nextAction).toBeUndefined();
    expect(problem(await call(client, "cancel_job", { job_id: job.id }))).toMatchObject({ code: "job_finished", status: 409 });
    expect(structured(await call(client, "get_job", { job_id: job.id })).job.status).toBe("canceled");
  });

  it("shows another key nothing: its jobs, lists and batches are not found", async () => {
    const a = await connect(KEY_A);
    const b = await connect(KEY_B);
    const { job } = structured(await call(a, "create_job", { ...SEEDREAM, wait_seconds: 0 }));
    const { batch } = structured<{ batch: { id: string } }>(await call(a, "create_batch", { jobs: [SEEDREAM] }));
    await trackBatch(batch.id, 1);
    for (const [tool, args] of [
      ["get_job", { job_id: job.id }],
      ["wait_for_job", { job_id: job.id, wait_seconds: 0 }],
      ["cancel_job", { job_id: job.id }],
      ["get_batch", { batch_id: batch.id }],
    ] as const)
      expect(problem(await call(b, tool, args))).toMatchObject({ code: "not_found", status: 404 });
    expect(structured<{ data: unknown[] }>(await call(b, "list_jobs", {})).data).toEqual([]);
    expect(structured<{ data: { id: string }[] }>(await call(a, "list_jobs", { limit: 100 })).data.map((j) => j.id)).toContain(job.id);
    // still running for its owner
    expect(structured(await call(a, "get_job", { job_id: job.id })).job.status).not.toBe("canceled");
  });

  it("names every offending field of bad arguments, the params' own included, and sends nothing", async () => {
    const client = await connect();
    const result = await call(client, "create_job", {
      model: "weshop/seedance",
      params: { textDescription: "a fox", duration: "99s", bogus: true },
      wait_seconds: 99,
      idempotency_key: "",
      color: "red",
    });
    const p = problem(result);
    expect(p).toMatchObject({ code: "validation_failed", status: 400 });
    expect(p.errors!.map((e) => e.path).sort()).toEqual(["color", "idempotency_key", "params.bogus", "params.duration", "wait_seconds"]);
    // the first text block is for reading: the code, the message and each field
    const text = result.content[0]!.type === "text" ? result.content[0]!.text : "";
    for (const path of ["params.duration", "wait_seconds", "idempotency_key"]) expect(text).toContain(`- ${path}:`);
    const batch = problem(await call(client, "create_batch", { jobs: [SEEDREAM, { model: "weshop/seedream", params: { batchCount: 0 } }] }));
    expect(batch.errors!.map((e) => e.path)).toContain("jobs[1].params.batchCount");
    expect(problem(await call(client, "get_job", { job_id: 7 })).errors).toEqual([{ path: "job_id", message: "must be a job id" }]);
    expect(h.sim.requests).toEqual([]);
  });

  it("makes one job and one provider task of create_job calls repeated with one idempotency_key, even racing", async () => {
    const client = await connect();
    const args = { ...SEEDREAM, idempotency_key: "agent-retry-1", wait_seconds: 0 };
    const racing = await Promise.all([call(client, "create_job", args), call(client, "create_job", args)]);
    const ids = racing.map((r) => structured(r).job.id);
    expect(ids[1]).toBe(ids[0]);
    // a retry that asks for a longer wait is still the same request
    const again = structured(await call(client, "create_job", { ...args, wait_seconds: 1 }));
    expect(again.job.id).toBe(ids[0]);
    await driveJob(h, ids[0]!);
    const last = structured(await call(client, "create_job", args));
    expect(last.job).toMatchObject({ id: ids[0], status: "succeeded" });
    expect(submits()).toHaveLength(1);
    // the same key with other arguments is refused, as over HTTP
    const other = await call(client, "create_job", { ...args, params: { textDescription: "a different lighthouse" } });
    expect(problem(other)).toMatchObject({ code: "idempotency_key_reused", status: 422 });
  });

  it("creates a batch and reads it back, its jobs listed by batch_id", async () => {
    const client = await connect();
    const { batch } = structured<{ batch: { id: string; total: number } }>(
      await call(client, "create_batch", { jobs: [SEEDREAM, WIRO], idempotency_key: "batch-1" }),
    );
    expect(batch.total).toBe(2);
    await trackBatch(batch.id, 2);
    const again = structured<{ batch: { id: string } }>(await call(client, "create_batch", { jobs: [SEEDREAM, WIRO], idempotency_key: "batch-1" }));
    expect(again.batch.id).toBe(batch.id);
    const read = structured<{ batch: { id: string; status: string } }>(await call(client, "get_batch", { batch_id: batch.id }));
    expect(read.batch).toMatchObject({ id: batch.id, status: "running" });
    await fanOut(batch.id);
    const listed = structured<{ data: { id: string }[] }>(await call(client, "list_jobs", { batch_id: batch.id }));
    expect(listed.data.map((j) => j.id).sort()).toEqual((await Promise.all([0, 1].map((i) => batchJobId(batch.id, i)))).sort());
  });
});
