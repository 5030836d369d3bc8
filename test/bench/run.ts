// `npm run bench`: runs the benchmarks against the local stack and rewrites BENCHMARKS.md.
// `npm run bench -- media polling` runs only those sections and prints them instead.
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { apiBenchmark } from "./api.ts";
import { batchBenchmark } from "./batch.ts";
import { callbackBenchmark } from "./callback.ts";
import { mediaBenchmark } from "./media.ts";
import { pollingBenchmark } from "./polling.ts";

const ALL: Record<string, () => Promise<string> | string> = {
  polling: pollingBenchmark,
  callback: callbackBenchmark,
  api: apiBenchmark,
  batch: batchBenchmark,
  media: mediaBenchmark,
};

const only = process.argv.slice(2);
const sections: string[] = [];
const started = Date.now();
for (const [name, run] of Object.entries(ALL)) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`bench: ${name}…`);
  sections.push(await run());
}

if (only.length > 0) {
  console.log(sections.join("\n"));
} else {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}, ${process.platform}`;
  writeFileSync(
    "BENCHMARKS.md",
    `# seedrun benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (${machine}); the run took
${Math.round((Date.now() - started) / 1000)} s. Everything runs on this one machine: the worker under
\`wrangler dev\` (workerd, local Durable Objects, R2 and D1) and the provider simulator under Node.
Absolute times depend on the machine; compare the figures within one run.

${sections.join("\n")}`,
  );
  console.log("BENCHMARKS.md written");
}
process.exit(0);
