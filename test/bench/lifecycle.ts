// The retention sweep over a backlog of expired jobs: how long it takes per job, the D1 rows it
// reads and writes per job, how many ticks it needs, and whether each tick stays bounded.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startLocalStack } from "../../simulator/local-stack.ts";
import { client, mixedSpec, percentile, stackPorts } from "./lib.ts";
import type { Section } from "./section.ts";

interface Tally {
  calls: number;
  rowsRead: number;
  rowsWritten: number;
}
interface Counts {
  d1: Record<string, Tally>;
  r2: Record<string, number>;
}
interface Left {
  listed: number;
  r2Objects: number;
}

/** What the sweep does per tick (src/lifecycle/retention.ts RETENTION_PER_TICK). */
const PER_TICK = 50;
const CLONE_CHUNK = 250;

export interface SweepRun {
  jobs: number;
  r2ObjectsBefore: number;
  r2ObjectsAfter: number;
  left: number;
  tickMs: number[];
  deletedPerTick: number[];
  wallSeconds: number;
  counts: Counts;
  wiroDeletes: number;
  templates: { model: string; outputs: number; provider: string }[];
}

async function sweepRun(jobs: number): Promise<SweepRun> {
  const dir = mkdtempSync(join(tmpdir(), "seedrun-bench-lifecycle-"));
  const stack = await startLocalStack({
    ...stackPorts(),
    quiet: true,
    persistTo: dir,
    entry: "test/bench/lifecycle-worker/worker.ts",
    cronTicks: false,
    simEnv: { SIM_DURATION_MS: "1000" },
  });
  const bench = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${stack.worker}/__bench/${path}`, {
      method: body === undefined ? "GET" : "POST",
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`/__bench/${path} ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
  try {
    const api = client(stack);
    const headers = { Authorization: `Bearer ${stack.apiKey}`, "Content-Type": "application/json" };
    // three real jobs through the simulator, one of each kind of the batch mix, each ending with its outputs in R2
    const real = [];
    for (let i = 0; i < 3; i++)
      real.push(await api.waitFor((await api.create({ ...mixedSpec(i), tags: ["bench", "sweep"] })).id, 120_000));
    const notDone = real.filter((j) => j.status !== "succeeded");
    if (notDone.length > 0)
      throw new Error(`template jobs did not succeed: ${notDone.map((j) => j.status).join(", ")}`);
    const settings = await fetch(`${stack.worker}/v1/settings`, {
      method: "PUT",
      headers,
      body: JSON.stringify({ jobRetentionDays: 1 }),
    });
    if (!settings.ok) throw new Error(`PUT /v1/settings ${settings.status}: ${await settings.text()}`);
    // the backlog: copies of those jobs (object record, R2 objects, index row) created in January, long expired
    const base = Date.UTC(2026, 0, 1);
    const seeding = Date.now();
    for (let from = 0; from < jobs; from += CLONE_CHUNK * 3) {
      await Promise.all(
        real.map((template, t) => {
          const ids: string[] = [];
          const createdAt: number[] = [];
          for (let i = from + t; i < Math.min(jobs, from + CLONE_CHUNK * 3); i += 3) {
            ids.push(`job_sweep${String(i).padStart(15, "0")}`);
            createdAt.push(base + i * 1000);
          }
          return ids.length > 0 ? bench("clone", { from: template.id, ids, createdAt }) : undefined;
        }),
      );
    }
    console.log(`bench: lifecycle: ${jobs} expired jobs seeded in ${((Date.now() - seeding) / 1000).toFixed(0)} s`);
    const before = await bench<Left>("left");
    if (before.listed !== jobs) throw new Error(`${before.listed} of ${jobs} clones are listed`);
    const requestsBefore = ((await (await fetch(`${stack.sim}/__sim/requests`)).json()) as unknown[]).length;
    await bench("reset", {});
    const tickMs: number[] = [];
    const deletedPerTick: number[] = [];
    const started = Date.now();
    let listed = before.listed;
    // ticks back to back (the platform leaves a minute between them) until a tick deletes nothing
    for (let idle = 0; idle < 2; ) {
      tickMs.push((await bench<{ ms: number }>("tick", {})).ms);
      const now = (await bench<Left>("left")).listed;
      deletedPerTick.push(listed - now);
      idle = listed === now ? idle + 1 : 0;
      listed = now;
      if (tickMs.length % 25 === 0) console.log(`bench: lifecycle: ${tickMs.length} ticks, ${listed} left`);
    }
    const wallSeconds = (Date.now() - started) / 1000;
    const counts = await bench<Counts>("counts");
    await sleep(1000);
    const after = await bench<Left>("left");
    const requests = (await (await fetch(`${stack.sim}/__sim/requests`)).json()) as { path: string }[];
    const wiroDeletes = requests.slice(requestsBefore).filter((r) => r.path.includes("InputOutputDelete")).length;
    const templates = real.map((j) => {
      const view = j as unknown as { model: string; outputs?: unknown[] };
      return { model: view.model, outputs: view.outputs?.length ?? 0, provider: view.model.split("/")[0]! };
    });
    return {
      jobs,
      r2ObjectsBefore: before.r2Objects,
      r2ObjectsAfter: after.r2Objects,
      left: after.listed,
      tickMs,
      deletedPerTick,
      wallSeconds,
      counts,
      wiroDeletes,
      templates,
    };
  } finally {
    stack.stop();
    await sleep(1500);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const fixed = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export async function lifecycleBenchmark(): Promise<Section> {
  // BENCH_SWEEP_JOBS: the backlog sizes, e.g. 1000,10000 (the last is the headline; the first gives the ratio)
  const sizes = (process.env.BENCH_SWEEP_JOBS ?? "10000").split(",").map(Number);
  const runs: SweepRun[] = [];
  for (const jobs of sizes) runs.push(await sweepRun(jobs));
  const main = runs[runs.length - 1]!;
  const working = (r: SweepRun) => r.tickMs.filter((_, i) => (r.deletedPerTick[i] ?? 0) > 0);
  const sweepMs = (r: SweepRun) => sum(working(r));
  const reads = (r: SweepRun) => sum(Object.values(r.counts.d1).map((t) => t.rowsRead));
  const writes = (r: SweepRun) => sum(Object.values(r.counts.d1).map((t) => t.rowsWritten));
  const row = (r: SweepRun) => {
    const w = working(r);
    const firstTen = w.slice(0, 10);
    const lastTen = w.slice(-10);
    return `| ${r.jobs.toLocaleString("en")} | ${w.length} | ${(sweepMs(r) / 1000).toFixed(1)} | ${fixed(sweepMs(r) / r.jobs)} | ${fixed(reads(r) / r.jobs)} | ${fixed(writes(r) / r.jobs)} | ${Math.max(...r.deletedPerTick)} | ${percentile(w, 50).toFixed(0)} / ${Math.max(...w).toFixed(0)} | ${(sum(firstTen) / firstTen.length).toFixed(0)} / ${(sum(lastTen) / lastTen.length).toFixed(0)} | ${r.left} | ${r.r2ObjectsBefore} → ${r.r2ObjectsAfter} | ${r.wiroDeletes} |`;
  };
  const statements = Object.entries(main.counts.d1)
    .sort((a, b) => b[1].rowsRead + b[1].rowsWritten - (a[1].rowsRead + a[1].rowsWritten))
    .map(
      ([sql, t]) =>
        `| \`${sql.replace(/\|/g, "\\|")}\` | ${t.calls} | ${fixed(t.rowsRead / main.jobs)} | ${fixed(t.rowsWritten / main.jobs)} |`,
    );
  const r2 = Object.entries(main.counts.r2)
    .map(([op, n]) => `${op} ${fixed(n / main.jobs)}`)
    .join(", ");
  const small = runs.length > 1 ? runs[0]! : undefined;
  const markdown = `## Retention sweep

A backlog of expired jobs cleared by the cron tick's retention sweep (src/lifecycle/retention.ts:
at most ${PER_TICK} jobs a tick, oldest first, each deleted by its own Durable Object as \`DELETE\` does).
Fresh local stack per size, run through a benchmark-only entry (test/bench/lifecycle-worker/worker.ts)
that is src/index.ts with D1 and R2 counted. The backlog: three real jobs of the batch mix
(${main.templates.map((t) => `${t.model}, ${t.outputs} output${t.outputs === 1 ? "" : "s"}`).join("; ")}) run through the simulator, then each
copied (its object's record, its R2 objects, its index row with a \`created_at\` in January) until
there are ${sizes.map((s) => s.toLocaleString("en")).join(" / ")} copies, with \`jobRetentionDays: 1\`. So each job has what the sweep
must erase: its record in its object (replaced by a tombstone), its R2 objects, its index row
(\`deleted_at\`) and delivery log, and for the Wiro third a \`Task/InputOutputDelete\` at the
simulator. No webhooks (a job with webhook messages costs one more object call per message).
Ticks are run back to back (the platform runs one a minute), each to its end (its \`waitUntil\`
work included), until two in a row delete nothing. Sweep time: the ticks that deleted something.
D1 rows: \`meta.rows_read\` / \`meta.rows_written\` of every statement the worker and its objects ran
during the ticks (what D1 bills), including the tick's other passes (due schedules, idle jobs).
The machine was shared with other sessions' work (2 cores), so times are noisy.

| expired jobs | ticks | sweep s | ms per job | D1 rows read per job | D1 rows written per job | most deleted in a tick | tick ms p50 / max | first 10 / last 10 ticks, mean ms | left listed | R2 objects before → after | Wiro deletes |
|---|---|---|---|---|---|---|---|---|---|---|---|
${runs.map(row).join("\n")}

${small ? `From ${small.jobs.toLocaleString("en")} to ${main.jobs.toLocaleString("en")} expired jobs: ms per job ×${(sweepMs(main) / main.jobs / (sweepMs(small) / small.jobs)).toFixed(2)}, D1 rows read per job ×${(reads(main) / main.jobs / (reads(small) / small.jobs)).toFixed(2)} (1.00: flat).\n\n` : ""}Bounded work per tick: no tick deleted more than ${PER_TICK} jobs, and a tick does not grow with what is
left: the first 10 ticks of the ${main.jobs.toLocaleString("en")}-job backlog averaged ${(sum(working(main).slice(0, 10)) / 10).toFixed(0)} ms, the last 10 ${(sum(working(main).slice(-10)) / 10).toFixed(0)} ms
(the spread is the shared machine's load), and rows read per job stay flat with the backlog's size. At one tick a minute that backlog
clears in ${Math.ceil(main.jobs / PER_TICK)} minutes. Per statement at ${main.jobs.toLocaleString("en")} jobs (per expired job; the sweep's query reads
the expired rows through the \`jobs_retention\` index, ${PER_TICK} a tick):

| statement | calls | rows read per job | rows written per job |
|---|---|---|---|
${statements.join("\n")}

R2 calls per job: ${r2 || "none"}. Wall time of the ${main.jobs.toLocaleString("en")}-job run's ticks with the checks
between them: ${main.wallSeconds.toFixed(0)} s. Knobs: \`npm run bench -- lifecycle\` (\`--write\` to put it into the files),
\`BENCH_SWEEP_JOBS\` the backlog sizes (default 10000; \`1000,10000\` adds the ratio; the last is the headline figure).
`;
  return {
    markdown,
    figures: {
      "lifecycle.sweepJobs": main.jobs,
      "lifecycle.sweepMsPerJob": sweepMs(main) / main.jobs,
      "lifecycle.sweepD1RowsReadPerJob": reads(main) / main.jobs,
      "lifecycle.sweepD1RowsWrittenPerJob": writes(main) / main.jobs,
      "lifecycle.sweepTicks": working(main).length,
      ...(small
        ? { "lifecycle.sweepMsPerJobRatioToSmall": sweepMs(main) / main.jobs / (sweepMs(small) / small.jobs) }
        : {}),
    },
  };
}
