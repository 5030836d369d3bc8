// Applies the D1 migrations before each test file, as `wrangler d1 migrations apply` does for real.
// Pure unit tests and the simulator's own tests never touch D1, and loading `cloudflare:test` (it
// loads the worker) and creating the schema cost every file about 3 s (4 unit files: 22.5 s with
// it, 10.5 s without), so they go without both.
import type { D1Migration } from "cloudflare:test";
import { expect } from "vitest";

const WITHOUT_D1 = /\/test\/(unit|simulator)\//;

if (!WITHOUT_D1.test(expect.getState().testPath ?? "")) {
  const { applyD1Migrations, env } = await import("cloudflare:test");
  await applyD1Migrations(env.DB, (env as unknown as { TEST_MIGRATIONS: D1Migration[] }).TEST_MIGRATIONS);
}
