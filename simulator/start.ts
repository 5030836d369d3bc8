// `npm start`: the whole product on this machine with no provider keys. Starts the provider
// simulator and the worker under `wrangler dev` (local Durable Objects and R2) pointed at it,
// then runs one job per model through the public API and prints where the media landed.
import { setTimeout as sleep } from "node:timers/promises";
import { startLocalStack, type LocalStack } from "./local-stack.ts";

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
  // biome-ignore lint/suspicious/noExplicitAny: the demo prints fields of whatever the API answered
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Fetches a media link like a browser would (no API key) and checks it is the stored object. */
async function checkDownload(url: string, size: number, contentType: string) {
  const res = await fetch(url);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const ok = res.status === 200 && bytes.byteLength === size && res.headers.get("content-type") === contentType;
  console.log(`     downloaded without API key: HTTP ${res.status}, ${bytes.byteLength} bytes, ${res.headers.get("content-type")} ${ok ? "✓" : "✗ MISMATCH"}`);
  if (!ok) throw new Error(`media link ${url} did not serve the stored object`);
}

const DEMO_JOBS = [
  { model: "weshop/seedream", params: { textDescription: "a red fox in fresh snow", batchCount: 2 } },
  { model: "weshop/seedance", params: { textDescription: "the fox runs", images: ["https://images.example.com/fox.png"] } },
  { model: "weshop/seedance-25", params: { textDescription: "the fox runs through the forest, one long take", duration: "8s" } },
  { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle at dawn", resolution: "720p" } },
];

async function demo() {
  console.log("\n== seedrun demo: one job per model through the public API\n");
  const ids: string[] = [];
  for (const spec of DEMO_JOBS) {
    const { status, body } = await call("/v1/jobs", { method: "POST", body: JSON.stringify(spec) });
    if (status !== 202) throw new Error(`POST /v1/jobs answered ${status}: ${JSON.stringify(body)}`);
    console.log(`created ${body.id} (${spec.model})`);
    ids.push(body.id);
  }
  const deadline = Date.now() + 5 * 60_000;
  const last = new Map<string, string>();
  while (Date.now() < deadline) {
    let pending = 0;
    for (const id of ids) {
      const { body } = await call(`/v1/jobs/${id}`);
      if (last.get(id) !== body.status) console.log(`${id} → ${body.status} (provider: ${body.provider?.status ?? "-"}, polls: ${body.polls})`);
      last.set(id, body.status);
      if (!["succeeded", "failed", "canceled"].includes(body.status)) pending++;
      else if (!last.has(`${id}:printed`)) {
        last.set(`${id}:printed`, "1");
        if (body.error) console.log(`   error: ${body.error.code}: ${body.error.message}`);
        for (const o of body.outputs) {
          console.log(`   output ${o.index}: ${o.status} ${o.contentType ?? ""} ${o.size ?? ""} bytes\n     ${o.url ?? o.error}`);
          if (o.url) await checkDownload(o.url, o.size, o.contentType);
        }
      }
    }
    if (pending === 0) break;
    await sleep(1000);
  }
  console.log(`
== the product is running
   API       ${stack!.worker}  (Authorization: Bearer ${stack!.apiKey})
   simulator ${stack!.sim}    (faults: POST ${stack!.sim}/__sim/faults, captured requests: GET ${stack!.sim}/__sim/requests)

   curl -s -X POST ${stack!.worker}/v1/jobs -H 'Authorization: Bearer ${stack!.apiKey}' -H 'Content-Type: application/json' \\
     -d '{"model":"weshop/seedream","params":{"textDescription":"a lighthouse"}}'
   curl -s ${stack!.worker}/v1/jobs/<id> -H 'Authorization: Bearer ${stack!.apiKey}'

   Media is stored in the local R2 bucket under .wrangler/state; the output URLs above serve it.
   Ctrl-C stops everything.
`);
  if (process.env.SEEDRUN_DEMO_EXIT) stopAll(0);
}

try {
  stack = await startLocalStack({ quiet: Boolean(process.env.SEEDRUN_QUIET) });
  await demo();
} catch (err) {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  stopAll(1);
}
