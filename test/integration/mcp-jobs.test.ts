// Jobs through /mcp with the official SDK's own client: a job per provider followed by nextAction
// to stored media that download, progress notifications (status changes, the place in line),
// cancel, retries with one idempotency_key that never make a second provider task, and batches.

import { env, runInDurableObject } from "cloudflare:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { batchJobId } from "../../src/batches/batch-object.ts";
import { gateApi } from "../../src/jobs/gate/gate-client.ts";
import { TEST_BINDINGS } from "../support/bindings.ts";
import { download, driveJob, fireAlarm, type Harness, startHarness } from "../support/harness.ts";
import {
  type JobResult,
  type McpSession,
  mcpSession,
  problem,
  SEEDREAM,
  structured,
  WIRO,
} from "../support/mcp-client.ts";

const WIRO_CAP = Number(TEST_BINDINGS.WIRO_MAX_CONCURRENCY);
/** Stand-ins for other jobs' Wiro tasks: they hold slots at the gate and nothing else. */
const others = Array.from({ length: WIRO_CAP }, (_, i) => `job_othertask00000000${i}`);
const wiroGate = () => gateApi(env, "wiro");

let h: Harness;
let mcp: McpSession;
beforeEach(() => {
  h = startHarness();
  mcp = mcpSession(h);
});
afterEach(async () => {
  await mcp.close();
  for (const id of others) await wiroGate().release(id);
  await h.stop();
});

/** Follows nextAction as an agent would, letting provider time pass between calls, until the job has finished. */
async function followToEnd(client: Client, first: JobResult): Promise<{ result: CallToolResult; calls: number }> {
  let next = first.nextAction;
  let result: CallToolResult | undefined;
  let calls = 0;
  while (next) {
    expect(next.tool).toBe("wait_for_job");
    h.advance(15_000);
    await fireAlarm(next.arguments.job_id);
    result = await mcp.call(client, next.tool, { ...next.arguments, wait_seconds: 0 });
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

describe("jobs through /mcp", () => {
  it("runs a WeShop job: a short wait, then nextAction followed to stored images that download", async () => {
    const client = await mcp.connect();
    const first = structured(await mcp.call(client, "create_job", { ...SEEDREAM, wait_seconds: 1 }));
    expect(first.job.status).not.toBe("succeeded");
    expect(first.nextAction).toEqual({ tool: "wait_for_job", arguments: { job_id: first.job.id } });
    const { result } = await followToEnd(client, first);
    await expectLinksDownload(result, 2, "image/jpeg");
    expect(submits()).toHaveLength(1);
  });

  it("runs a Wiro job the same way, to a stored video", async () => {
    const client = await mcp.connect();
    const first = structured(await mcp.call(client, "create_job", { ...WIRO, wait_seconds: 0 }));
    expect(first.nextAction?.arguments.job_id).toBe(first.job.id);
    const { result } = await followToEnd(client, first);
    await expectLinksDownload(result, 1, "video/mp4");
    expect(h.sim.requests.filter((r) => r.target === "wiro.run")).toHaveLength(1);
  });

  it("sends progress notifications with the status changes while wait_for_job holds its answer", async () => {
    const client = await mcp.connect();
    const { job } = structured(await mcp.call(client, "create_job", { ...SEEDREAM, wait_seconds: 0 }));
    const seen: Progress[] = [];
    const waiting = mcp.call(client, "wait_for_job", { job_id: job.id, wait_seconds: 45 }, (p) => seen.push(p));
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
    const client = await mcp.connect();
    const { job } = structured(await mcp.call(client, "create_job", { ...WIRO, wait_seconds: 0 }));
    const seen: string[] = [];
    const waiting = mcp.call(client, "wait_for_job", { job_id: job.id, wait_seconds: 45 }, (p) =>
      seen.push(p.message ?? ""),
    );
    await fireAlarm(job.id);
    // the place in line, and the ETA that place gives (the job view's estimatedCompletionAt)
    const inLine = new RegExp(`^Job ${job.id}: queued, 1st in line for a wiro slot, expected by \\d{4}-\\d{2}-\\d{2}T`);
    await vi.waitFor(() => expect(seen.some((m) => inLine.test(m))).toBe(true));
    for (const id of others) await wiroGate().release(id);
    await driveJob(h, job.id);
    expect(structured(await waiting).job.status).toBe("succeeded");
    expect(seen.at(-1)).toBe(`Job ${job.id}: succeeded, 1 output(s) stored`);
  });

  it("cancels a job once; a second cancel is the API's job_finished problem", async () => {
    const client = await mcp.connect();
    const { job } = structured(await mcp.call(client, "create_job", { ...WIRO, wait_seconds: 0 }));
    const canceled = structured(await mcp.call(client, "cancel_job", { job_id: job.id }));
    expect(canceled.job.status).toBe("canceled");
    expect(canceled.nextAction).toBeUndefined();
    expect(problem(await mcp.call(client, "cancel_job", { job_id: job.id }))).toMatchObject({
      code: "job_finished",
      status: 409,
    });
    expect(structured(await mcp.call(client, "get_job", { job_id: job.id })).job.status).toBe("canceled");
  });

  it("makes one job and one provider task of create_job calls repeated with one idempotency_key, even racing", async () => {
    const client = await mcp.connect();
    const args = { ...SEEDREAM, idempotency_key: "agent-retry-1", wait_seconds: 0 };
    const racing = await Promise.all([mcp.call(client, "create_job", args), mcp.call(client, "create_job", args)]);
    const ids = racing.map((r) => structured(r).job.id);
    expect(ids[1]).toBe(ids[0]);
    // a retry that asks for a longer wait is still the same request
    const again = structured(await mcp.call(client, "create_job", { ...args, wait_seconds: 1 }));
    expect(again.job.id).toBe(ids[0]);
    await driveJob(h, ids[0]!);
    const last = structured(await mcp.call(client, "create_job", args));
    expect(last.job).toMatchObject({ id: ids[0], status: "succeeded" });
    expect(submits()).toHaveLength(1);
    // the same key with other arguments is refused, as over HTTP
    const other = await mcp.call(client, "create_job", {
      ...args,
      params: { textDescription: "a different lighthouse" },
    });
    expect(problem(other)).toMatchObject({ code: "idempotency_key_reused", status: 422 });
  });

  it("creates a batch and reads it back, its jobs listed by batch_id", async () => {
    const client = await mcp.connect();
    const { batch } = structured<{ batch: { id: string; total: number } }>(
      await mcp.call(client, "create_batch", { jobs: [SEEDREAM, WIRO], idempotency_key: "batch-1" }),
    );
    expect(batch.total).toBe(2);
    await trackBatch(batch.id, 2);
    const again = structured<{ batch: { id: string } }>(
      await mcp.call(client, "create_batch", { jobs: [SEEDREAM, WIRO], idempotency_key: "batch-1" }),
    );
    expect(again.batch.id).toBe(batch.id);
    const read = structured<{ batch: { id: string; status: string } }>(
      await mcp.call(client, "get_batch", { batch_id: batch.id }),
    );
    expect(read.batch).toMatchObject({ id: batch.id, status: "running" });
    await fanOut(batch.id);
    const listed = structured<{ data: { id: string }[] }>(await mcp.call(client, "list_jobs", { batch_id: batch.id }));
    expect(listed.data.map((j) => j.id).sort()).toEqual(
      (await Promise.all([0, 1].map((i) => batchJobId(batch.id, i)))).sort(),
    );
  });
});
