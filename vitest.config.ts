import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_BINDINGS } from "./test/bindings.ts";
import { copyDocsAssets } from "./scripts/docs-assets.ts";

// /docs is served from public/, where Swagger UI's files are copied from node_modules
copyDocsAssets();

const migrations = await readD1Migrations("./migrations");

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: { bindings: { ...TEST_BINDINGS, TEST_MIGRATIONS: migrations } },
    }),
  ],
  test: {
    setupFiles: ["./test/apply-migrations.ts"],
    // cleaning up after a batch test stops a few hundred objects
    hookTimeout: 30_000,
    // the worker logs a JSON line per request and transition; show them only for failing tests
    silent: "passed-only",
    // workerd tests share one runtime; keep files sequential so outbound fetch spies do not mix
    fileParallelism: false,
  },
});
