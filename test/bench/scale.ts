// How cost grows: batches of 10 to 5000 jobs (time, provider tasks, peak concurrency, D1 rows
// written and provider requests per job), and reads against a big index: GET /v1/jobs with
// 100 000 jobs, GET /v1/batches/{id} over 5000 index rows, with the isolate's memory.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type LocalStack, startLocalStack } from "../../simulator/local-stack.ts";
import { IsolateHeap } from "./inspector.ts";
import { PORTS, peakConcurrency, percentile, stackPorts } from "./lib.ts";
import type { Section } from "./section.ts";

const RUN_MS = 1000;
const CAPS = { weshop: 60, wiro: 30 };
const BIG = 100_000;
const SMALL = 1_000;
const BATCH_ROWS = 5_000;
const MiB = 1024 * 1024;

const spec = (i: number) =>
  i % 3 === 0
    ? { model: "weshop/seedream", params: { textDescription: `image ${i}` } }
    : i % 3 === 1
      ? { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: `video ${i}` } }
      : { model: "weshop/seedance", params: { textDescription: `clip ${i}`, images: ["https://images.example.com/a.png"] } };

/** The tenant the worker derives from an API key (src/http/middleware.ts). */
const tenantOf = (key: string) => createHash("sha256").update(`tenant:${key}`).digest("hex").slice(0, 32);

function wrangler(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["wrangler", ...args], {
      env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr?.on("data", (c: Buffer) => (out += c.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`wrangler ${args.join(" ")} failed:\n${out.slice(-2000)}`))));
  });
}

const d1 = (dir: string, sql: { file?: string; command?: string }) =>
  wrangler(["d1", "execute", "seedrun", "--local", "--persist-to", dir, "--json", ...(sql.file ? ["--file", sql.file] : ["--command", sql.command!])]);

/** Counts every row the worker inserts, updates or deletes in D1 (bench-only triggers on the local database). */
async function countWrites(dir: string): Promise<void> {
  const statements = ["CREATE TABLE IF NOT EXISTS bench_writes (tbl TEXT PRIMARY KEY, n INTEGER NOT NULL)"];
  for (const table of ["jobs", "schedules"])
    for (const op of ["INSERT", "UPDATE", "DELETE"])
      statements.push(
        `CREATE TRIGGER bench_${table}_${op.toLowerCase()} AFTER ${op} ON ${table} BEGIN INSERT INTO bench_writes VALUES ('${table}', 1) ON CONFLICT(tbl) DO UPDATE SET n = n + 1; END`,
      );
  const file = join(dir, "bench-triggers.sql");
  writeFileSync(file, `${statements.join(";\n")};\n`);
  await d1(dir, { file });
}

async function writesSoFar(dir: string): Promise<number> {
  const out = await d1(dir, { command: "SELECT COALESCE(SUM(n), 0) AS n FROM bench_writes" });
  const parsed = JSON.parse(out.slice(out.indexOf("["))) as { results: { n: number }[] }[];
  return parsed[0]?.results[0]?.n ?? 0;
}

interface SimTask {
  provider: "weshop" | "wiro";
  createdAt: number;
}

interface BatchRun {
  jobs: number;
  seconds: number;
  tasks: number;
  peakWeshop: number;
  peakWiro: number;
  d1RowsPerJob: number;
  providerRequestsPerJob: number;
  succeeded: number;
}

