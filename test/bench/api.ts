// API overhead: POST /v1/jobs and GET /v1/jobs/{id} under concurrent load, against a trivial
// Hono route (GET /healthz) on the same worker and runtime, in the same run.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type LocalStack, startLocalStack } from "../../simulator/local-stack.ts";
import { PORTS, percentile, stackPorts } from "./lib.ts";
import type { Section } from "./section.ts";

const CONCURRENCY = 16;
/** BENCH_API_SECONDS: seconds of load per route (default 8). */
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 8);

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
  return {
    requests: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

/** The runtime's own floor (test/bench/do-baseline): a trivial route and a new Durable Object storing one record. */
async function runtimeFloor(
  body: string,
): Promise<{ trivial: Load; create: Load; read: Load; logged: Load; newJob: Load }> {
  const dir = mkdtempSync(join(tmpdir(), "seedrun-bench-do-"));
  const port = PORTS.baseline;
  const args = [
    "wrangler",
    "dev",
    "--config",
    "test/bench/do-baseline/wrangler.toml",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
  ];
  args.push("--persist-to", dir, "--show-interactive-dev-session=false");
  const child = spawn("npx", args, {
    stdio: "ignore",
    detached: true,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 480; i++) {
      if (
        await fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await sleep(250);
    }
    await (await fetch(`${base}/setup`)).arrayBuffer();
    await (await fetch(`${base}/new`, { method: "POST", body })).arrayBuffer();
    const trivial = await load(() => fetch(`${base}/healthz`), 200);
    const logged = await load(() => fetch(`${base}/logged`), 200);
    const read = await load(() => fetch(`${base}/same`), 200);
    const create = await load(
      () => fetch(`${base}/new`, { method: "POST", headers: { "Content-Type": "application/json" }, body }),
      202,
    );
    const newJob = await load(
      () => fetch(`${base}/new-job`, { method: "POST", headers: { "Content-Type": "application/json" }, body }),
      202,
    );
    return { trivial, create, read, logged, newJob };
  } finally {
    if (child.pid) process.kill(-child.pid, "SIGTERM");
    await sleep(2500);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
  }
}

export async function apiBenchmark(): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), "seedrun-bench-api-"));
  // long simulated runs: the jobs created under load stay quiet while GETs are measured
  const stack: LocalStack = await startLocalStack({
    ...stackPorts(),
    quiet: true,
    persistTo: dir,
    simEnv: { SIM_DURATION_MS: "600000" },
  });
  try {
    const auth = { Authorization: `Bearer ${stack.apiKey}` };
    const body = JSON.stringify({ model: "weshop/seedream", params: { textDescription: "load" } });
    const warm = await fetch(`${stack.worker}/v1/jobs`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body,
    });
    const jobId = ((await warm.json()) as { id: string }).id;
    const trivial = await load(() => fetch(`${stack.worker}/healthz`), 200);
    const get = await load(() => fetch(`${stack.worker}/v1/jobs/${jobId}`, { headers: auth }), 200);
    const post = await load(
      () =>
        fetch(`${stack.worker}/v1/jobs`, {
          method: "POST",
          headers: { ...auth, "Content-Type": "application/json" },
          body,
        }),
      202,
    );
    stack.stop();
    // the same body, stored whole in a new object: everything a job creation cannot do without
    const floor = await runtimeFloor(body);
    const row = (name: string, l: Load, against = trivial) =>
      `| ${name} | ${l.requests} | ${l.perSecond.toFixed(0)} | ${(l.perSecond / against.perSecond).toFixed(2)} | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} | ${(l.p99 / against.p99).toFixed(1)} | ${l.errors} |`;
    const floorRatio = floor.create.perSecond / floor.trivial.perSecond;
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

