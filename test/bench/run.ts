// `npm run bench`: runs the benchmarks against the local stack and rewrites BENCHMARKS.md and
// benchmarks.json. `npm run bench -- media polling` runs only those sections and prints them;
// add `--write` to put just those sections (and their figures) into the two files.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { apiBenchmark } from "./api.ts";
import { authBenchmark } from "./auth.ts";
import { batchBenchmark } from "./batch.ts";
import { callbackBenchmark } from "./callback.ts";
import { clientBenchmark } from "./client.ts";
import { lifecycleBenchmark } from "./lifecycle.ts";
import { mediaBenchmark } from "./media.ts";
import { pipelineBenchmark } from "./pipeline.ts";
import { pollingBenchmark } from "./polling.ts";
import { scaleBenchmark } from "./scale.ts";
import type { Section } from "./section.ts";

// each section drives one key far past a client's rate limit (src/http/rate-limit.ts): measure without it
process.env.RATE_LIMIT_PER_MINUTE ??= "0";

const ALL: Record<string, () => Promise<Section> | Section> = {
  polling: pollingBenchmark,
  callback: callbackBenchmark,
  api: apiBenchmark,
  auth: authBenchmark,
  batch: batchBenchmark,
  scale: scaleBenchmark,
  media: mediaBenchmark,
  client: clientBenchmark,
  pipeline: pipelineBenchmark,
  lifecycle: lifecycleBenchmark,
};

const args = process.argv.slice(2);
const write = args.includes("--write");
const only = args.filter((a) => a !== "--write");
const results: Record<string, { section: Section; seconds: number }> = {};
const started = Date.now();
for (const [name, run] of Object.entries(ALL)) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`bench: ${name}…`);
  const t = Date.now();
  results[name] = { section: await run(), seconds: Math.round((Date.now() - t) / 1000) };
  console.log(`bench: ${name} took ${results[name].seconds} s`);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}, ${process.platform}`;
const ranAt = new Date().toISOString();
const marked = (name: string, markdown: string) => `<!-- section:${name} -->\n${markdown}<!-- /section:${name} -->\n`;

if (only.length > 0 && !write) {
  for (const { section } of Object.values(results))
    console.log(section.markdown, JSON.stringify(section.figures, null, 2));
} else {
  // every key and section this run did not produce stays (e.g. the hand-measured /docs figures)
  const previous = existsSync("benchmarks.json")
    ? (JSON.parse(readFileSync("benchmarks.json", "utf8")) as Record<string, unknown>)
    : {};
  const sectionRuns = { ...((previous.sections as Record<string, unknown>) ?? {}) };
  const figures: Record<string, unknown> = { ...previous };
  for (const [name, { section, seconds }] of Object.entries(results)) {
    Object.assign(figures, section.figures);
    sectionRuns[name] = { ranAt, seconds };
  }
  writeFileSync(
    "benchmarks.json",
    `${JSON.stringify({ ...figures, ranAt, machine, sections: sectionRuns }, null, 2)}\n`,
  );
  let body = existsSync("BENCHMARKS.md")
    ? (readFileSync("BENCHMARKS.md", "utf8").split("<!-- sections -->\n")[1] ?? "")
    : "";
  for (const [name, r] of Object.entries(results)) {
    const block = new RegExp(`<!-- section:${name} -->\\n[\\s\\S]*?<!-- /section:${name} -->\\n`);
    body = block.test(body)
      ? body.replace(block, marked(name, r.section.markdown))
      : `${body}\n${marked(name, r.section.markdown)}`;
  }
  const took = Object.entries(sectionRuns)
    .map(([name, r]) => `${name} ${(r as { seconds: number }).seconds} s`)
    .join(", ");
  writeFileSync(
    "BENCHMARKS.md",
    `# seedrun benchmarks

Written by \`npm run bench\` (${machine}); last written ${ranAt.slice(0, 16).replace("T", " ")} UTC.
${only.length === 0 ? `The whole run took ${Math.round((Date.now() - started) / 1000)} s` : "Time per section"} (${took}); each section's figures
come from one run of that section, every ratio from measurements side by side in that run.
\`benchmarks.json\` beside this file holds the headline figures (and \`ranAt\`, \`machine\`).
Everything runs on this one machine: the worker under \`wrangler dev\` (workerd, local Durable
Objects, R2 and D1) and the provider simulator under Node. Absolute times depend on the machine
(2 cores shared with other work here, so noisy); compare the figures within one section.

<!-- sections -->
${body}`,
  );
  console.log("BENCHMARKS.md and benchmarks.json written");
}
process.exit(0);
