// A local stack for the browser tests: the simulator and the worker under `wrangler dev` on free
// ports (never 8787/8790, which `npm start` and other sessions use), fresh state, two API keys.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalStack, startLocalStack } from "../../simulator/local-stack.ts";
import { artifact } from "./browser.ts";

export const KEY_A = "browser-key-a";
export const KEY_B = "browser-key-b";

/** A port nobody listens on right now (the OS picks it). */
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

export interface BrowserStack extends LocalStack {
  close(): void;
}

export async function startBrowserStack(simDurationMs = 4000): Promise<BrowserStack> {
  const persistTo = mkdtempSync(join(tmpdir(), "seedrun-browser-"));
  const [port, simPort] = [await freePort(), await freePort()];
  const stack = await startLocalStack({
    port,
    simPort,
    apiKey: KEY_A,
    persistTo,
    quiet: true,
    // the worker's and the simulator's output, for reading after a failed run
    logDir: artifact("stack-logs"),
    cronTicks: false,
    vars: { API_KEYS: `${KEY_A},${KEY_B}` },
    simEnv: { SIM_DURATION_MS: String(simDurationMs) },
  });
  // if the test process ends without afterAll (a crash, a kill), the stack goes with it
  const stopOnExit = () => stack.stop();
  process.once("exit", stopOnExit);
  return {
    ...stack,
    close() {
      process.off("exit", stopOnExit);
      stack.stop();
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
}