The runtime's floor, measured right after on a minimal worker (test/bench/do-baseline) under the same
\`wrangler dev\`, same load, same request body: its own trivial route, a read of one existing Durable
Object, and \`POST /new\`, which creates a new (SQLite-backed) Durable Object and stores the body in
it, the one thing a job creation cannot do without. Ratios are against that worker's trivial route.

| route | requests | req/s | throughput vs trivial | p50 ms | p99 ms | p99 vs trivial | errors |
|---|---|---|---|---|---|---|---|
${row("GET /healthz (trivial, baseline worker)", floor.trivial, floor.trivial)}
${row("GET /same (read one existing object)", floor.read, floor.trivial)}
${row("POST /new (create an object, store one record)", floor.create, floor.trivial)}
${row("GET /logged (trivial + one JSON access line)", floor.logged, floor.trivial)}
${row("POST /new-job (a job creation's storage calls, no logic)", floor.newJob, floor.trivial)}

\`POST /v1/jobs\` reaches ${((post.perSecond / trivial.perSecond / floorRatio) * 100).toFixed(0)} % of the floor's throughput ratio
(${(post.perSecond / trivial.perSecond).toFixed(2)} vs ${floorRatio.toFixed(2)}).

Against the baseline worker directly, same run: our trivial route serves
${(trivial.perSecond / floor.trivial.perSecond).toFixed(2)}× the baseline's trivial route (\`api.trivialVsBaselineTrivial\`,
req/s over req/s: what every request pays before its handler, i.e. request id, security headers,
Hono's OpenAPI routing and the settings check), and \`POST /v1/jobs\` ${(post.perSecond / floor.create.perSecond).toFixed(2)}× the
baseline's \`POST /new\` (\`api.postVsBaselineNewObject\`). The two workers run one after the other
under the same \`wrangler dev\`, so machine noise between them shows in these two ratios.
**Floors with what seedrun must do.** Two more routes on the baseline worker make the calls our
routes cannot skip, with nothing between them. \`GET /logged\` is the trivial route plus the one
JSON access line every request gets (docs/operations.md): ours serves
${(trivial.perSecond / floor.logged.perSecond).toFixed(2)}× its rate (\`api.trivialVsLoggedFloor\`); the line alone takes the
baseline to ${(floor.logged.perSecond / floor.trivial.perSecond).toFixed(2)}× its trivial rate (\`api.loggedFloorVsBaselineTrivial\`) — under
\`wrangler dev\` each \`console.log\` is carried to the terminal by the same local Node process that
proxies the requests, which a deployed worker does not pay for in its request. \`POST /new-job\` makes a
job creation's storage calls in order: the tenant's \`disabled_at\` (D1), the rate limiter, the
budget's admission (a call to another object that reads and writes its storage), the tenant's
settings (D1), then the new object stores the record, sets its alarm and inserts its index row
(D1), and writes the access line; its alarm then calls a third object (the gate) and updates the row.
\`POST /v1/jobs\` serves ${(post.perSecond / floor.newJob.perSecond).toFixed(2)}× that floor's rate (\`api.postVsJobFloor\`): the
rest of the gap to \`POST /new\` is those calls, which a listable, budgeted, rate-limited job needs.

\`BENCH_API_SECONDS\` sets the seconds of load per route (default ${8}); \`npm run bench -- api\` runs this section alone.
`;
    return {
      markdown,
      figures: {
        "api.postVsTrivial": post.perSecond / trivial.perSecond,
        "api.postP99VsTrivial": post.p99 / trivial.p99,
        "api.getVsTrivial": get.perSecond / trivial.perSecond,
        "api.getP99VsTrivial": get.p99 / trivial.p99,
        "api.newObjectFloorVsTrivial": floorRatio,
        "api.newObjectFloorP99VsTrivial": floor.create.p99 / floor.trivial.p99,
        "api.trivialVsBaselineTrivial": trivial.perSecond / floor.trivial.perSecond,
        "api.postVsBaselineNewObject": post.perSecond / floor.create.perSecond,
        "api.trivialVsLoggedFloor": trivial.perSecond / floor.logged.perSecond,
        "api.loggedFloorVsBaselineTrivial": floor.logged.perSecond / floor.trivial.perSecond,
        "api.postVsJobFloor": post.perSecond / floor.newJob.perSecond,
      },
    };
  } finally {
    stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
