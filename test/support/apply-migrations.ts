// Applies the D1 migrations before the tests, as `wrangler d1 migrations apply` does for real.
import { applyD1Migrations, type D1Migration, env } from "cloudflare:test";

await applyD1Migrations(env.DB, (env as unknown as { TEST_MIGRATIONS: D1Migration[] }).TEST_MIGRATIONS);
