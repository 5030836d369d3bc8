// Media copy: a large Wiro output copied into R2 by the worker, with and without
// Content-Length, against a direct R2 put of the same bytes; and the worker's memory.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startLocalStack } from "../../simulator/local-stack.ts";
import { client } from "./lib.ts";

const MiB = 1024 * 1024;

/** Every process below `root` (wrangler, its workerd). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

/** Resident memory (bytes) of the workerd processes under `root`. */
function workerdRss(root: number): number {
  let total = 0;
  for (const pid of descendants(root)) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd")) continue;
      const line = readFileSync(`/proc/${pid}/status`, "utf8")
        .split("\n")
        .find((l) => l.startsWith("VmRSS:"));
      total += Number(line?.split(/\s+/)[1] ?? 0) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

interface CopyRun {
  bytes: number;
  chunked: boolean;
  copyMs: number;
  rssGrowth: number;
  baselineMs: number;
  baselineRssGrowth: number;
}

async function copyOnce(bytes: number, chunked: boolean): Promise<CopyRun> {
  const dir = mkdtempSync(join(tmpdir(), "seedrun-bench-media-"));
  const stack = await startLocalStack({
    quiet: true,
    persistTo: dir,
    simEnv: { SIM_DURATION_MS: "1000", SIM_WIRO_OUTPUT_BYTES: String(bytes), SIM_WIRO_OUTPUT_CHUNKED: chunked ? "1" : "0" },
    vars: { MEDIA_TIMEOUT_MS: "900000" },
  });
  try {
    const api = client(stack);
    await sleep(2000);
    const idle = workerdRss(stack.workerPid!);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, workerdRss(stack.workerPid!))), 100);
    const job = await api.create({ model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "big" } });
    const [done] = await api.waitAll([job.id], 15 * 60_000);
    clearInterval(sampler);
    const view = done as unknown as { status: string; completedAt: string; provider: { callbackReceivedAt?: string }; outputs: { size: number }[] };
    if (view.status !== "succeeded" || view.outputs[0]?.size !== bytes) throw new Error(`copy of ${bytes} bytes ended ${JSON.stringify(done)}`);
    const copyMs = Date.parse(view.completedAt) - Date.parse(view.provider.callbackReceivedAt ?? view.completedAt);
    const base = await baseline(stack.sim, bytes, dir);
    return { bytes, chunked, copyMs, rssGrowth: peak - idle, baselineMs: base.ms, baselineRssGrowth: base.rssGrowth };
  } finally {
    stack.stop();
    await sleep(500);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same bytes put straight into R2 by a minimal worker on the same runtime. */
async function baseline(sim: string, bytes: number, dir: string): Promise<{ ms: number; rssGrowth: number }> {
  const port = 8788;
  const child = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "--config",
      "test/bench/r2-baseline/wrangler.toml",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      join(dir, "baseline"),
      "--show-interactive-dev-session=false",
    ],
    { stdio: "ignore", detached: true, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  try {
    for (let i = 0; i < 240; i++) {
      if (
        await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await sleep(250);
    }
    await sleep(1000);
    const idle = workerdRss(child.pid!);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, workerdRss(child.pid!))), 100);
    const res = await fetch(`http://127.0.0.1:${port}/put?source=${encodeURIComponent(`${sim}/files/big/${bytes}.mp4`)}&size=${bytes}`);
    clearInterval(sampler);
    const body = (await res.json()) as { ms: number; size: number };
    if (body.size !== bytes) throw new Error(`baseline stored ${body.size} bytes`);
    return { ms: body.ms, rssGrowth: peak - idle };
  } finally {
    if (child.pid) process.kill(-child.pid, "SIGTERM");
  }
}

/**
 * What the RSS figures do and do not show. Under wrangler dev the local R2 store runs inside the
 * same workerd process, so the process grows with the file even for the direct put, which holds
 * nothing itself; the worker's own share is what the copy adds on top of that baseline.
 */
function memoryVerdict(runs: CopyRun[]): string {
  const MB = (n: number) => `${(n / MiB).toFixed(0)} MiB`;
  const lines = [true, false].flatMap((chunked) => {
    const same = runs.filter((r) => r.chunked === chunked).sort((a, b) => a.bytes - b.bytes);
    if (same.length === 0) return [];
    const extra = same.map((r) => `${MB(r.rssGrowth - r.baselineRssGrowth)} at ${MB(r.bytes)}`).join(", ");
    const base = same.map((r) => MB(r.baselineRssGrowth)).join(" → ");
    return [
      `- ${chunked ? "unknown length (multipart)" : "known length (one put)"}: the direct put alone grows the process by ${base}; the copy adds ${extra}.`,
    ];
  });
  const worst = Math.max(...runs.map((r) => r.rssGrowth - r.baselineRssGrowth));
  return `Memory: process RSS is an upper bound, not the isolate's heap. The local R2 store runs in the
same workerd process, so the direct put — which holds no bytes itself — grows with the file too:

${lines.join("\n")}

By design the copy holds one 1 MiB piece (known length) or one 8 MiB part (multipart) at a time,
plus the runtime's stream buffers. Where the extra grows with the file, that design does not
explain it: it is either pieces the runtime has not released yet (garbage the isolate has not
collected) or data held somewhere; this measure cannot tell which. Target "far below 128 MB, independent of size": ${worst <= 64 * MiB ? "met on this measure" : `not shown by this measure (largest extra ${MB(worst)})`}.
What would settle it: the isolate's own figure on deployed Workers (a 1 GiB copy there fails with
\`exceededMemory\` if the bound does not hold), or local R2 in a separate process from the worker.`;
}

export async function mediaBenchmark(): Promise<string> {
  const runs: CopyRun[] = [];
  // BENCH_MEDIA_MIB=64,16 for a quick look; the report uses 1 GiB and 256 MiB
  const sizes = (process.env.BENCH_MEDIA_MIB ?? "1024,256").split(",").map((n) => Number(n) * MiB);
  for (const bytes of sizes) for (const chunked of [false, true]) runs.push(await copyOnce(bytes, chunked));
  const rows = runs.map((r) => {
    const mbps = (ms: number) => (r.bytes / MiB / (ms / 1000)).toFixed(0);
    return `| ${r.bytes / MiB} MiB | ${r.chunked ? "no (multipart)" : "yes (one put)"} | ${mbps(r.copyMs)} | ${mbps(r.baselineMs)} | ${(r.baselineMs / r.copyMs).toFixed(2)} | ${(r.rssGrowth / MiB).toFixed(1)} | ${(r.baselineRssGrowth / MiB).toFixed(1)} |`;
  });
  return `## Media copy

One Wiro job whose output is a synthetic MP4 streamed by the simulator (never held whole), copied
by the worker into local R2 under \`wrangler dev\`. Copy time = \`completedAt\` − \`callbackReceivedAt\`
(the confirming Task/Detail plus the copy, sha256 and size check). The baseline is a minimal
worker on the same runtime that fetches the same URL and puts the body into R2 through a
\`FixedLengthStream\` (test/bench/r2-baseline). Memory = peak resident size of the worker's
workerd process during the job, minus its size before (sampled every 100 ms from /proc).

| size | Content-Length | copy MiB/s | direct put MiB/s | copy/direct throughput | peak RSS growth MiB, copy | same, direct put |
|---|---|---|---|---|---|---|
${rows.join("\n")}

${memoryVerdict(runs)}
`;
}
