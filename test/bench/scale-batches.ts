import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startLocalStack } from "../../simulator/local-stack.ts";
import { mixedSpec, peakByProvider, stackPorts } from "./lib.ts";
import { countWrites, wrangler, writesSoFar } from "./scale-d1.ts";
import { gateRequests } from "./scale-gate.ts";

export const RUN_MS = 1000;
export const CAPS = { weshop: 60, wiro: 30 };

interface SimTask {
  provider: "weshop" | "wiro";
  createdAt: number;
}

export interface BatchRun {
  jobs: number;
  seconds: number;
  tasks: number;
  peakWeshop: number;
  peakWiro: number;
  d1RowsPerJob: number;
  providerRequestsPerJob: number;
  /** Calls to the ProviderGates (acquire, renew, release, report) per job. */
  gateRequestsPerJob: number;
  succeeded: number;
  /** Jobs that ended failed / submit_uncertain. */
  submitUncertain: number;
  /** Jobs that did not succeed, by status and error code, e.g. "failed timeout". */
  otherEndings: Record<string, number>;
}

/** How the batches' jobs that did not succeed ended: status and error code, counted. */
async function endings(
  worker: string,
  headers: Record<string, string>,
  ids: string[],
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const id of ids)
    for (const status of ["failed", "canceled", "queued", "running", "copying"]) {
      let cursor: string | null = null;
      do {
        const url = `${worker}/v1/batches/${id}/jobs?status=${status}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
        const page = (await (await fetch(url, { headers })).json()) as {
          data: { status: string; error?: { code: string } }[];
          nextCursor: string | null;
        };
        for (const j of page.data) {
          const key = `${j.status}${j.error ? ` ${j.error.code}` : ""}`;
          out[key] = (out[key] ?? 0) + 1;
        }
        cursor = page.nextCursor;
      } while (cursor);
    }
  return out;
}

/** `jobs` jobs as batches of at most 1000 (the API's limit), posted together, on a fresh stack. */
export async function batchRun(jobs: number): Promise<BatchRun> {
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
      const chunk = Array.from({ length: Math.min(1000, jobs - from) }, (_, i) => mixedSpec(from + i));
      const res = await fetch(`${stack.worker}/v1/batches`, {
        method: "POST",
        headers,
        body: JSON.stringify({ jobs: chunk }),
      });
      if (res.status !== 202) throw new Error(`POST /v1/batches ${res.status}: ${await res.text()}`);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const deadline = started + Number(process.env.BENCH_SCALE_MAX_S ?? 900) * 1000;
    let succeeded = 0;
    for (;;) {
      await sleep(1000);
      const views = await Promise.all(
        ids.map(
          async (id) =>
            (await (await fetch(`${stack.worker}/v1/batches/${id}`, { headers })).json()) as {
              status: string;
              counts: Record<string, number>;
            },
        ),
      );
      succeeded = views.reduce((n, v) => n + (v.counts.succeeded ?? 0), 0);
      if (views.every((v) => v.status === "completed")) break;
      if (Date.now() > deadline)
        throw new Error(`${jobs} jobs: not done after ${(Date.now() - started) / 1000} s (${succeeded} succeeded)`);
    }
    const seconds = (Date.now() - started) / 1000;
    const otherEndings = await endings(stack.worker, headers, ids);
    const tasks = (await (await fetch(`${stack.sim}/__sim/tasks`)).json()) as SimTask[];
    const requests = (await (await fetch(`${stack.sim}/__sim/requests`)).json()) as unknown[];
    stack.stop();
    await sleep(1500);
    const writes = await writesSoFar(dir);
    const gateCalls = gateRequests(dir);
    const peak = peakByProvider(tasks, RUN_MS);
    return {
      jobs,
      seconds,
      tasks: tasks.length,
      peakWeshop: peak.weshop,
      peakWiro: peak.wiro,
      d1RowsPerJob: writes / jobs,
      providerRequestsPerJob: requests.length / jobs,
      gateRequestsPerJob: gateCalls / jobs,
      succeeded,
      submitUncertain: otherEndings["failed submit_uncertain"] ?? 0,
      otherEndings,
    };
  } finally {
    stack.stop();
    // the stopped worker may still be writing: clean-up must never throw over a result
    await sleep(1500);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
  }
}
