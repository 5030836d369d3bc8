// Copies Swagger UI's browser bundle from node_modules into public/docs/, where Workers static
// assets serve it for /docs, and Chart.js's into public/dashboard/vendor/ for the dashboard's
// charts. The files are build output, so git ignores them; wrangler's [build] command runs this
// before `wrangler dev`/`deploy`, and vitest.config.ts before tests.
import { copyFileSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FILES = ["swagger-ui-bundle.js", "swagger-ui.css"];
/** Chart.js's UMD build: one classic script defining `window.Chart`, no imports to resolve. */
const CHART = "chart.umd.min.js";

export function copyDocsAssets(): void {
  const from = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const to = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "docs");
  mkdirSync(to, { recursive: true });
  for (const file of FILES) copyIfChanged(join(from, file), join(to, file));
  // the package exports no package.json: its main entry sits in dist/, next to the UMD build
  const chart = join(dirname(createRequire(import.meta.url).resolve("chart.js")), CHART);
  const vendor = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "dashboard", "vendor");
  mkdirSync(vendor, { recursive: true });
  copyIfChanged(chart, join(vendor, CHART));
}

/**
 * Copies only when the target differs, and then through a rename: a wrangler dev or a test
 * process may be serving the file while another process (`npm test` runs two) starts and copies.
 */
function copyIfChanged(from: string, to: string): void {
  const wanted = readFileSync(from);
  let current: Buffer | undefined;
  try {
    current = readFileSync(to);
  } catch {
    current = undefined;
  }
  if (current?.equals(wanted)) return;
  const temporary = `${to}.${process.pid}.tmp`;
  copyFileSync(from, temporary);
  renameSync(temporary, to);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) copyDocsAssets();
