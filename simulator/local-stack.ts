// Starts the local product for `npm start` and benchmarks: the provider simulator under Node
// and the worker under `wrangler dev` (local Durable Objects and R2) pointed at it (benchmarks may
// start it without DevTools instead: simulator/dev-worker.ts).

import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { DevWorkerOptions } from "./dev-worker.ts";
import { DYNAMIC_PRICE } from "./wiro-pricing.ts";

/** The local stack's webhook secret (npm start prints it, so a local receiver can verify deliveries). */
export const DEV_WEBHOOK_SECRET = "whsec_ZGV2LXdlYmhvb2stc2VjcmV0LW5vdC1mb3ItcHJvZA==";

export interface StackOptions {
  port?: number;
  simPort?: number;
  apiKey?: string;
  /** Extra worker settings (`--var`), e.g. PUBLIC_BASE_URL: "" to turn callbacks off. */
  vars?: Record<string, string>;
  simEnv?: Record<string, string>;
  /** Another wrangler config, e.g. a benchmark-only worker. */
  config?: string;
  /** Another entry point with wrangler.toml's bindings (`wrangler dev <entry>`), e.g. a benchmark's wrapper around src/index.ts. */
  entry?: string;
  /** Where wrangler keeps local state; a fresh directory gives a clean run. */
  persistTo?: string;
  quiet?: boolean;
  /** Write each process's output (stdout and stderr) to `<logDir>/<name>.log` instead of the terminal. */
  logDir?: string;
  /** Expose the worker's V8 inspector on this port (benchmarks read the isolate's heap through it). */
  inspectorPort?: number;
  /** Fire the worker's cron trigger every minute, as the platform does (default true). */
  cronTicks?: boolean;
  /**
   * Keep `wrangler dev`'s local observability collector (default true, as wrangler has it). It takes
   * every trace span and log line of the worker on the runtime's one thread — about a fifth of
   * workerd's CPU in a 1,000-job batch — where on Cloudflare that work is done outside the worker;
   * the batch benchmark turns it off to measure seedrun's own hand-over.
   */
  localObservability?: boolean;
  /**
   * Run the worker under `wrangler dev` with its DevTools inspector (default true). False starts it
   * through simulator/dev-worker.ts instead, without one: the benchmarks that compare seedrun with
   * baseline workers, so that neither pays the debugger's cost per log line.
   */
  devtools?: boolean;
}

export interface LocalStack {
  worker: string;
  sim: string;
  apiKey: string;
  /** Process id of `wrangler dev` (the worker's workerd runs below it). */
  workerPid: number | undefined;
  stop(): void;
}

