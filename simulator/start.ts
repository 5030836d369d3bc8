// `npm start`: the whole product on this machine with no provider keys. Starts the provider
// simulator and the worker under `wrangler dev` (local Durable Objects and R2) pointed at it,
// runs one job per model through the public API in a compact live view, checks each stored
// output downloads, and names the dashboard. The two processes' output goes to files it names
// (`npm start -- --logs` shows it inline instead).
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DEV_WEBHOOK_SECRET, type LocalStack, startLocalStack } from "./local-stack.ts";
import { DEMO_PIPELINE, pipelineEnded, pipelineJobIds, pipelineLine } from "./start-pipeline.ts";
import { type Job, jobLine, liveView } from "./start-view.ts";

const inlineLogs = process.argv.includes("--logs") || Boolean(process.env.SEEDRUN_LOGS);
const LOG_DIR = "logs";

let stack: LocalStack | undefined;
function stopAll(code = 0): void {
  stack?.stop();
  process.exit(code);
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

async function call(path: string, init: RequestInit = {}) {
  const res = await fetch(`${stack!.worker}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${stack!.apiKey}`, "Content-Type": "application/json", ...init.headers },
  });
  return { status: res.status, body: (await res.json()) as Job };
}

/** Fetches a media link like a browser would (no API key) and checks it is the stored object. */
async function checkDownload(url: string, size: number, contentType: string): Promise<string> {
  const res = await fetch(url);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const ok = res.status === 200 && bytes.byteLength === size && res.headers.get("content-type") === contentType;
  if (!ok)
    throw new Error(
      `media link ${url} did not serve the stored object (HTTP ${res.status}, ${bytes.byteLength} bytes)`,
    );
  return `${contentType}, ${bytes.byteLength} bytes, downloads without the API key ✓`;
}

const DEMO_JOBS = [
  { model: "weshop/seedream", params: { textDescription: "a red fox in fresh snow", batchCount: 2 } },
  {
    model: "weshop/seedance",
    params: { textDescription: "the fox runs", images: ["https://images.example.com/fox.png"] },
  },
  {
    model: "weshop/seedance-25",
    params: { textDescription: "the fox runs through the forest, one long take", duration: "8s" },
  },
  { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle at dawn", resolution: "720p" } },
];

async function demo() {
  const dashboard = `${stack!.worker}/dashboard`;
  console.log(`\n  seedrun is up. Dashboard: ${dashboard}  (API key: ${stack!.apiKey})\n`);
  console.log("  One demo job per model through the public API:\n");
  const jobs = new Map<string, Job>();
  for (const spec of DEMO_JOBS) {
    const { status, body } = await call("/v1/jobs", { method: "POST", body: JSON.stringify(spec) });
    if (status !== 202) throw new Error(`POST /v1/jobs answered ${status}: ${JSON.stringify(body)}`);
    jobs.set(body.id, body);
  }
  // and one pipeline: a still, then a clip made from it (its jobs join the view as they start)
  const created = await call("/v1/pipelines", { method: "POST", body: JSON.stringify(DEMO_PIPELINE) });
  if (created.status !== 202)
    throw new Error(`POST /v1/pipelines answered ${created.status}: ${JSON.stringify(created.body)}`);
  let pipeline = created.body;
  const view = liveView();
  const show = () => {
    const lines = [...jobs.values()].map((j) => jobLine(j));
    if (process.stdout.isTTY) view.draw(lines);
    else for (const j of jobs.values()) if (view.changed(j)) console.log(jobLine(j));
  };
  const deadline = Date.now() + 5 * 60_000;
  while (Date.now() < deadline) {
    pipeline = (await call(`/v1/pipelines/${pipeline.id}`)).body;
    for (const id of pipelineJobIds(pipeline)) if (!jobs.has(id)) jobs.set(id, { id });
    await Promise.all([...jobs.keys()].map(async (id) => jobs.set(id, (await call(`/v1/jobs/${id}`)).body)));
    show();
    if (
      [...jobs.values()].every((j) => ["succeeded", "failed", "canceled"].includes(j.status)) &&
      pipelineEnded(pipeline)
    )
      break;
    await sleep(500);
  }
  console.log(`\n${pipelineLine(pipeline)}`);
  console.log("\n  Stored outputs (signed links):\n");
  for (const job of jobs.values())
    for (const o of job.outputs ?? []) {
      if (!o.url) {
        console.log(`  ${job.id} #${o.index}: ${o.error ?? o.status}`);
        continue;
      }
      console.log(`  ${job.id} #${o.index}: ${await checkDownload(o.url, o.size, o.contentType)}\n    ${o.url}`);
    }
  const logs = inlineLogs
    ? "shown inline (--logs)"
    : `${join(LOG_DIR, "worker.log")}, ${join(LOG_DIR, "simulator.log")} (npm start -- --logs shows them here)`;
  console.log(`
  == the product is running
     Dashboard ${dashboard}  (paste the API key ${stack!.apiKey})
     API       ${stack!.worker}  (Authorization: Bearer ${stack!.apiKey}; reference at ${stack!.worker}/docs)
     Simulator ${stack!.sim}  (faults: POST ${stack!.sim}/__sim/faults, captured requests: GET ${stack!.sim}/__sim/requests)
     Logs      ${logs}

     For the client and the CLI (docs/client.md, docs/cli.md), paste:
       export SEEDRUN_URL=${stack!.worker} SEEDRUN_API_KEY=${stack!.apiKey}
       npx seedrun run weshop/seedream -p textDescription="a lighthouse" --out out
     Webhook secret (verifyWebhook, Standard Webhooks): ${DEV_WEBHOOK_SECRET}
     A pipeline (docs/pipelines.md): curl -s -X POST ${stack!.worker}/v1/pipelines … with {"steps": [...]}

     curl -s -X POST ${stack!.worker}/v1/jobs -H 'Authorization: Bearer ${stack!.apiKey}' -H 'Content-Type: application/json' \\
       -d '{"model":"weshop/seedream","params":{"textDescription":"a lighthouse"}}'

     Media is stored in the local R2 bucket under .wrangler/state; the links above serve it.
     Ctrl-C stops everything.
`);
  if (process.env.SEEDRUN_DEMO_EXIT) stopAll(0);
}

try {
  console.log(
    `  Starting the provider simulator and the worker (wrangler dev)…${inlineLogs ? "" : ` their output goes to ${LOG_DIR}/`}`,
  );
  // SEEDRUN_PORT / SEEDRUN_SIM_PORT: other ports than 8787 / 8790, e.g. when those are taken
  const ports = {
    port: Number(process.env.SEEDRUN_PORT ?? 8787),
    simPort: Number(process.env.SEEDRUN_SIM_PORT ?? 8790),
  };
  stack = await startLocalStack({
    ...ports,
    quiet: Boolean(process.env.SEEDRUN_QUIET),
    ...(inlineLogs ? {} : { logDir: LOG_DIR }),
  });
  await demo();
} catch (err) {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  if (!inlineLogs) console.error(`  see ${join(LOG_DIR, "worker.log")} and ${join(LOG_DIR, "simulator.log")}`);
  stopAll(1);
}
