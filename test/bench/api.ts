// API overhead: POST /v1/jobs and GET /v1/jobs/{id} under concurrent load, against a trivial
// Hono route (GET /healthz) on the same worker and runtime, in the same run.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { devWorkerArgs, type LocalStack, startLocalStack } from "../../simulator/local-stack.ts";
import { memoryStateDir, PORTS, percentile, stackPorts } from "./lib.ts";
import { workerdCpuSeconds } from "./process-cpu.ts";
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
  /** workerd CPU per request (all its processes: the entry proxy, the worker, the assets router). */
  cpuMs: number;
}

/** `group`: the worker's process group, whose workerd CPU the load used is counted per request. */
async function load(makeRequest: () => Promise<Response>, expectStatus: number, group: number): Promise<Load> {
  const latencies: number[] = [];
  const cpuBefore = workerdCpuSeconds(group);
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
    cpuMs: ((workerdCpuSeconds(group) - cpuBefore) * 1000) / latencies.length,
  };
}

interface Floor {
  trivial: Load;
  create: Load;
  read: Load;
  routed: Load;
  logged: Load;
  newJob: Load;
}

/** Starts a baseline worker without DevTools (simulator/dev-worker.ts, as seedrun's stack), runs `measure`, stops it. */
async function withBaseline<T>(config: string, measure: (base: string, group: number) => Promise<T>): Promise<T> {
  const dir = memoryStateDir("seedrun-bench-do-");
  const port = PORTS.baseline;
  const child = spawn(process.execPath, devWorkerArgs({ config, persistTo: dir }, port, {}), {
    stdio: "ignore",
    detached: true,
    // as seedrun's stack: wrangler's local observability collector off (StackOptions.localObservability)
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", X_LOCAL_OBSERVABILITY: "false" },
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
    return await measure(base, child.pid ?? 0);
  } finally {
    if (child.pid) process.kill(-child.pid, "SIGTERM");
    await sleep(2500);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
  }
}

/**
 * The runtime's own floor (test/bench/do-baseline): a trivial route, a new Durable Object storing one
 * record; then the same worker behind the static-assets router as seedrun's (wrangler.assets.toml),
 * with the access line and a job creation's storage calls.
 */
async function runtimeFloor(body: string): Promise<Floor> {
  const post = (url: string) => () =>
    fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body });
  const bare = await withBaseline("test/bench/do-baseline/wrangler.toml", async (base, group) => {
    await (await post(`${base}/new`)()).arrayBuffer();
    const trivial = await load(() => fetch(`${base}/healthz`), 200, group);
    const read = await load(() => fetch(`${base}/same`), 200, group);
    const create = await load(post(`${base}/new`), 202, group);
    return { trivial, read, create };
  });
  const routed = await withBaseline("test/bench/do-baseline/wrangler.assets.toml", async (base, group) => {
    const trivial = await load(() => fetch(`${base}/healthz`), 200, group);
    const logged = await load(() => fetch(`${base}/logged`), 200, group);
    const newJob = await load(post(`${base}/new-job`), 202, group);
    return { trivial, logged, newJob };
  });
  return { ...bare, routed: routed.trivial, logged: routed.logged, newJob: routed.newJob };
}

