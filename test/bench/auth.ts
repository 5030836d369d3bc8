// Authentication cost per request: the same cheap route (GET /v1/keys/current, no work besides the
// key) with an API_KEYS key and with a created `sr_` key, against GET /healthz (no key at all) on
// the same worker, sequentially so queueing does not blur it. Each authenticated answer's
// `Server-Timing: auth;dur=N` is the worker's own time finding the key (its D1 read included).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalStack } from "../../simulator/local-stack.ts";
import { authBeforeAfter } from "./auth-before.ts";
import { percentile, stackPorts } from "./lib.ts";
import type { Section } from "./section.ts";

const ROUNDS = Number(process.env.BENCH_AUTH_ROUNDS ?? 400);

interface Sample {
  p50: number;
  p99: number;
  authP50: number;
}

async function sample(url: string, key?: string): Promise<Sample> {
  const latencies: number[] = [];
  const auth: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    const res = await fetch(url, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
    await res.arrayBuffer();
    latencies.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    const dur = /auth;dur=(\d+(?:\.\d+)?)/.exec(res.headers.get("Server-Timing") ?? "")?.[1];
    if (dur !== undefined) auth.push(Number(dur));
  }
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    authP50: auth.length ? percentile(auth, 50) : 0,
  };
}

export async function authBenchmark(): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), "seedrun-bench-auth-"));
  const stack = await startLocalStack({ ...stackPorts(), quiet: true, persistTo: dir, cronTicks: false });
  try {
    const made = await fetch(`${stack.worker}/v1/keys`, {
      method: "POST",
      headers: { Authorization: `Bearer ${stack.apiKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "bench", scopes: ["read"] }),
    });
    const { key } = (await made.json()) as { key: string };
    // warm every path once
    await sample(`${stack.worker}/healthz`);
    const floor = await sample(`${stack.worker}/healthz`);
    const root = await sample(`${stack.worker}/v1/keys/current`, stack.apiKey);
    const created = await sample(`${stack.worker}/v1/keys/current`, key);
    const pair = await authBeforeAfter(stack, key, ROUNDS);
    const row = (name: string, s: Sample) =>
      `| ${name} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${(s.p50 - floor.p50).toFixed(2)} | ${s === floor ? "—" : s.authP50.toFixed(0)} |`;
    const markdown = `## Authentication cost

${ROUNDS} sequential requests each on \`wrangler dev\` (local D1): \`GET /v1/keys/current\` (nothing but the key) with an \`API_KEYS\` key and with a created \`sr_\` key, against \`GET /healthz\` (no key) on the same worker. Every key is looked up per request — a created key by one indexed D1 read of its hash joined with its tenant, an \`API_KEYS\` key by one read of its tenant's \`disabled_at\` — with no cache, so a revocation reaches every isolate on the next request. "auth (worker)" is the median of the answers' \`Server-Timing: auth;dur\`.

| route | p50 ms | p99 ms | p50 over /healthz | auth (worker) p50 ms |
|---|---:|---:|---:|---:|
${row("GET /healthz", floor)}
${row("GET /v1/keys/current, API_KEYS key", root)}
${row("GET /v1/keys/current, sr_ key", created)}

**Before and after keys, scopes and tenants.** ${
      typeof pair === "string"
        ? `Not measured in this run: ${pair}.`
        : `The code before them (\`BENCH_AUTH_BEFORE\`, default main just before the keys work, test/bench/auth-before.ts) runs as a second local stack next to this one, and ${pair.rounds} rounds alternate between the two: \`GET /v1/nope\` (authenticated, then 404: nothing but auth and the middleware before it) over \`GET /nope\` (404, no key read) on the same worker. Before, a key was compared with \`API_KEYS\` in memory (and the settings were parsed on each request); after, as above.

| version | auth p50 ms (/v1/nope over /nope) |
|---|---:|
| before (API_KEYS only) | ${pair.before.toFixed(2)} |
| after, API_KEYS key | ${pair.afterRoot.toFixed(2)} |
| after, sr_ key | ${pair.afterCreated.toFixed(2)} |`
    }
`;
    return {
      markdown,
      figures: {
        "api.authMsP50": Number((created.p50 - floor.p50).toFixed(2)),
        "api.authRootMsP50": Number((root.p50 - floor.p50).toFixed(2)),
        "api.authWorkerMsP50": created.authP50,
        ...(typeof pair === "string"
          ? {}
          : {
              "api.authBeforeMsP50": pair.before,
              "api.authAfterRootMsP50": pair.afterRoot,
              "api.authAfterMsP50": pair.afterCreated,
            }),
      },
    };
  } finally {
    stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
