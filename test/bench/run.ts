// `npm run bench`: runs the benchmarks against the local stack and rewrites BENCHMARKS.md.
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { callbackBenchmark } from "./callback.ts";
import { pollingBenchmark } from "./polling.ts";

const sections: string[] = [];
const started = Date.now();
sections.push(pollingBenchmark());
sections.push(await callbackBenchmark());

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}, ${process.platform}`;
writeFileSync(
  "BENCHMARKS.md",
  `# seedrun benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (${machine}); the run took
${Math.round((Date.now() - started) / 1000)} s. Everything runs on this one machine: the worker under
\`wrangler dev\` (workerd, local Durable Objects and R2) and the provider simulator under Node.
Absolute times depend on the machine; compare the figures within one run.

${sections.join("\n")}`,
);
console.log("BENCHMARKS.md written");
