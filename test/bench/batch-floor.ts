// The floor under the batch hand-over, measured in the same run as the batch itself: the same
// jobs, simulator, run length and caps, done by bare Durable Objects (test/bench/handover-floor).
// What seedrun adds above it is its own cost; what the floor itself is above the bound is the
// local runtime's (one thread for every object, alarms and RPCs).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startLocalStack } from "../../simulator/local-stack.ts";
import { type HandOverRow, type TracedRequest, type TracedTask, traceHandOver } from "./handover-trace.ts";
import { peakConcurrency, stackPorts } from "./lib.ts";

export interface FloorRun {
  seconds: number;
  tasks: number;
  peak: Record<"weshop" | "wiro", number>;
  trace: Record<"weshop" | "wiro", HandOverRow[]>;
}

export async function handOverFloor(
  jobs: number,
  runMs: number,
  caps: Record<"weshop" | "wiro", number>,
): Promise<FloorRun> {
  const dir = mkdtempSync(join(tmpdir(), "seedrun-bench-floor-"));
  const stack = await startLocalStack({
    ...stackPorts(),
    quiet: true,
    persistTo: dir,
    config: "test/bench/handover-floor/wrangler.toml",
    cronTicks: false,
    simEnv: { SIM_DURATION_MS: String(runMs) },
    vars: {
      WESHOP_MAX_CONCURRENCY: String(caps.weshop),
      WIRO_MAX_CONCURRENCY: String(caps.wiro),
      RUN_MS: String(runMs),
    },
  });
  try {
    // one small batch first, so the measured one does not pay for the isolate's first requests
    await runBatch(stack.worker, "warm", 3 * (caps.weshop + caps.wiro));
    await fetch(`${stack.sim}/__sim/reset`, { method: "POST" });
    const seconds = await runBatch(stack.worker, "floor", jobs);
    const tasks = (await (await fetch(`${stack.sim}/__sim/tasks`)).json()) as TracedTask[];
    const requests = (await (await fetch(`${stack.sim}/__sim/requests`)).json()) as TracedRequest[];
    return {
      seconds,
      tasks: tasks.length,
      peak: {
        weshop: peakConcurrency(
          tasks.filter((t) => t.provider === "weshop"),
          runMs,
        ),
        wiro: peakConcurrency(
          tasks.filter((t) => t.provider === "wiro"),
          runMs,
        ),
      },
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
