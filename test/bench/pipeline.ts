// Pipeline hand-off: from one step's job ending to the next step's job being created and then
// submitted, over two-step pipelines (a Seedream still, then a Seedream edit of it) on the local
// stack: what the workflow adds between the steps (the job's event, the workflow's steps, D1).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startLocalStack } from "../../simulator/local-stack.ts";
import { client, mean, percentile, stackPorts } from "./lib.ts";
import type { Section } from "./section.ts";

const PIPELINES = Number(process.env.BENCH_PIPELINES ?? 100);
/** Pipelines running at once: below the local WeShop cap, so a slot never holds the second step up. */
const AT_ONCE = Number(process.env.BENCH_PIPELINES_AT_ONCE ?? 4);
const RUN_MS = 2_000;

const spec = (i: number) => ({
  steps: [
    { id: "still", model: "weshop/seedream", params: { textDescription: `still ${i}` } },
    {
      id: "edit",
      model: "weshop/seedream",
      params: { textDescription: `edit ${i}`, images: ["{{steps.still.outputs.0.url}}"] },
    },
  ],
});

interface Pipeline {
  id: string;
  status: string;
  completedAt?: string;
  steps: { jobIds: string[] }[];
}

export async function pipelineBenchmark(): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), "seedrun-bench-"));
  const stack = await startLocalStack({
    ...stackPorts(),
    quiet: true,
    persistTo: dir,
    simEnv: { SIM_DURATION_MS: String(RUN_MS) },
  });
  const headers = { Authorization: `Bearer ${stack.apiKey}`, "Content-Type": "application/json" };
  const api = client(stack);
  const toCreate: number[] = [];
  const toSubmit: number[] = [];
  const ownStart: number[] = [];
  try {
    const runOne = async (i: number) => {
      const res = await fetch(`${stack.worker}/v1/pipelines`, {
        method: "POST",
        headers,
        body: JSON.stringify(spec(i)),
      });
      if (res.status !== 202) throw new Error(`POST /v1/pipelines ${res.status}: ${await res.text()}`);
      let p = (await res.json()) as Pipeline;
      const deadline = Date.now() + 5 * 60_000;
      while (!(p.status !== "running" && p.completedAt)) {
        if (Date.now() > deadline) throw new Error(`pipeline ${p.id} did not end`);
        await sleep(250);
        p = (await (await fetch(`${stack.worker}/v1/pipelines/${p.id}`, { headers })).json()) as Pipeline;
      }
      if (p.status !== "succeeded") throw new Error(`pipeline ${p.id} ended ${p.status}`);
      const [first, second] = await Promise.all([api.get(p.steps[0]!.jobIds[0]!), api.get(p.steps[1]!.jobIds[0]!)]);
      const ended = Date.parse(first.completedAt!);
      toCreate.push(Date.parse(second.createdAt) - ended);
      toSubmit.push(Date.parse(second.startedAt!) - ended);
      // what any job takes from its creation to its submit, hand-off or not: the first step's job
      ownStart.push(Date.parse(first.startedAt!) - Date.parse(first.createdAt));
    };
    for (let i = 0; i < PIPELINES; i += AT_ONCE)
      await Promise.all(Array.from({ length: Math.min(AT_ONCE, PIPELINES - i) }, (_, j) => runOne(i + j)));
  } finally {
    stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const row = (name: string, v: number[]) =>
    `| ${name} | ${v.length} | ${Math.round(percentile(v, 50))} | ${Math.round(percentile(v, 95))} | ${Math.round(mean(v))} |`;
  const markdown = `## Pipeline hand-off

${PIPELINES} two-step pipelines (a Seedream still, then a Seedream edit given the still's signed
link), ${AT_ONCE} at a time on the local stack (worker and Cloudflare Workflows under \`wrangler
dev\`, simulator with ${RUN_MS / 1000} s runs). Milliseconds from the first job's \`completedAt\` (its
output stored) to the second job's \`createdAt\` (the job's end event sent, taken by the workflow,
the link signed, the job created) and \`startedAt\` (its submit answered).

| measure | pipelines | p50 ms | p95 ms | mean ms |
|---|---|---|---|---|
${row("step end → next step's job created", toCreate)}
${row("step end → next step submitted", toSubmit)}
${row("for comparison: first step's job created → submitted (no hand-off)", ownStart)}

The pipeline's own share is the first row (the event, the workflow's steps, D1, the signed link);
the rest of the second row is the time any new job takes from its creation to its submit answer
(third row: its first alarm, the provider slot, the submit).
`;
  return {
    markdown,
    figures: {
      "pipeline.handoffP50Ms": percentile(toSubmit, 50),
      "pipeline.handoffP95Ms": percentile(toSubmit, 95),
      "pipeline.handoffToCreateP95Ms": percentile(toCreate, 95),
      "pipeline.jobStartP95Ms": percentile(ownStart, 95),
    },
  };
}