export async function startLocalStack(options: StackOptions = {}): Promise<LocalStack> {
  const port = options.port ?? 8787;
  const simPort = options.simPort ?? 8790;
  // SEEDRUN_API_KEY: another root key for `npm start` (docs/keys.md retires dev-key with it)
  const apiKey = options.apiKey ?? process.env.SEEDRUN_API_KEY ?? "dev-key";
  const worker = `http://127.0.0.1:${port}`;
  const sim = `http://127.0.0.1:${simPort}`;
  for (const url of [`${sim}/__sim/health`, `${worker}/healthz`]) {
    if (await reachable(url))
      throw new Error(
        `${new URL(url).host} is already in use (an earlier run still going?); stop it or pick other ports.`,
      );
  }
  const children: ChildProcess[] = [];
  const stop = () => {
    // each child leads its own process group, so wrangler's workerd goes down with it
    for (const child of children) {
      try {
        if (child.pid) process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  };
  if (options.logDir) mkdirSync(options.logDir, { recursive: true });
  const launch = (name: string, command: string, args: string[], env: Record<string, string>) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      // quiet: stdout goes nowhere; a pipe nobody reads fills up and leaves wrangler buffering or blocked on the worker's lines
      stdio: ["ignore", options.quiet && !options.logDir ? "ignore" : "pipe", "pipe"],
      detached: true,
    });
    if (options.logDir) {
      const file = createWriteStream(join(options.logDir, `${name}.log`), { flags: "w" });
      // both streams into one file; neither ends it for the other
      child.stdout?.pipe(file, { end: false });
      child.stderr?.pipe(file, { end: false });
      children.push(child);
      return child;
    }
    const print = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line.trim() !== "") stream.write(`[${name}] ${line}\n`);
    };
    if (!options.quiet) child.stdout?.on("data", print(process.stdout));
    child.stderr?.on("data", print(process.stderr));
    children.push(child);
    return child;
  };
  await migrateLocalD1(options.persistTo);
  launch("simulator", process.execPath, ["simulator/server.ts"], { SIM_PORT: String(simPort), ...options.simEnv });
  const vars: Record<string, string> = {
    API_KEYS: apiKey,
    SIGNING_SECRET: "dev-signing-secret-not-for-production",
    WEBHOOK_SECRET: DEV_WEBHOOK_SECRET,
    WESHOP_API_KEY: "sim-weshop-key",
    WIRO_API_KEY: "sim-wiro-key",
    WIRO_API_SECRET: "sim-wiro-secret",
    WESHOP_BASE_URL: `${sim}/weshop/openapi`,
    WIRO_BASE_URL: `${sim}/wiro/v1`,
    PUBLIC_BASE_URL: worker,
    // the simulator's published Wiro prices (its Tool/Detail dynamicprice), as an operator copies them
    WIRO_PRICE_TABLE: JSON.stringify(DYNAMIC_PRICE.map(({ inputs, price }) => ({ inputs, price }))),
    // development mode: the simulator's loopback output URLs are accepted (README, Configuration)
    SEEDRUN_DEV: "1",
    // per-key requests per minute (empty: the worker's default, 600); the benchmarks turn it off
    RATE_LIMIT_PER_MINUTE: process.env.RATE_LIMIT_PER_MINUTE ?? "",
    // the operator's key for /v1/admin (docs/keys.md); unset, those routes do not exist
    ADMIN_API_KEY: process.env.ADMIN_API_KEY ?? "",
    ...options.vars,
  };
  const runtimeEnv = {
    WRANGLER_SEND_METRICS: "false",
    ...(options.localObservability === false ? { X_LOCAL_OBSERVABILITY: "false" } : {}),
  };
  const wrangler =
    options.devtools === false
      ? launch("worker", process.execPath, devWorkerArgs(options, port, vars), runtimeEnv)
      : launch("worker", "npx", wranglerDevArgs(options, port, vars), runtimeEnv);
  try {
    await waitFor(`${sim}/__sim/health`, 20, wrangler);
    await waitFor(`${worker}/healthz`, 120, wrangler);
  } catch (err) {
    stop();
    throw err;
  }
  // wrangler dev does not fire cron triggers by itself: tick every minute like the platform
  const cron =
    options.cronTicks === false
      ? undefined
      : setInterval(() => {
          fetch(`${worker}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("* * * * *")}`).catch(() => undefined);
        }, 60_000);
  cron?.unref();
  return {
    worker,
    sim,
    apiKey,
    workerPid: wrangler.pid,
    stop: () => {
      if (cron) clearInterval(cron);
      stop();
    },
  };
}

async function reachable(url: string): Promise<boolean> {
  return fetch(url).then(
    () => true,
    () => false,
  );
}

async function waitFor(url: string, seconds: number, watched: ChildProcess) {
  for (let i = 0; i < seconds * 4; i++) {
    if (watched.exitCode !== null)
      throw new Error(`the worker exited (code ${watched.exitCode}) before ${url} came up`);
    if (await reachable(url)) return;
    await sleep(250);
  }
  throw new Error(`${url} did not come up within ${seconds}s`);
}

/** Applies the D1 migrations to the local database, as a deploy does to the real one. */
async function migrateLocalD1(persistTo: string | undefined): Promise<void> {
  const args = ["wrangler", "d1", "migrations", "apply", "seedrun", "--local"];
  if (persistTo) args.push("--persist-to", persistTo);
  const child = spawn("npx", args, {
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`applying D1 migrations failed:\n${output}`);
}

function wranglerDevArgs(options: StackOptions, port: number, vars: Record<string, string>): string[] {
  const args = ["wrangler", "dev", "--port", String(port), "--ip", "127.0.0.1", "--show-interactive-dev-session=false"];
  if (options.persistTo) args.push("--persist-to", options.persistTo);
  if (options.config) args.push("--config", options.config);
  if (options.entry) args.splice(2, 0, options.entry);
  if (options.inspectorPort) args.push("--inspector-port", String(options.inspectorPort));
  for (const [name, value] of Object.entries(vars)) if (value !== "") args.push("--var", `${name}:${value}`);
  return args;
}

/** Node's arguments to run a worker through simulator/dev-worker.ts, with no DevTools inspector (StackOptions.devtools). */
export function devWorkerArgs(options: StackOptions, port: number, vars: Record<string, string>): string[] {
  if (options.inspectorPort) throw new Error("devtools: false has no inspector to expose");
  const set: DevWorkerOptions = {
    port,
    ip: "127.0.0.1",
    config: options.config,
    entry: options.entry,
    persistTo: options.persistTo,
    vars: Object.fromEntries(Object.entries(vars).filter(([, value]) => value !== "")),
  };
  return [fileURLToPath(new URL("./dev-worker.ts", import.meta.url)), JSON.stringify(set)];
}
