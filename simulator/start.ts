// `npm start`: the whole product on this machine with no provider keys. Starts the provider
// simulator, then the worker under `wrangler dev` (local Durable Objects and R2) pointed at it,
// then runs one job per model through the public API and prints where the media landed.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

const SIM_PORT = Number(process.env.SIM_PORT ?? 8790);
const PORT = Number(process.env.PORT ?? 8787);
const API_KEY = process.env.SEEDRUN_DEV_API_KEY ?? "dev-key";
const WORKER = `http://127.0.0.1:${PORT}`;
const SIM = `http://127.0.0.1:${SIM_PORT}`;

const children: ReturnType<typeof spawn>[] = [];
function stopAll(code = 0): void {
  // each child leads its own process group, so wrangler's workerd goes down with it
  for (const child of children) {
    try {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  process.exit(code);
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

function run(name: string, command: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => `[${name}] ${l}`)
      .join("\n");
  child.stdout?.on("data", (c: Buffer) => process.env.SEEDRUN_QUIET || console.log(prefix(c)));
  child.stderr?.on("data", (c: Buffer) => console.error(prefix(c)));
  child.on("exit", (code) => {
    console.error(`[${name}] exited with ${code}`);
    stopAll(code ?? 1);
  });
  children.push(child);
}

async function waitFor(url: string, seconds: number) {
  for (let i = 0; i < seconds * 4; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await sleep(250);
  }
  throw new Error(`${url} did not come up within ${seconds}s`);
}

async function call(path: string, init: RequestInit = {}) {
  const res = await fetch(`${WORKER}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${API_KEY}`, "Content-Type": "application/json", ...init.headers },
  });
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
   API       ${WORKER}  (Authorization: Bearer ${API_KEY})
   simulator ${SIM}    (faults: POST ${SIM}/__sim/faults, captured requests: GET ${SIM}/__sim/requests)

   curl -s -X POST ${WORKER}/v1/jobs -H 'Authorization: Bearer ${API_KEY}' -H 'Content-Type: application/json' \\
     -d '{"model":"weshop/seedream","params":{"textDescription":"a lighthouse"}}'
   curl -s ${WORKER}/v1/jobs/<id> -H 'Authorization: Bearer ${API_KEY}'

   Media is stored in the local R2 bucket under .wrangler/state; the output URLs above serve it.
   Ctrl-C stops everything.
`);
  if (process.env.SEEDRUN_DEMO_EXIT) stopAll(0);
}

for (const url of [`${SIM}/__sim/health`, `${WORKER}/healthz`]) {
  const inUse = await fetch(url).then(
    () => true,
    () => false,
  );
  if (inUse) {
    console.error(`${new URL(url).host} is already in use (an earlier npm start still running?); stop it or set SIM_PORT / PORT.`);
    process.exit(1);
  }
}

run("simulator", process.execPath, ["simulator/server.ts"], { SIM_PORT: String(SIM_PORT) });
await waitFor(`${SIM}/__sim/health`, 20);
const vars: Record<string, string> = {
  API_KEYS: API_KEY,
  SIGNING_SECRET: "dev-signing-secret-not-for-production",
  WESHOP_API_KEY: "sim-weshop-key",
  WIRO_API_KEY: "sim-wiro-key",
  WIRO_API_SECRET: "sim-wiro-secret",
  WESHOP_BASE_URL: `${SIM}/weshop/openapi`,
  WIRO_BASE_URL: `${SIM}/wiro/v1`,
  PUBLIC_BASE_URL: WORKER,
};
run(
  "worker",
  "npx",
  ["wrangler", "dev", "--port", String(PORT), "--ip", "127.0.0.1", ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`])],
  { WRANGLER_SEND_METRICS: "false" },
);
await waitFor(`${WORKER}/healthz`, 90);
try {
  await demo();
} catch (err) {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  stopAll(1);
}
