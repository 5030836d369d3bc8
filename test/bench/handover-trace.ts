// The hand-over of a provider slot, reconstructed from what the simulator saw (every request with
// its arrival time, every task with its creation time) and the jobs' own timestamps: how long
// after a task ended the job noticed, how long until the next job's task reached the provider,
// and how long the copy took off the slot's path.
import { writeFileSync } from "node:fs";
import { mean, percentile } from "./lib.ts";

export interface TracedTask {
  provider: "weshop" | "wiro";
  id: string;
  token?: string;
  createdAt: number;
}

export interface TracedRequest {
  at: number;
  target: string;
  method: string;
  path: string;
  body: string;
}

export interface TracedJob {
  /** The task's id at the provider (WeShop executionId, Wiro taskid). */
  taskId: string | null;
  completedAt?: string;
}

export interface HandOverRow {
  step: string;
  values: number[];
}

/** Status requests for each task, by task id, in arrival order. */
function statusRequests(tasks: TracedTask[], requests: TracedRequest[]): Map<string, number[]> {
  const byTask = new Map<string, number[]>();
  const byToken = new Map<string, string>();
  for (const t of tasks) {
    byTask.set(t.id, []);
    if (t.token) byToken.set(t.token, t.id);
  }
  for (const r of requests) {
    if (r.target === "weshop.poll") {
      const id = r.path.split("?")[0]!.split("/").pop()!;
      byTask.get(id)?.push(r.at);
    } else if (r.target === "wiro.detail") {
      const token = [...byToken.keys()].find((k) => r.body.includes(k));
      if (token) byTask.get(byToken.get(token)!)?.push(r.at);
    }
  }
  return byTask;
}

/**
 * Per provider: end → noticed (the first status request after the task's end), noticed → the
 * next job's task created at the provider (the k-th slot freed lets the (cap+k)-th task in), and
 * noticed → the job succeeded (the copy, which no longer holds the slot).
 */
export function traceHandOver(
  tasks: TracedTask[],
  requests: TracedRequest[],
  jobs: TracedJob[],
  runMs: number,
  caps: Record<"weshop" | "wiro", number>,
  dumpTo?: string,
): Record<"weshop" | "wiro", HandOverRow[]> {
  const polls = statusRequests(tasks, requests);
  // each task's creation and status requests, to look at one slot's story (BENCH_TRACE_DUMP)
  if (dumpTo)
    writeFileSync(
      dumpTo,
      JSON.stringify(
        tasks.map((t) => ({ provider: t.provider, id: t.id, createdAt: t.createdAt, polls: polls.get(t.id) })),
      ),
    );
  const completed = new Map(
    jobs.filter((j) => j.taskId && j.completedAt).map((j) => [j.taskId!, Date.parse(j.completedAt!)]),
  );
  const out = {} as Record<"weshop" | "wiro", HandOverRow[]>;
  for (const provider of ["weshop", "wiro"] as const) {
    const own = tasks.filter((t) => t.provider === provider);
    const notice: number[] = [];
    const noticed: number[] = [];
    const copy: number[] = [];
    const before: number[] = [];
    for (const t of own) {
      const end = t.createdAt + runMs;
      const asked = polls.get(t.id) ?? [];
      // the first request at or after the end; else the last one, which found the run done a moment
      // before the end as computed here (the simulator's clock and the task's creation time differ by a
      // millisecond or so): skipping that task would pair every later notice with the wrong task start
      const seen = asked.find((at) => at >= end) ?? asked.at(-1);
      before.push(asked.filter((at) => at < end).length);
      if (seen === undefined) continue;
      notice.push(seen - end);
      noticed.push(seen);
      const done = completed.get(t.id);
      if (done !== undefined) copy.push(done - seen);
    }
    const starts = own.map((t) => t.createdAt).sort((a, b) => a - b);
    noticed.sort((a, b) => a - b);
    const handOver: number[] = [];
    for (let k = 0; k + caps[provider] < starts.length && k < noticed.length; k++)
      handOver.push(starts[k + caps[provider]]! - noticed[k]!);
    out[provider] = [
      { step: "task ends → job notices (first status request after the end)", values: notice },
      { step: "job notices → next job's task created at the provider (slot hand-over)", values: handOver },
      { step: "job notices → job succeeded (copy into R2, off the slot)", values: copy },
      { step: "status requests per task before its end", values: before },
    ];
  }
  return out;
}

export function handOverTable(rows: Record<"weshop" | "wiro", HandOverRow[]>, runMs: number): string {
  const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : "–");
  const lines = ["| provider | step | n | mean ms | p50 ms | p95 ms |", "|---|---|---|---|---|---|"];
  for (const provider of ["weshop", "wiro"] as const) {
    lines.push(`| ${provider} | the run itself (simulator) | – | ${runMs} | ${runMs} | ${runMs} |`);
    for (const row of rows[provider]) {
      const isCount = row.step.startsWith("status requests");
      const f = isCount ? (v: number) => v.toFixed(2) : fmt;
      lines.push(
        `| ${provider} | ${row.step} | ${row.values.length} | ${f(mean(row.values))} | ${f(percentile(row.values, 50))} | ${f(percentile(row.values, 95))} |`,
      );
    }
  }
  return lines.join("\n");
}
