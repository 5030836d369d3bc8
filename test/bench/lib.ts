// Small helpers for the benchmarks: percentiles, an API client, waiting for jobs to end.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { LocalStack } from "../../simulator/local-stack.ts";

/**
 * Ports of the local stacks the benchmarks start; BENCH_PORT etc. move them off the defaults
 * (e.g. when `npm start` is already running on 8787/8790).
 */
export const PORTS = {
  worker: Number(process.env.BENCH_PORT ?? 8787),
  sim: Number(process.env.BENCH_SIM_PORT ?? 8790),
  baseline: Number(process.env.BENCH_BASELINE_PORT ?? 8788),
  inspector: Number(process.env.BENCH_INSPECTOR_PORT ?? 9239),
  baselineInspector: Number(process.env.BENCH_BASELINE_INSPECTOR_PORT ?? 9240),
};

/** startLocalStack's port options for a benchmark. */
export const stackPorts = () => ({ port: PORTS.worker, simPort: PORTS.sim });

/** The i-th job of the batch benchmarks' mix: a third each of Seedream, Wiro Seedance and WeShop Seedance. */
export const mixedSpec = (i: number) =>
  i % 3 === 0
    ? { model: "weshop/seedream", params: { textDescription: `image ${i}` } }
    : i % 3 === 1
      ? { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: `video ${i}` } }
      : {
          model: "weshop/seedance",
          params: { textDescription: `clip ${i}`, images: ["https://images.example.com/a.png"] },
        };

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

export interface JobView {
  id: string;
  status: string;
  polls: number;
  createdAt: string;
  startedAt?: string;
  completedAt?: string;
  provider: { taskId: string | null; callbackReceivedAt?: string };
}

export function client(stack: LocalStack) {
  const headers = { Authorization: `Bearer ${stack.apiKey}`, "Content-Type": "application/json" };
  return {
    async create(spec: unknown): Promise<JobView> {
      const res = await fetch(`${stack.worker}/v1/jobs`, { method: "POST", headers, body: JSON.stringify(spec) });
      if (res.status !== 202) throw new Error(`POST /v1/jobs ${res.status}: ${await res.text()}`);
      return (await res.json()) as JobView;
    },
    async get(id: string): Promise<JobView> {
      const res = await fetch(`${stack.worker}/v1/jobs/${id}`, { headers });
      return (await res.json()) as JobView;
    },
    /** One job, followed with `Prefer: wait` (the API holds each request up to 60 s): no polling load on the worker. */
    async waitFor(id: string, timeoutMs: number): Promise<JobView> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await fetch(`${stack.worker}/v1/jobs/${id}`, { headers: { ...headers, Prefer: "wait=60" } });
        const job = (await res.json()) as JobView;
        if (["succeeded", "failed", "canceled"].includes(job.status)) return job;
        if (Date.now() > deadline) throw new Error(`job ${id} did not finish in ${timeoutMs} ms`);
      }
    },
    async waitAll(ids: string[], timeoutMs: number): Promise<JobView[]> {
      const deadline = Date.now() + timeoutMs;
      const done = new Map<string, JobView>();
      while (done.size < ids.length) {
        if (Date.now() > deadline) throw new Error(`${ids.length - done.size} jobs did not finish in ${timeoutMs} ms`);
        for (const id of ids) {
          if (done.has(id)) continue;
          const job = await this.get(id);
          if (["succeeded", "failed", "canceled"].includes(job.status)) done.set(id, job);
        }
        await sleep(200);
      }
      return ids.map((id) => done.get(id)!);
    },
  };
}

export async function simTasks(stack: LocalStack): Promise<{ id: string; createdAt: number }[]> {
  const res = await fetch(`${stack.sim}/__sim/tasks`);
  return (await res.json()) as { id: string; createdAt: number }[];
}

/** Peak concurrency (below) of each provider's tasks. */
export function peakByProvider(
  tasks: { provider: "weshop" | "wiro"; createdAt: number }[],
  runMs: number,
): Record<"weshop" | "wiro", number> {
  return {
    weshop: peakConcurrency(
      tasks.filter((t) => t.provider === "weshop"),
      runMs,
    ),
    wiro: peakConcurrency(
      tasks.filter((t) => t.provider === "wiro"),
      runMs,
    ),
  };
}

/** Most provider tasks running at once, each task running `runMs` from its creation (the simulator's runs have a fixed length). */
export function peakConcurrency(tasks: { createdAt: number }[], runMs: number): number {
  const edges = tasks.flatMap((t) => [
    { at: t.createdAt, d: 1 },
    { at: t.createdAt + runMs, d: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let active = 0;
  let peak = 0;
  for (const e of edges) {
    active += e.d;
    peak = Math.max(peak, active);
  }
  return peak;
}

/**
 * A fresh directory for a stack's local state, in memory (/dev/shm) where there is one: local
 * workerd syncs each Durable Object and D1 commit to disk on the runtime's one thread (13 % of its
 * CPU samples in a `perf` profile of the batch), which on Cloudflare is not the worker's work.
 */
export function memoryStateDir(prefix: string): string {
  return mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), prefix));
}
