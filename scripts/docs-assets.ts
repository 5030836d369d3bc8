// Copies Swagger UI's browser bundle from node_modules into public/docs/, where Workers static
// assets serve it for /docs. The files are build output (1.9 MB), so git ignores them; wrangler's
// [build] command runs this before `wrangler dev`/`deploy`, and vitest.config.ts before tests.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FILES = ["swagger-ui-bundle.js", "swagger-ui.css"];

export function copyDocsAssets(): void {
  const from = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const to = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "docs");
  mkdirSync(to, { recursive: true });
  for (const file of FILES) copyFileSync(join(from, file), join(to, file));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) copyDocsAssets();