export async function apiBenchmark(): Promise<Section> {
  const dir = memoryStateDir("seedrun-bench-api-");
  // long simulated runs: the jobs created under load stay quiet while GETs are measured
  const stack: LocalStack = await startLocalStack({
    ...stackPorts(),
    quiet: true,
    persistTo: dir,
    // the batch section's environment, for seedrun and the baselines: no local collector, no
    // DevTools inspector, state in memory (StackOptions.localObservability and devtools)
    localObservability: false,
    devtools: false,
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
    const group = stack.workerPid ?? 0;
    const trivial = await load(() => fetch(`${stack.worker}/healthz`), 200, group);
    const get = await load(() => fetch(`${stack.worker}/v1/jobs/${jobId}`, { headers: auth }), 200, group);
    const post = await load(
      () =>
        fetch(`${stack.worker}/v1/jobs`, {
          method: "POST",
          headers: { ...auth, "Content-Type": "application/json" },
          body,
        }),
      202,
      group,
    );
    stack.stop();
    // the same body, stored whole in a new object: everything a job creation cannot do without
    const floor = await runtimeFloor(body);
    const row = (name: string, l: Load, against = trivial) =>
      `| ${name} | ${l.requests} | ${l.perSecond.toFixed(0)} | ${(l.perSecond / against.perSecond).toFixed(2)} | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} | ${(l.p99 / against.p99).toFixed(1)} | ${l.cpuMs.toFixed(2)} | ${l.errors} |`;
    const markdown = `## API overhead

${CONCURRENCY} concurrent clients (Node fetch, keep-alive) for ${SECONDS} s per route, one route after the
other in the same run. The trivial route is \`GET /healthz\` (a Hono handler returning JSON) on the same
worker. \`POST /v1/jobs\` validates, creates the job's Durable Object and its D1 index row, then answers
202; \`GET /v1/jobs/{id}\` authenticates, reads the job's Durable Object and signs media links.

**Runtime.** The batch section's, for seedrun and the baseline workers alike: wrangler's local
observability collector off, local state in memory (/dev/shm), and no DevTools inspector — each worker
runs through wrangler's own programmatic API (\`unstable_startWorker\`, simulator/dev-worker.ts)
instead of the \`wrangler dev\` command, which always attaches one. With it attached, V8 hands every
\`console.log\` to the debugger: measured separately on this machine (2026-12-07), one access line per request took the
baseline's trivial route from about 1,170 to about 700 req/s (0.6×) with the inspector and to about
940 (0.8×) without — a debugger's cost, which a deployed worker does not pay.

| route | requests | req/s | throughput vs trivial | p50 ms | p99 ms | p99 vs trivial | runtime CPU ms/request | errors |
|---|---|---|---|---|---|---|---|---|
${row("GET /healthz (trivial)", trivial)}
${row("GET /v1/jobs/{id}", get)}
${row("POST /v1/jobs", post)}

The runtime's floor, measured right after on a minimal worker (test/bench/do-baseline), same load,
same request body: its own trivial route, a read of one existing Durable Object, and \`POST /new\`,
which creates a new (SQLite-backed) Durable Object and stores the body in it. Then the same worker
behind the static-assets router configured as seedrun's \`[assets]\` (wrangler.assets.toml: every path
runs the worker first except the static files' folder): its trivial route, \`GET /logged\` (the trivial
route plus the one JSON access line every seedrun request writes, docs/operations.md) and
\`POST /new-job\`, a job creation's storage calls in order with nothing between them: the tenant's
\`disabled_at\` (D1), the rate limiter, the budget's admission (a call to another object that reads and
writes its storage), the tenant's settings (D1), then the new object stores the record, sets its alarm
and inserts its index row (D1) and the access line is written; its alarm then calls a third object
(the gate) and updates the row. Ratios are against the bare baseline's trivial route.

| route | requests | req/s | throughput vs trivial | p50 ms | p99 ms | p99 vs trivial | runtime CPU ms/request | errors |
|---|---|---|---|---|---|---|---|---|
${row("GET /healthz (trivial, baseline worker)", floor.trivial, floor.trivial)}
${row("GET /same (read one existing object)", floor.read, floor.trivial)}
${row("POST /new (create an object, store one record)", floor.create, floor.trivial)}
${row("GET /healthz behind the assets router", floor.routed, floor.trivial)}
${row("GET /logged behind the router (+ one JSON access line)", floor.logged, floor.trivial)}
${row("POST /new-job behind the router (a job creation's storage calls)", floor.newJob, floor.trivial)}

**Against the bare baseline** (targets of issue 21, same run): our trivial route serves
${(trivial.perSecond / floor.trivial.perSecond).toFixed(2)}× the baseline's trivial route (\`api.trivialVsBaselineTrivial\`,
target 0.9) and \`POST /v1/jobs\` ${(post.perSecond / floor.create.perSecond).toFixed(2)}× its \`POST /new\` (\`api.postVsBaselineNewObject\`,
target 0.8). **Against the floors with what seedrun must do besides**: the assets router alone takes
the baseline to ${(floor.routed.perSecond / floor.trivial.perSecond).toFixed(2)}× its trivial rate (\`api.assetsRouterVsBaselineTrivial\`), router and access line
to ${(floor.logged.perSecond / floor.trivial.perSecond).toFixed(2)}× (\`api.loggedFloorVsBaselineTrivial\`); our trivial route serves
${(trivial.perSecond / floor.logged.perSecond).toFixed(2)}× that floor's rate (\`api.trivialVsLoggedFloor\`), the rest being what our request id, security
headers, Hono's OpenAPI routing and configuration check add, and what the local tooling spends on
our log line outside the runtime (see the CPU figures below). \`POST /v1/jobs\` serves
${(post.perSecond / floor.newJob.perSecond).toFixed(2)}× the job floor's rate (\`api.postVsJobFloor\`): the rest of the gap to \`POST /new\` is
those storage calls, which a listable, budgeted, rate-limited job needs. The workers run one after the
other on one noisy machine, so its noise shows in every throughput ratio across workers (several per
cent run to run). The runtime CPU column is steadier: workerd's CPU time (every process of the worker's
group, /proc) over the requests served. Our trivial route costs ${(trivial.cpuMs / floor.logged.cpuMs).toFixed(2)}× the CPU of the floor's
\`GET /logged\` (\`api.trivialCpuVsLoggedFloor\`) and \`POST /v1/jobs\` ${(post.cpuMs / floor.newJob.cpuMs).toFixed(2)}× that of \`POST /new-job\`
(\`api.postCpuVsJobFloor\`, alarms and the gate included on both sides). Where the CPU is equal and
the throughput is not, the difference is outside workerd: counted separately with wrangler's own
process included, ours cost about 0.1 ms more per request there, its handling of our log line.

\`BENCH_API_SECONDS\` sets the seconds of load per route (default ${8}); \`npm run bench -- api\` runs this section alone.
`;
    return {
      markdown,
      figures: {
        "api.postVsTrivial": post.perSecond / trivial.perSecond,
        "api.postP99VsTrivial": post.p99 / trivial.p99,
        "api.getVsTrivial": get.perSecond / trivial.perSecond,
        "api.getP99VsTrivial": get.p99 / trivial.p99,
        "api.newObjectFloorVsTrivial": floor.create.perSecond / floor.trivial.perSecond,
        "api.newObjectFloorP99VsTrivial": floor.create.p99 / floor.trivial.p99,
        "api.trivialVsBaselineTrivial": trivial.perSecond / floor.trivial.perSecond,
        "api.postVsBaselineNewObject": post.perSecond / floor.create.perSecond,
        "api.trivialVsLoggedFloor": trivial.perSecond / floor.logged.perSecond,
        "api.loggedFloorVsBaselineTrivial": floor.logged.perSecond / floor.trivial.perSecond,
        "api.assetsRouterVsBaselineTrivial": floor.routed.perSecond / floor.trivial.perSecond,
        "api.postVsJobFloor": post.perSecond / floor.newJob.perSecond,
        "api.trivialCpuVsLoggedFloor": trivial.cpuMs / floor.logged.cpuMs,
        "api.postCpuVsJobFloor": post.cpuMs / floor.newJob.cpuMs,
      },
    };
  } finally {
    stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
