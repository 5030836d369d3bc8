// One local stack (simulator + worker under `wrangler dev`, on free ports) for every client and
// CLI test file: started once by vitest's globalSetup, its address handed to the files with
// `provide`. The client and CLI packages are built first, as `npm pack` would build them.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startLocalStack } from "../../simulator/local-stack.ts";

/** One key per test file, so each file's listings hold only its own jobs. */
export const KEYS = {
  client: "client-key",
  pages: "pages-key",
  retry: "retry-key",
  cli: "cli-key",
  pack: "pack-key",
  bench: "bench-key",
} as const;

export interface SharedStack {
  worker: string;
  sim: string;
}

declare module "vitest" {
  interface ProvidedContext {
    stack: SharedStack;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export default async function setup(project: TestProject): Promise<() => void> {
  // `npm test` has just built them (its `npm run build` step); a direct vitest run builds here
  if (process.env.npm_lifecycle_event !== "test")
    execFileSync("npm", ["run", "build"], { stdio: ["ignore", "ignore", "inherit"] });
  const persistTo = mkdtempSync(join(tmpdir(), "seedrun-client-"));
  const stack = await startLocalStack({
    port: await freePort(),
    simPort: await freePort(),
    persistTo,
    quiet: true,
    logDir: join("test-artifacts", "client-stack-logs"),
    cronTicks: false,
    vars: { API_KEYS: Object.values(KEYS).join(",") },
    // long enough to abort a job mid-run, short enough for a suite under two minutes
    simEnv: { SIM_DURATION_MS: "2500" },
  });
  project.provide("stack", { worker: stack.worker, sim: stack.sim });
  return () => {
    stack.stop();
    rmSync(persistTo, { recursive: true, force: true });
  };
}
