import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type LocalStack, startLocalStack } from "../../simulator/local-stack.ts";
import { IsolateHeap } from "./inspector.ts";
import { PORTS, percentile, stackPorts } from "./lib.ts";
import { d1, seedSql, tenantOf } from "./scale-d1.ts";

export const BIG = 100_000;
export const SMALL = 1_000;
export const BATCH_ROWS = 5_000;
const MiB = 1024 * 1024;

export interface Latency {
  p50: number;
  p99: number;
  heapGrowthMiB: number;
}

async function timed(heap: IsolateHeap, n: number, request: () => Promise<Response>): Promise<Latency> {
  for (let i = 0; i < 5; i++) await (await request()).arrayBuffer(); // warm
  await heap.start(50, 1000);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await request();
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`read answered ${res.status}`);
    ms.push(performance.now() - t);
  }
  const sample = heap.stop();
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), heapGrowthMiB: (sample.peak - sample.baseline) / MiB };
}

export interface Reads {
  listBig: Latency;
  listSmall: Latency;
  listBigDeep: Latency;
  listBigStatus: Latency;
  batchBig: Latency;
  batchSmall: Latency;
}

/**
 * One stack: real jobs and two real batches first (so the newest page and the batch records are
 * real), then, with the worker stopped, 100 000 index rows for one API key (5000 of them under
 * the first batch's id) and 1000 for another, then the worker again on the same state.
 */
export async function reads(): Promise<Reads> {
  const dir = mkdtempSync(join(tmpdir(), "seedrun-bench-reads-"));
  const keys = { big: "dev-key", small: "scale-key" };
  const options = {
    ...stackPorts(),
    quiet: true,
    persistTo: dir,
    inspectorPort: PORTS.inspector,
    simEnv: { SIM_DURATION_MS: "100" },
    vars: { API_KEYS: `${keys.big},${keys.small}` },
  };
  let stack: LocalStack = await startLocalStack(options);
  let heap: IsolateHeap | undefined;
  try {
    const auth = (key: string) => ({ Authorization: `Bearer ${key}`, "Content-Type": "application/json" });
    const post = async (key: string, jobs: unknown[]) => {
      const res = await fetch(`${stack.worker}/v1/batches`, {
        method: "POST",
        headers: auth(key),
        body: JSON.stringify({ jobs }),
      });
      return ((await res.json()) as { id: string }).id;
    };
    const image = { model: "weshop/seedream", params: { textDescription: "scale" } };
    const big = await post(
      keys.big,
      Array.from({ length: 20 }, () => image),
    );
    const small = await post(
      keys.big,
      Array.from({ length: 10 }, () => image),
    );
    await post(
      keys.small,
      Array.from({ length: 20 }, () => image),
    );
    for (let i = 0; i < 120; i++) {
      const view = (await (await fetch(`${stack.worker}/v1/batches/${small}`, { headers: auth(keys.big) })).json()) as {
        status: string;
      };
      if (view.status === "completed") break;
      await sleep(1000);
    }
    await sleep(3000);
    stack.stop();
    await sleep(1500);
    const file = join(dir, "seed.sql");
    // older than the real jobs, so the first page of each key is its real, newest jobs
    writeFileSync(
      file,
      `${seedSql(tenantOf(keys.big), BIG, "a", big, BATCH_ROWS - 20)}\n${seedSql(tenantOf(keys.small), SMALL, "b", null, 0)}\n`,
    );
    await d1(dir, { file });
    stack = await startLocalStack(options);
    heap = await IsolateHeap.connect(PORTS.inspector, `${stack.worker}/healthz`);
    const get = (key: string, path: string) => () => fetch(`${stack.worker}${path}`, { headers: auth(key) });
    const deep = Buffer.from(
      JSON.stringify([Date.UTC(2026, 0, 1) + (BIG / 2) * 1000, `job_a${String(BIG / 2).padStart(8, "0")}`]),
    ).toString("base64url");
    const n = 100;
    return {
      listBig: await timed(heap, n, get(keys.big, "/v1/jobs?limit=20")),
      listSmall: await timed(heap, n, get(keys.small, "/v1/jobs?limit=20")),
      listBigDeep: await timed(heap, n, get(keys.big, `/v1/jobs?limit=20&cursor=${deep}`)),
      listBigStatus: await timed(heap, n, get(keys.big, "/v1/jobs?limit=20&status=failed")),
      batchBig: await timed(heap, n, get(keys.big, `/v1/batches/${big}`)),
      batchSmall: await timed(heap, n, get(keys.big, `/v1/batches/${small}`)),
    };
  } finally {
    heap?.close();
    stack.stop();
    await sleep(1000);
    // the stopped worker may still be writing: clean-up must never throw over a result
    await sleep(1500);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
  }
}
