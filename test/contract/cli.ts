// Node-side harness for contract tests: the simulator on a free loopback port, and the official
// WeShop CLI (weshop-cli, a devDependency) run as a real child process against it.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { createSimulator, type Simulator } from "../../simulator/index.ts";
import { pngImage } from "../../simulator/media.ts";

export const WESHOP_KEY = "contract-weshop-key";
export const WIRO_KEY = "contract-wiro-key";
export const WIRO_SECRET = "contract-wiro-secret";
const CLI = fileURLToPath(new URL("../../node_modules/weshop-cli/dist/index.js", import.meta.url));

export interface LiveSim {
  sim: Simulator;
  origin: string;
  weshopBase: string;
  wiroBase: string;
  close(): Promise<void>;
}

/** Runs finish at once (duration 0) so the CLI's first poll, right after submit, already sees Success. */
export async function startSim(): Promise<LiveSim> {
  let sim: Simulator | undefined;
  const server = serve({ hostname: "127.0.0.1", port: 0, fetch: (req: Request) => (sim as Simulator).fetch(req) });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once("listening", () => resolve())));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sim = createSimulator({
    origin,
    weshopApiKey: WESHOP_KEY,
    wiroApiKey: WIRO_KEY,
    wiroApiSecret: WIRO_SECRET,
    durations: { seedance: 0, seedream: 0, wiro: 0 },
  });
  return {
    sim,
    origin,
    weshopBase: `${origin}/weshop/openapi`,
    wiroBase: `${origin}/wiro/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh HOME per run: the CLI caches upload URLs in ~/.weshop-cli, which must not leak between runs. */
export function runCli(live: LiveSim, args: string[], cwd = workDir()): Promise<CliResult> {
  // a cast: worker-configuration.d.ts types the worker's settings onto process.env; this child needs none of them
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: cwd,
    WESHOP_BASE_URL: live.weshopBase,
    WESHOP_API_KEY: WESHOP_KEY,
  } as unknown as NodeJS.ProcessEnv;
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const dirs: string[] = [];
export function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "seedrun-contract-"));
  dirs.push(dir);
  return dir;
}

export function removeWorkDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A real PNG on disk, as a user would pass with --image. */
export function localImage(dir: string, name = "photo.png"): { path: string; bytes: Uint8Array } {
  const bytes = pngImage(`contract ${name}`);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

/** `  key: value` lines of the CLI's printed sections. */
export function field(stdout: string, key: string): string | undefined {
  const m = new RegExp(`^\\s+${key}: (.*)$`, "m").exec(stdout);
  return m?.[1]?.trim();
}
