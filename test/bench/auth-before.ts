// The auth benchmark's "before": the code as it was before keys, scopes and tenants
// (BENCH_AUTH_BEFORE, a git ref; default the last commit of main without them), checked out into a
// temporary worktree that shares this checkout's node_modules, and started as its own local stack
// next to the current one, so both are measured in the same run on the same machine.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { LocalStack } from "../../simulator/local-stack.ts";

/** main just before the keys branch was merged (753b999's first parent). */
export const BEFORE_KEYS = "d93d9fb1d5488fd92b68b4e9b8ac982f2b93ef9a";

export interface BeforeStack {
  stack: LocalStack;
  ref: string;
  stop(): Promise<void>;
}

/** Starts the `BENCH_AUTH_BEFORE` code's local stack, or answers why it cannot (no git history, say). */
export async function startBeforeStack(ports: {
  port: number;
  simPort: number;
  inspectorPort: number;
}): Promise<BeforeStack | string> {
  const ref = process.env.BENCH_AUTH_BEFORE ?? BEFORE_KEYS;
  const dir = mkdtempSync(join(tmpdir(), "seedrun-bench-before-"));
  const tree = join(dir, "tree");
  try {
    execFileSync("git", ["worktree", "add", "--detach", tree, ref], { stdio: "ignore" });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return `the commit ${ref} is not in this clone`;
  }
  for (const modules of ["node_modules", "packages/cli/node_modules", "packages/client/node_modules"]) {
    if (existsSync(modules) && existsSync(join(tree, modules, "..")))
      symlinkSync(resolve(modules), join(tree, modules));
  }
  const remove = () => {
    execFileSync("git", ["worktree", "remove", "--force", tree], { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  };
  const here = process.cwd();
  try {
    const { startLocalStack } = (await import(
      join(tree, "simulator/local-stack.ts")
    )) as typeof import("../../simulator/local-stack.ts");
    // its stack spawns wrangler and the simulator from the working directory: the old tree's
    process.chdir(tree);
    const stack = await startLocalStack({
      ...ports,
      quiet: true,
      persistTo: join(dir, "state"),
      cronTicks: false,
    }).finally(() => process.chdir(here));
    return {
      stack,
      ref,
      stop: async () => {
        stack.stop();
        // wrangler and workerd let go of the tree's files once they are down
        await new Promise((done) => setTimeout(done, 2500));
        remove();
      },
    };
  } catch (err) {
    remove();
    return `its stack did not start: ${err instanceof Error ? err.message : String(err)}`;
  }
}

interface Pair {
  before: number;
  afterRoot: number;
  afterCreated: number;
  rounds: number;
}

/**
 * Auth before and after on a route that is nothing but auth in both versions: an unknown path
 * under /v1/ (every /v1/ request is authenticated first, then answers 404), against an unknown
 * path outside /v1/ (404 with no key read) on the same worker. Requests alternate between the two
 * stacks, so machine noise falls on both alike. Medians in ms.
 */
export async function authBeforeAfter(after: LocalStack, createdKey: string, rounds: number): Promise<Pair | string> {
  const port = Number(new URL(after.worker).port) + 21;
  const before = await startBeforeStack({ port, simPort: port + 1, inspectorPort: 9260 });
  if (typeof before === "string") return before;
  try {
    const cases: [string, string | undefined][] = [
      [`${before.stack.worker}/nope`, undefined],
      [`${before.stack.worker}/v1/nope`, before.stack.apiKey],
      [`${after.worker}/nope`, undefined],
      [`${after.worker}/v1/nope`, after.apiKey],
      [`${after.worker}/v1/nope`, createdKey],
    ];
    const latencies = cases.map(() => [] as number[]);
    for (let i = 0; i < rounds + 20; i++) {
      for (const [j, [url, key]] of cases.entries()) {
        const t = performance.now();
        const res = await fetch(url, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
        await res.arrayBuffer();
        if (res.status !== 404) throw new Error(`${url} answered ${res.status}, not 404`);
        if (i >= 20) latencies[j]!.push(performance.now() - t);
      }
    }
    const [b0, b1, a0, a1, a2] = latencies.map((l) => median(l));
    return { before: b1! - b0!, afterRoot: a1! - a0!, afterCreated: a2! - a0!, rounds };
  } finally {
    await before.stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
