// Applies the D1 migrations before each test file, as `wrangler d1 migrations apply` does for real.
// Pure unit tests and the simulator's own tests never touch D1: they run in the "pure" project
// (vitest.config.ts), which goes without this file.
import { applyD1Migrations, type D1Migration, env } from "cloudflare:test";

await applyD1Migrations(env.DB, (env as unknown as { TEST_MIGRATIONS: D1Migration[] }).TEST_MIGRATIONS);