/** `jobs` jobs as batches of at most 1000 (the API's limit), posted together, on a fresh stack. */
async function batchRun(jobs: number): Promise<BatchRun> {
  const dir = mkdtempSync(join(tmpdir(), "seedrun-bench-scale-"));
  await wrangler(["d1", "migrations", "apply", "seedrun", "--local", "--persist-to", dir]);
  await countWrites(dir);
  const stack = await startLocalStack({
    ...stackPorts(),
    quiet: true,
    persistTo: dir,
    simEnv: { SIM_DURATION_MS: String(RUN_MS) },
    vars: { WESHOP_MAX_CONCURRENCY: String(CAPS.weshop), WIRO_MAX_CONCURRENCY: String(CAPS.wiro) },
  });
  try {
    const headers = { Authorization: `Bearer ${stack.apiKey}`, "Content-Type": "application/json" };
    const started = Date.now();
    const ids: string[] = [];
    for (let from = 0; from < jobs; from += 1000) {
      const chunk = Array.from({ length: Math.min(1000, jobs - from) }, (_, i) => spec(from + i));
      const res = await fetch(`${stack.worker}/v1/batches`, { method: "POST", headers, body: JSON.stringify({ jobs: chunk }) });
      if (res.status !== 202) throw new Error(`POST /v1/batches ${res.status}: ${await res.text()}`);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const deadline = started + Number(process.env.BENCH_SCALE_MAX_S ?? 900) * 1000;
    let succeeded = 0;
    for (;;) {
      await sleep(1000);
      const views = await Promise.all(
        ids.map(
          async (id) => (await (await fetch(`${stack.worker}/v1/batches/${id}`, { headers })).json()) as { status: string; counts: Record<string, number> },
        ),
      );
      succeeded = views.reduce((n, v) => n + (v.counts.succeeded ?? 0), 0);
      if (views.every((v) => v.status === "completed")) break;
      if (Date.now() > deadline) throw new Error(`${jobs} jobs: not done after ${(Date.now() - started) / 1000} s (${succeeded} succeeded)`);
    }
    const seconds = (Date.now() - started) / 1000;
    const tasks = (await (await fetch(`${stack.sim}/__sim/tasks`)).json()) as SimTask[];
    const requests = (await (await fetch(`${stack.sim}/__sim/requests`)).json()) as unknown[];
    stack.stop();
    await sleep(1500);
    const writes = await writesSoFar(dir);
    return {
      jobs,
      seconds,
      tasks: tasks.length,
      peakWeshop: peakConcurrency(
        tasks.filter((t) => t.provider === "weshop"),
        RUN_MS,
      ),
      peakWiro: peakConcurrency(
        tasks.filter((t) => t.provider === "wiro"),
        RUN_MS,
      ),
      d1RowsPerJob: writes / jobs,
      providerRequestsPerJob: requests.length / jobs,
      succeeded,
    };
  } finally {
    stack.stop();
    // the stopped worker may still be writing: clean-up must never throw over a result
    await sleep(1500);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
  }
}

/** Index rows written straight into the local D1 (finished jobs, oldest first), in multi-row INSERTs. */
function seedSql(tenant: string, count: number, prefix: string, batchId: string | null, batchRows: number): string {
  const lines: string[] = [];
  const base = Date.UTC(2026, 0, 1);
  for (let from = 0; from < count; from += 500) {
    const values: string[] = [];
    for (let i = from; i < Math.min(count, from + 500); i++) {
      const status = i % 10 === 0 ? "failed" : "succeeded";
      const batch = batchId !== null && i < batchRows ? `'${batchId}'` : "NULL";
      const at = base + i * 1000;
      values.push(`('job_${prefix}${String(i).padStart(8, "0")}', '${tenant}', 'weshop/seedream', '${status}', ${batch}, ${at}, ${at}, ${at})`);
    }
    lines.push(`INSERT INTO jobs (id, tenant, model, status, batch_id, created_at, updated_at, seen_at) VALUES ${values.join(", ")};`);
  }
  return lines.join("\n");
}

interface Latency {
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

interface Reads {
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
async function reads(): Promise<Reads> {
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
      const res = await fetch(`${stack.worker}/v1/batches`, { method: "POST", headers: auth(key), body: JSON.stringify({ jobs }) });
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
      const view = (await (await fetch(`${stack.worker}/v1/batches/${small}`, { headers: auth(keys.big) })).json()) as { status: string };
      if (view.status === "completed") break;
      await sleep(1000);
    }
    await sleep(3000);
    stack.stop();
    await sleep(1500);
    const file = join(dir, "seed.sql");
    // older than the real jobs, so the first page of each key is its real, newest jobs
    writeFileSync(file, `${seedSql(tenantOf(keys.big), BIG, "a", big, BATCH_ROWS - 20)}\n${seedSql(tenantOf(keys.small), SMALL, "b", null, 0)}\n`);
    await d1(dir, { file });
    stack = await startLocalStack(options);
    heap = await IsolateHeap.connect(PORTS.inspector, `${stack.worker}/healthz`);
    const get = (key: string, path: string) => () => fetch(`${stack.worker}${path}`, { headers: auth(key) });
    const deep = Buffer.from(JSON.stringify([Date.UTC(2026, 0, 1) + (BIG / 2) * 1000, `job_a${String(BIG / 2).padStart(8, "0")}`])).toString("base64url");
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

export async function scaleBenchmark(): Promise<Section> {
  const sizes = (process.env.BENCH_SCALE_JOBS ?? "10,100,1000,5000").split(",").map(Number);
  const runs: BatchRun[] = [];
  const unfinished: string[] = [];
  for (const jobs of sizes) {
    try {
      runs.push(await batchRun(jobs));
    } catch (err) {
      // a size that does not finish in time is reported as such; the smaller sizes still stand
      unfinished.push(`- ${jobs} jobs: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
    }
  }
  const r = await reads();
  const batchRows = runs.map(
    (b) =>
      `| ${b.jobs} | ${b.seconds.toFixed(1)} | ${(b.seconds / b.jobs) * 1000 >= 100 ? ((b.seconds / b.jobs) * 1000).toFixed(0) : ((b.seconds / b.jobs) * 1000).toFixed(1)} | ${b.succeeded} | ${b.tasks} | ${b.peakWeshop} / ${CAPS.weshop} | ${b.peakWiro} / ${CAPS.wiro} | ${b.d1RowsPerJob.toFixed(1)} | ${b.providerRequestsPerJob.toFixed(1)} |`,
  );
  const read = (name: string, l: Latency) => `| ${name} | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} | ${l.heapGrowthMiB.toFixed(1)} |`;
  const first = runs[0];
  const last = runs[runs.length - 1];
  const perJobGrowth = first && last ? last.seconds / last.jobs / (first.seconds / first.jobs) : Number.NaN;
  const markdown = `## How cost grows

**Batches.** ${sizes.join(" / ")} jobs (the seedream / seedance / Wiro mix of the batch above), posted as
batches of at most 1000 (the API's limit, API.md), together, on a fresh local stack each; simulator
runs of ${RUN_MS / 1000} s and caps \`WESHOP_MAX_CONCURRENCY=${CAPS.weshop}\`, \`WIRO_MAX_CONCURRENCY=${CAPS.wiro}\`
(higher than above, so the worker's own cost shows, not only the caps). Time: first POST → every
batch \`completed\`, from \`GET /v1/batches/{id}\` once a second. Provider tasks and peak concurrency
are counted at the simulator. D1 rows written: bench-only SQLite triggers on the local database
count every row inserted, updated or deleted in \`jobs\` and \`schedules\` (an upsert whose
\`WHERE\` skips the write counts nothing, as in D1's \`rows_written\`). Durable Object requests are not
visible from outside the runtime locally (workerd logs no DO calls and the inspector shows no
per-object events), so the table gives the provider API requests per job seen by the simulator
instead; by the code each job costs its create call, one alarm per provider request plus the copy,
one gate acquire and release, and the statistics read and update.

| jobs | all done s | ms per job | succeeded | provider tasks | peak WeShop / cap | peak Wiro / cap | D1 rows written per job | provider requests per job |
|---|---|---|---|---|---|---|---|---|
${batchRows.join("\n")}

${unfinished.length > 0 ? `Not finished within \`BENCH_SCALE_MAX_S\` (${process.env.BENCH_SCALE_MAX_S ?? 900} s):\n${unfinished.join("\n")}\n\n` : ""}Time per job from ${first?.jobs} to ${last?.jobs} jobs: ×${perJobGrowth.toFixed(2)} (1.00 = linear growth of the total).

Where cost per job grows with the batch (by the code; the figures above show how much it costs
here): (1) with the caps in force a batch of n jobs keeps about n − cap jobs waiting at the
ProviderGate, each asking again every min(60 s, 2 s + 0.5 s × its position) besides being woken
when a slot frees (src/jobs/gate/gate-pace.ts), and each ask counts the rows ahead of it, O(position):
gate work per job grows with n (about n·log n asks of O(n) each over a batch whose length is itself
∝ n); (2) \`GET /v1/batches/{id}\` is one \`GROUP BY\` over the batch's index rows, O(rows), so a client
polling a batch until it ends pays O(n) per read for O(n) seconds; (3) a batch's jobs are fanned out
a chunk per BatchObject alarm, linear. By the code, D1 rows written and provider requests per job do not
depend on n: each job upserts only its own index row (on status changes and as a heartbeat while it
waits, so a longer wait in line writes a few more).

**Reads over a big index.** One stack: real jobs and batches first, then (worker stopped) ${BIG.toLocaleString("en")} index
rows seeded straight into the local D1 for one API key — ${BATCH_ROWS} of them under one real batch's id —
and ${SMALL.toLocaleString("en")} for a second key, then the worker again on the same state. 100 sequential requests
each after 5 warm-up ones; isolate heap growth read over the inspector as in the media section.
\`GET /v1/jobs\` reads a page of ids from D1 and then each job's Durable Object: the first page is
real jobs; deeper and filtered pages reach seeded rows, whose objects hold nothing (so they answer
empty pages, with the same D1 query and the same ${20} object reads). The API takes at most 1000 jobs per
batch, so the ${BATCH_ROWS}-row batch is a real 20-job batch with seeded rows under its id: its view is
the batch record from its Durable Object plus one \`GROUP BY status\` over the batch's index rows.

| read | p50 ms | p99 ms | isolate heap growth MiB |
|---|---|---|---|
${read(`GET /v1/jobs?limit=20, ${SMALL.toLocaleString("en")} jobs for the key`, r.listSmall)}
${read(`GET /v1/jobs?limit=20, ${BIG.toLocaleString("en")} jobs for the key`, r.listBig)}
${read(`same, page at job ${(BIG / 2).toLocaleString("en")} (cursor)`, r.listBigDeep)}
${read("same, `status=failed` (every 10th)", r.listBigStatus)}
${read("GET /v1/batches/{id}, 10 jobs", r.batchSmall)}
${read(`GET /v1/batches/{id}, ${BATCH_ROWS} index rows`, r.batchBig)}
`;
  return {
    markdown,
    figures: {
      "scale.listP50Ms100k": r.listBig.p50,
      "scale.listP99Ms100k": r.listBig.p99,
      "scale.listP99Ratio100kTo1k": r.listBig.p99 / r.listSmall.p99,
      "scale.batchViewP50Ms5000": r.batchBig.p50,
      "scale.batchViewP99Ms5000": r.batchBig.p99,
      "scale.batchViewHeapGrowthMiB5000": r.batchBig.heapGrowthMiB,
      "scale.timePerJobGrowth": perJobGrowth,
      ...Object.fromEntries(
        runs.flatMap((b) => [
          [`scale.batch${b.jobs}.seconds`, b.seconds],
          [`scale.batch${b.jobs}.d1RowsPerJob`, b.d1RowsPerJob],
          [`scale.batch${b.jobs}.providerTasksPerJob`, b.tasks / b.jobs],
        ]),
      ),
    },
  };
}
