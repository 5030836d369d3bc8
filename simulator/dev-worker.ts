// Runs a worker the way `wrangler dev` does, through wrangler's own programmatic API
// (`unstable_startWorker`), but without the DevTools inspector that the `wrangler dev` command
// always attaches. With the inspector attached, V8 hands every console.log to it (a serialised
// message with its stack), which cost about 0.4 ms per log line on the benchmark machine: a
// worker's logging measured as if it were its work, though a deployed worker has no debugger
// attached. The benchmarks start seedrun and their baseline workers through this
// (StackOptions.devtools: false); `npm start` keeps `wrangler dev` and its DevTools.
//
// Usage: node simulator/dev-worker.ts '<json DevWorkerOptions>'; runs until SIGTERM.
import { unstable_startWorker } from "wrangler";

export interface DevWorkerOptions {
  /** The wrangler config (default wrangler.toml). */
  config?: string;
  /** Another entry point with the config's bindings. */
  entry?: string;
  port: number;
  ip: string;
  persistTo?: string;
  /** Worker settings, as `wrangler dev --var NAME:value`. */
  vars?: Record<string, string>;
}

const options = JSON.parse(process.argv[2] ?? "{}") as DevWorkerOptions;
const worker = await unstable_startWorker({
  config: options.config ?? "wrangler.toml",
  ...(options.entry ? { entrypoint: options.entry } : {}),
  bindings: Object.fromEntries(
    Object.entries(options.vars ?? {}).map(([name, value]) => [name, { type: "plain_text" as const, value }]),
  ),
  dev: {
    server: { hostname: options.ip, port: options.port },
    inspector: false,
    watch: false,
    ...(options.persistTo ? { persist: options.persistTo } : {}),
  },
});
await worker.ready;
console.log(`dev-worker: ready on ${(await worker.url).href}`);
process.on("SIGTERM", () => {
  void worker.dispose().finally(() => process.exit(0));
});
