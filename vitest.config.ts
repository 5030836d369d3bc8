import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { copyDocsAssets } from "./scripts/docs-assets.ts";
import { TEST_BINDINGS } from "./test/support/bindings.ts";

// /docs is served from public/, where Swagger UI's files are copied from node_modules
copyDocsAssets();

const migrations = await readD1Migrations("./migrations");

// Contract tests run the providers' official clients (a Node CLI) as child processes, which
// workerd cannot do, so they live in a Node project of their own next to the workerd one.
const NODE_TESTS = ["test/contract/**/*.test.ts", "test/docs/**/*.test.ts"];
// The dashboard's tests drive Debian's chromium (playwright-core) against a local stack started
// on free ports: Node too, in a project of their own (one stack for the file, long timeouts).
const BROWSER_TESTS = "test/browser/**/*.test.ts";
// The client library and the CLI against one local stack (wrangler dev + simulator) that
// test/client/stack.ts starts for all their files; they also spawn the CLI and npm as processes.
const CLIENT_TESTS = "test/client/**/*.test.ts";
// Pure unit tests and the simulator's own: no D1, no storage, no global stubs. They share one
// runtime and module cache (isolate: false) instead of a workerd and a module graph per file:
// 29 files in 14 s rather than 47 s.
const PURE_TESTS = ["test/unit/**/*.test.ts", "test/simulator/**/*.test.ts"];
// Both workerd projects run the worker as wrangler.toml declares it. Not verbose: workerd's verbose
// log prints each uncaught rejection of every local service, and miniflare's R2 service has one
// ("Network connection lost", "Can't read from request stream because client disconnected")
// whenever an upload stream is aborted, which the copy tests of truncated, oversized and canceled
// downloads do on purpose. Our own isolate's unhandled rejections (tests, the worker, its Durable
// Objects) still reach vitest, which reports them and fails the run.
const WORKER = { wrangler: { configPath: "./wrangler.toml" }, verbose: false };

// `npm test` ("test:run" in package.json) runs two vitest processes side by side: the workerd
// project in one, everything else in the other. Within one process vitest runs project groups one
// after another (the workerd project, sequential and without a groupOrder, in a group of its own,
// last), so the browser and client tests (mostly waiting on a stack's polls: about 40 s of CPU in
// 4 minutes) would run end to end with the workerd files instead of beside them.
// `npx vitest run` still runs every project, one group at a time.
export default defineConfig({
  test: {
    // the worker logs a JSON line per request and transition; show them only for failing tests
    silent: "passed-only",
    projects: [
      {
        plugins: [
          cloudflareTest({
            ...WORKER,
            miniflare: { bindings: { ...TEST_BINDINGS, TEST_MIGRATIONS: migrations } },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: [...NODE_TESTS, BROWSER_TESTS, CLIENT_TESTS, ...PURE_TESTS],
          setupFiles: ["./test/support/apply-migrations.ts"],
          // budgets, not retries: a batch test drives a few hundred alarms and its clean-up stops as
          // many objects; on a busy 2-core machine that outlasts vitest's 5 s / 10 s defaults
          testTimeout: 30_000,
          hookTimeout: 90_000,
          // workerd tests share one runtime; keep files sequential so outbound fetch spies do not mix
          fileParallelism: false,
        },
      },
      {
        plugins: [cloudflareTest(WORKER)],
        test: {
          name: "pure",
          include: PURE_TESTS,
          isolate: false,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: NODE_TESTS,
          // each file starts its own simulator on a free port and runs CLI processes against it
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "browser",
          environment: "node",
          include: [BROWSER_TESTS],
          // after the node and pure projects, in the second process of `npm run test:run`
          sequence: { groupOrder: 2 },
          // each file starts its own stack (wrangler dev, the simulator) and Chromium: one at a time
          fileParallelism: false,
          // starting wrangler dev takes up to a minute on a busy 2-core machine; jobs then run in seconds
          testTimeout: 150_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "client",
          environment: "node",
          include: [CLIENT_TESTS],
          globalSetup: ["./test/client/stack.ts"],
          // files one at a time (simulator faults are global)
          sequence: { groupOrder: 3 },
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
