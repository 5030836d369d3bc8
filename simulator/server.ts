// Node 22 runner for the simulator (`node simulator/server.ts`), so the worker under `wrangler dev` has providers to call.
import { serve } from "@hono/node-server";
import { createSimulator } from "./index.ts";

// Minimal view of Node's process: the project's types are the Workers ones, and @types/node is not a dependency.
interface NodeProcess {
  env: Record<string, string | undefined>;
  on(event: string, listener: (arg: unknown) => void): void;
  exit(code?: number): never;
  stdout: { write(text: string): boolean };
}
const proc = (globalThis as unknown as { process: NodeProcess }).process;
const log = (line: string) => proc.stdout.write(`${new Date().toISOString()} ${line}\n`);

const port = Number(proc.env.SIM_PORT ?? 8790);
const origin = proc.env.SIM_ORIGIN ?? `http://127.0.0.1:${port}`;
const duration = proc.env.SIM_DURATION_MS ? Number(proc.env.SIM_DURATION_MS) : undefined;
if (!Number.isInteger(port) || port <= 0 || (duration !== undefined && !(duration > 0))) {
  log("SIM_PORT must be a port number and SIM_DURATION_MS a positive number of milliseconds");
  proc.exit(2);
}

const sim = createSimulator({
  origin,
  weshopApiKey: proc.env.SIM_WESHOP_API_KEY ?? "sim-weshop-key",
  wiroApiKey: proc.env.SIM_WIRO_API_KEY ?? "sim-wiro-key",
  wiroApiSecret: proc.env.SIM_WIRO_API_SECRET ?? "sim-wiro-secret",
  wiroKeyOnlyApiKey: proc.env.SIM_WIRO_KEY_ONLY_API_KEY ?? "sim-wiro-keyonly-key",
  durations: duration === undefined ? undefined : { seedance: duration, seedream: duration, wiro: duration },
  ...(proc.env.SIM_WESHOP_UNSUBSCRIBED
    ? { weshopUnsubscribed: proc.env.SIM_WESHOP_UNSUBSCRIBED.split(",").map((s) => s.trim()) }
    : {}),
  ...(proc.env.SIM_WIRO_OUTPUT_BYTES
    ? {
        wiroOutputBytes: Number(proc.env.SIM_WIRO_OUTPUT_BYTES),
        wiroOutputChunked: proc.env.SIM_WIRO_OUTPUT_CHUNKED === "1",
      }
    : {}),
});

const server = serve(
  {
    hostname: "127.0.0.1",
    port,
    async fetch(request: Request) {
      const path = new URL(request.url).pathname;
      try {
        const response = await sim.fetch(request);
        log(`${request.method} ${path} ${response.status}`);
        return response;
      } catch (err) {
        // A hung request ends when the client gives up; nobody is left to read this answer.
        log(`${request.method} ${path} aborted (${err instanceof Error ? err.message : String(err)})`);
        return new Response(null, { status: 499 });
      }
    },
  },
  () => log(`seedrun provider simulator on ${origin} (WeShop ${origin}/weshop/openapi, Wiro ${origin}/wiro/v1)`),
);

const timer = setInterval(() => {
  sim.tick().catch((err: unknown) => log(`callback tick failed: ${String(err)}`));
}, 250);

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  log(`${signal}: shutting down`);
  clearInterval(timer);
  sim.reset();
  server.close(() => proc.exit(0));
  // Keep-alive and streaming connections would hold close() open; the sim has no state worth draining.
  (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  setTimeout(() => proc.exit(0), 1000);
}
proc.on("SIGINT", () => stop("SIGINT"));
proc.on("SIGTERM", () => stop("SIGTERM"));
proc.on("unhandledRejection", (err) => log(`unhandled rejection: ${String(err)}`));
