import { type BatchRun, batchRun, CAPS, RUN_MS } from "./scale-batches.ts";
import { BATCH_ROWS, BIG, type Latency, type Reads, reads, SMALL } from "./scale-reads.ts";
import type { Section } from "./section.ts";

export async function scaleBenchmark(): Promise<Section> {
  // BENCH_SCALE_JOBS: the batch sizes; BENCH_SCALE_BASE: the size the largest is compared with;
  // BENCH_SCALE_READS=0 leaves out the reads over a seeded 100,000-row index (several minutes)
  const sizes = (process.env.BENCH_SCALE_JOBS ?? "10,100,1000,5000,10000").split(",").map(Number);
  const base = Number(process.env.BENCH_SCALE_BASE ?? 1000);
  const withReads = process.env.BENCH_SCALE_READS !== "0";
  const runs: BatchRun[] = [];
  const unfinished: string[] = [];
  for (const jobs of sizes) {
    try {
      runs.push(await batchRun(jobs));
    } catch (err) {
      // a size that does not finish in time is reported as such; the smaller sizes still stand
      unfinished.push(`- ${jobs} jobs: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
    }
  }
  const r = withReads ? await reads() : undefined;
  const batchRows = runs.map(
    (b) =>
      `| ${b.jobs} | ${b.seconds.toFixed(1)} | ${(b.seconds / b.jobs) * 1000 >= 100 ? ((b.seconds / b.jobs) * 1000).toFixed(0) : ((b.seconds / b.jobs) * 1000).toFixed(1)} | ${b.succeeded} | ${b.tasks} | ${b.peakWeshop} / ${CAPS.weshop} | ${b.peakWiro} / ${CAPS.wiro} | ${b.d1RowsPerJob.toFixed(1)} | ${b.providerRequestsPerJob.toFixed(1)} | ${b.gateRequestsPerJob.toFixed(2)} | ${b.submitUncertain} | ${
        Object.entries(b.otherEndings)
          .map(([k, n]) => `${k}: ${n}`)
          .join(", ") || "none"
      } |`,
  );
  const first = runs[0];
  const last = runs[runs.length - 1];
  const perJobGrowth = first && last ? last.seconds / last.jobs / (first.seconds / first.jobs) : Number.NaN;
  // the largest size against the base size (1000 unless BENCH_SCALE_BASE says otherwise), same run
  const baseRun = runs.find((b) => b.jobs === base);
  const vsBase = baseRun && last && last.jobs > baseRun.jobs ? last : undefined;
  const markdown = `## How cost grows

**Batches.** ${sizes.join(" / ")} jobs (the seedream / seedance / Wiro mix of the batch above), posted as
batches of at most 1000 (the API's limit, docs/jobs.md), together, on a fresh local stack each; simulator
runs of ${RUN_MS / 1000} s and caps \`WESHOP_MAX_CONCURRENCY=${CAPS.weshop}\`, \`WIRO_MAX_CONCURRENCY=${CAPS.wiro}\`
(higher than above, so the worker's own cost shows, not only the caps). Time: first POST → every
batch \`completed\`, from \`GET /v1/batches/{id}\` once a second. Provider tasks and peak concurrency
are counted at the simulator. D1 rows written: bench-only SQLite triggers on the local database
count every row inserted, updated or deleted in \`jobs\` and \`schedules\` (an upsert whose
\`WHERE\` skips the write counts nothing, as in D1's \`rows_written\`). Durable Object requests are not
visible from outside the runtime locally (workerd logs no DO calls and the inspector shows no
per-object events), so the table gives the provider API requests per job seen by the simulator
instead; by the code each job costs its create call, one alarm per provider request plus the copy,
one gate acquire and release, and the statistics read and update.

| jobs | all done s | ms per job | succeeded | provider tasks | peak WeShop / cap | peak Wiro / cap | D1 rows written per job | provider requests per job | gate requests per job | submit_uncertain | other endings |
|---|---|---|---|---|---|---|---|---|---|---|---|
${batchRows.join("\n")}

${unfinished.length > 0 ? `Not finished within \`BENCH_SCALE_MAX_S\` (${process.env.BENCH_SCALE_MAX_S ?? 900} s):\n${unfinished.join("\n")}\n\n` : ""}Time per job from ${first?.jobs} to ${last?.jobs} jobs: ×${perJobGrowth.toFixed(2)} (1.00 = linear growth of the total).
${vsBase && baseRun ? `From ${baseRun.jobs} to ${vsBase.jobs} jobs: time per job ×${(vsBase.seconds / vsBase.jobs / (baseRun.seconds / baseRun.jobs)).toFixed(2)}, gate requests per job ×${(vsBase.gateRequestsPerJob / baseRun.gateRequestsPerJob).toFixed(2)}.` : ""}

Gate requests per job: every call a ProviderGate received (acquire, renew, release, report,
snapshot), counted by the gate itself in a one-row table of its SQLite store and read from the
local Durable Object files once the worker has stopped (test/bench/scale-gate.ts), divided by the
jobs. A job costs about four: the ask that puts it in line, the ask after the gate wakes it
(granted), the report of its submit's outcome and the release; a waiter's own backstop ask comes
only after 60 s + 0.1 s × its place (at most 10 min), so it adds a little only to very long waits.
\`submit_uncertain\`: jobs that ended \`failed\` with that code (a submit whose fate could not be
learned), counted from \`GET /v1/batches/{id}/jobs?status=failed\`.

Knobs: \`npm run bench -- scale\` runs this section alone (add \`--write\` to put it into the files);
\`BENCH_SCALE_JOBS=100,200\` picks the sizes (default 10,100,1000,5000,10000),
\`BENCH_SCALE_BASE=100\` the size the largest is compared with (default 1000),
\`BENCH_SCALE_READS=0\` leaves out the reads over the seeded index, \`BENCH_SCALE_MAX_S\` the time
a size may take (default 900 s).

Where cost per job could grow with the batch, and what keeps it flat: (1) with the caps in force a
batch of n jobs keeps about n − cap jobs waiting at the ProviderGate. A waiter is woken by the gate
when its slot frees and asks once more; its own retry is only a sparse backstop; its place in line
is its number minus the head's minus the few who left out of turn, not a count of the rows ahead
(src/jobs/gate/gate-line.ts). (2) \`GET /v1/batches/{id}\` reads per-status counts kept by triggers
on the jobs index (migrations/0009_batch_counts.sql), not a \`GROUP BY\` over the batch's rows.
(3) A batch's jobs are fanned out a chunk per BatchObject alarm, at most a window of them
(100, or twice the caps together) unfinished at a time, the rest as jobs end, linear. D1 rows written and
provider requests per job do not depend on n: each job upserts only its own index row (on status
changes and as a heartbeat while it waits, so a longer wait in line writes a few more).

${r ? readsMarkdown(r) : "The reads over a big index were left out of this run (`BENCH_SCALE_READS=0`).\n"}`;
  return {
    markdown,
    figures: {
      ...(r
        ? {
            "scale.listP50Ms100k": r.listBig.p50,
            "scale.listP99Ms100k": r.listBig.p99,
            "scale.listP99Ratio100kTo1k": r.listBig.p99 / r.listSmall.p99,
            "scale.batchViewP50Ms5000": r.batchBig.p50,
            "scale.batchViewP99Ms5000": r.batchBig.p99,
            "scale.batchViewHeapGrowthMiB5000": r.batchBig.heapGrowthMiB,
          }
        : {}),
      "scale.timePerJobGrowth": perJobGrowth,
      ...(vsBase && baseRun
        ? {
            [`scale.timePerJob${vsBase.jobs}Vs${baseRun.jobs}`]:
              vsBase.seconds / vsBase.jobs / (baseRun.seconds / baseRun.jobs),
            [`scale.gateRequestsPerJob${vsBase.jobs}Vs${baseRun.jobs}`]:
              vsBase.gateRequestsPerJob / baseRun.gateRequestsPerJob,
          }
        : {}),
      ...Object.fromEntries(
        runs.flatMap((b) => [
          [`scale.batch${b.jobs}.seconds`, b.seconds],
          [`scale.batch${b.jobs}.d1RowsPerJob`, b.d1RowsPerJob],
          [`scale.batch${b.jobs}.providerTasksPerJob`, b.tasks / b.jobs],
          [`scale.batch${b.jobs}.succeeded`, b.succeeded],
          [`scale.batch${b.jobs}.submitUncertain`, b.submitUncertain],
          [`scale.gateRequestsPerJob${b.jobs}`, b.gateRequestsPerJob],
        ]),
      ),
    },
  };
}

const read = (name: string, l: Latency) =>
  `| ${name} | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} | ${l.heapGrowthMiB.toFixed(1)} |`;

function readsMarkdown(r: Reads): string {
  return `**Reads over a big index.** One stack: real jobs and batches first, then (worker stopped) ${BIG.toLocaleString("en")} index
rows seeded straight into the local D1 for one API key — ${BATCH_ROWS} of them under one real batch's id —
and ${SMALL.toLocaleString("en")} for a second key, then the worker again on the same state. 100 sequential requests
each after 5 warm-up ones; isolate heap growth read over the inspector as in the media section.
\`GET /v1/jobs\` reads a page of ids from D1 and then each job's Durable Object: the first page is
real jobs; deeper and filtered pages reach seeded rows, whose objects hold nothing (so they answer
empty pages, with the same D1 query and the same ${20} object reads). The API takes at most 1000 jobs per
batch, so the ${BATCH_ROWS}-row batch is a real 20-job batch with seeded rows under its id: its view is
the batch record from its Durable Object plus its per-status counts and actual costs, kept by
triggers as the index rows change (the seeded rows count too), so a read does not group the rows.

| read | p50 ms | p99 ms | isolate heap growth MiB |
|---|---|---|---|
${read(`GET /v1/jobs?limit=20, ${SMALL.toLocaleString("en")} jobs for the key`, r.listSmall)}
${read(`GET /v1/jobs?limit=20, ${BIG.toLocaleString("en")} jobs for the key`, r.listBig)}
${read(`same, page at job ${(BIG / 2).toLocaleString("en")} (cursor)`, r.listBigDeep)}
${read("same, `status=failed` (every 10th)", r.listBigStatus)}
${read("GET /v1/batches/{id}, 10 jobs", r.batchSmall)}
${read(`GET /v1/batches/{id}, ${BATCH_ROWS} index rows`, r.batchBig)}
`;
}
