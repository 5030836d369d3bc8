// The floors under the batch hand-over, measured in the same run as the batch itself: the same
// jobs, simulator, run length and caps, done by bare Durable Objects (test/bench/handover-floor),
// with nothing else or with the storage work every job must do (its D1 index row, its outputs
// copied into R2). What the floors are above the bound is the local runtime's (one thread for
// every object, alarm and request) and the simulator's; what seedrun is above them is its own.
import { rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { startLocalStack } from "../../simulator/local-stack.ts";
import { type HandOverRow, type TracedRequest, type TracedTask, traceHandOver } from "./handover-trace.ts";
import { mean, memoryStateDir, peakByProvider, stackPorts } from "./lib.ts";
import { workerdCpuSeconds } from "./process-cpu.ts";

export interface FloorRun {
  seconds: number;
  /** CPU the worker's runtime (workerd) used for the batch, per job. */
  cpuMsPerJob: number;
  tasks: number;
  peak: Record<"weshop" | "wiro", number>;
  trace: Record<"weshop" | "wiro", HandOverRow[]>;
}

export async function handOverFloor(
  jobs: number,
  runMs: number,
  caps: Record<"weshop" | "wiro", number>,
  requiredWork: boolean,
): Promise<FloorRun> {
  const dir = memoryStateDir("seedrun-bench-floor-");
  const stack = await startLocalStack({
    ...stackPorts(),
    quiet: true,
    persistTo: dir,
    config: "test/bench/handover-floor/wrangler.toml",
    cronTicks: false,
    // the seedrun batch and both floors alike: see StackOptions.localObservability and devtools
    localObservability: false,
    devtools: false,
    simEnv: { SIM_DURATION_MS: String(runMs) },
    vars: {
      WESHOP_MAX_CONCURRENCY: String(caps.weshop),
      WIRO_MAX_CONCURRENCY: String(caps.wiro),
      RUN_MS: String(runMs),
      REQUIRED_WORK: requiredWork ? "1" : "0",
    },
  });
  try {
    // one small batch first, so the measured one does not pay for the isolate's first requests
    await runBatch(stack.worker, "warm", 3 * (caps.weshop + caps.wiro));
    await fetch(`${stack.sim}/__sim/reset`, { method: "POST" });
    const cpuBefore = workerdCpuSeconds(stack.workerPid ?? 0);
    const seconds = await runBatch(stack.worker, "floor", jobs);
    const cpuMsPerJob = ((workerdCpuSeconds(stack.workerPid ?? 0) - cpuBefore) * 1000) / jobs;
    const tasks = (await (await fetch(`${stack.sim}/__sim/tasks`)).json()) as TracedTask[];
    const requests = (await (await fetch(`${stack.sim}/__sim/requests`)).json()) as TracedRequest[];
    return {
      seconds,
      cpuMsPerJob,
      tasks: tasks.length,
      peak: peakByProvider(tasks, runMs),
      trace: traceHandOver(tasks, requests, [], runMs, caps),
    };
  } finally {
    stack.stop();
    await sleep(2500);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
  }
}

/** Seconds from the batch's start to its last job's end, as the line object measured them. */
async function runBatch(worker: string, batch: string, jobs: number): Promise<number> {
  const res = await fetch(`${worker}/start?batch=${batch}&jobs=${jobs}`, { method: "POST" });
  if (res.status !== 202) throw new Error(`floor /start ${res.status}: ${await res.text()}`);
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    await sleep(500);
    const status = (await (await fetch(`${worker}/status?batch=${batch}`)).json()) as {
      left: number;
      seconds: number | null;
    };
    if (status.seconds !== null) return status.seconds;
    if (Date.now() > deadline) throw new Error(`floor batch ${batch}: ${status.left} jobs did not end`);
  }
}

/** seedrun's batch beside the two floors, as BENCHMARKS.md shows them. */
export function floorComparison(
  jobs: number,
  boundMs: number,
  ours: { done: number; cpuMsPerJob: number; tasks: number; peak: FloorRun["peak"]; trace: FloorRun["trace"] },
  required: FloorRun,
  bare: FloorRun,
): string {
  const runs: FloorRun[] = [{ ...ours, seconds: ours.done / 1000 }, required, bare];
  const row = (label: string, cell: (r: FloorRun) => string) => `| ${label} | ${runs.map(cell).join(" | ")} |`;
  const step = (provider: "weshop" | "wiro", i: number) => (r: FloorRun) =>
    `${mean(r.trace[provider][i]!.values).toFixed(0)} ms`;
  return `The floors under it, measured right after in the same run (test/bench/handover-floor): the same
${jobs} jobs, simulator, run length and caps, done by bare Durable Objects — a line object hands a
freed slot straight to the next job; a WeShop job polls first at the run's known end (which seedrun
has to learn) and then every 250 ms; a Wiro job confirms its callback with Task/Detail at once.
"Required work" adds what every seedrun job must do besides: its D1 index row written 4 times
and its outputs copied into R2 once its slot is free. No budgets, statistics, logs or webhooks.
What a floor is above the bound is the local runtime's and the simulator's (its callbacks go out
on a 250 ms tick); what seedrun is above the floors is its own. A floor's line object times its
batch itself; seedrun's end is read every 500 ms, so it may show up to half a second late.

| figure | seedrun | floor with required work | bare floor |
|---|---|---|---|
${row("all jobs ended", (r) => `${r.seconds.toFixed(1)} s`)}
${row(`measured / bound (${boundMs / 1000} s)`, (r) => ((r.seconds * 1000) / boundMs).toFixed(2))}
${row("workerd CPU per job (all of the runtime's threads)", (r) => `${r.cpuMsPerJob.toFixed(1)} ms`)}
${row("provider tasks, peak WeShop / Wiro", (r) => `${r.tasks}, ${r.peak.weshop} / ${r.peak.wiro}`)}
${row("WeShop: task ends → job notices, mean", step("weshop", 0))}
${row("WeShop: slot hand-over, mean", step("weshop", 1))}
${row("Wiro: task ends → job notices, mean", step("wiro", 0))}
${row("Wiro: slot hand-over, mean", step("wiro", 1))}

seedrun / floor with required work = ${(ours.done / (required.seconds * 1000)).toFixed(2)}; seedrun / bare floor = ${(ours.done / (bare.seconds * 1000)).toFixed(2)}.
`;
}
