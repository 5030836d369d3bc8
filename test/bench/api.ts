// API overhead: POST /v1/jobs and GET /v1/jobs/{id} under concurrent load, against a trivial
// Hono route (GET /healthz) on the same worker and runtime, in the same run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalStack, type LocalStack } from "../../simulator/local-stack.ts";
import { percentile, stackPorts } from "./lib.ts";
import type { Section } from "./section.ts";

const CONCURRENCY = 16;
const SECONDS = 8;

interface Load {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(makeRequest: () => Promise<Response>, expectStatus: number): Promise<Load> {
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + SECONDS * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        const res = await makeRequest();
        await res.arrayBuffer();
        latencies.push(performance.now() - t);
        if (res.status !== expectStatus) errors++;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  return { requests: latencies.length, perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

export async function apiBenchmark(): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), "seedrun-bench-api-"));
  // long simulated runs: the jobs created under load stay quiet while GETs are measured
  const stack: LocalStack = await startLocalStack({ ...stackPorts(), quiet: true, persistTo: dir, simEnv: { SIM_DURATION_MS: "600000" } });
  try {
    const auth = { Authorization: `Bearer ${stack.apiKey}` };
    const body = JSON.stringify({ model: "weshop/seedream", params: { textDescription: "load" } });
    const warm = await fetch(`${stack.worker}/v1/jobs`, { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body });
    const jobId = ((await warm.json()) as { id: string }).id;
    const trivial = await load(() => fetch(`${stack.worker}/healthz`), 200);
    const get = await load(() => fetch(`${stack.worker}/v1/jobs/${jobId}`, { headers: auth }), 200);
    const post = await load(() => fetch(`${stack.worker}/v1/jobs`, { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body }), 202);
    const row = (name: string, l: Load) =>
      `| ${name} | ${l.requests} | ${l.perSecond.toFixed(0)} | ${(l.perSecond / trivial.perSecond).toFixed(2)} | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} | ${(l.p99 / trivial.p99).toFixed(1)} | ${l.errors} |`;
    const markdown = `## API overhead

${CONCURRENCY} concurrent clients (Node fetch, keep-alive) for ${SECONDS} s per route against the worker under
\`wrangler dev\`, one route after the other in the same run. The trivial route is \`GET /healthz\`
(a Hono handler returning JSON) on the same worker. \`POST /v1/jobs\` validates, creates the job's
Durable Object and its D1 index row, then answers 202; \`GET /v1/jobs/{id}\` authenticates, reads the
job's Durable Object and signs media links.

| route | requests | req/s | throughput vs trivial | p50 ms | p99 ms | p99 vs trivial | errors |
|---|---|---|---|---|---|---|---|
${row("GET /healthz (trivial)", trivial)}
${row("GET /v1/jobs/{id}", get)}
${row("POST /v1/jobs", post)}
`;
    return {
      markdown,
      figures: {
        "api.postVsTrivial": post.perSecond / trivial.perSecond,
        "api.postP99VsTrivial": post.p99 / trivial.p99,
        "api.getVsTrivial": get.perSecond / trivial.perSecond,
        "api.getP99VsTrivial": get.p99 / trivial.p99,
      },
    };
  } finally {
    stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
