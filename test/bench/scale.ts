import type { Section } from "./section.ts";
import { type BatchRun, batchRun, CAPS, RUN_MS } from "./scale-batches.ts";
import { BATCH_ROWS, BIG, type Latency, reads, SMALL } from "./scale-reads.ts";

export async function scaleBenchmark(): Promise<Section> {
  const sizes = (process.env.BENCH_SCALE_JOBS ?? "10,100,1000,5000").split(",").map(Number);
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
  const r = await reads();
  const batchRows = runs.map(
    (b) =>
      `| ${b.jobs} | ${b.seconds.toFixed(1)} | ${(b.seconds / b.jobs) * 1000 >= 100 ? ((b.seconds / b.jobs) * 1000).toFixed(0) : ((b.seconds / b.jobs) * 1000).toFixed(1)} | ${b.succeeded} | ${b.tasks} | ${b.peakWeshop} / ${CAPS.weshop} | ${b.peakWiro} / ${CAPS.wiro} | ${b.d1RowsPerJob.toFixed(1)} | ${b.providerRequestsPerJob.toFixed(1)} | ${
        Object.entries(b.otherEndings)
          .map(([k, n]) => `${k}: ${n}`)
          .join(", ") || "none"
      } |`,
  );
  const read = (name: string, l: Latency) => `| ${name} | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} | ${l.heapGrowthMiB.toFixed(1)} |`;
  const first = runs[0];
  const last = runs[runs.length - 1];
  const perJobGrowth = first && last ? last.seconds / last.jobs / (first.seconds / first.jobs) : Number.NaN;
  const markdown = `## How cost grows

**Batches.** ${sizes.join(" / ")} jobs (the seedream / seedance / Wiro mix of the batch above), posted as
batches of at most 1000 (the API's limit, API.md), together, on a fresh local stack each; simulator
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

| jobs | all done s | ms per job | succeeded | provider tasks | peak WeShop / cap | peak Wiro / cap | D1 rows written per job | provider requests per job | other endings |
|---|---|---|---|---|---|---|---|---|---|
${batchRows.join("\n")}

${unfinished.length > 0 ? `Not finished within \`BENCH_SCALE_MAX_S\` (${process.env.BENCH_SCALE_MAX_S ?? 900} s):\n${unfinished.join("\n")}\n\n` : ""}Time per job from ${first?.jobs} to ${last?.jobs} jobs: ×${perJobGrowth.toFixed(2)} (1.00 = linear growth of the total).

Where cost per job grows with the batch (by the code; the figures above show how much it costs
here): (1) with the caps in force a batch of n jobs keeps about n − cap jobs waiting at the
ProviderGate, each asking again every min(60 s, 2 s + 0.5 s × its position) besides being woken
when a slot frees (src/jobs/gate/gate-pace.ts), and each ask counts the rows ahead of it, O(position):
gate work per job grows with n (about n·log n asks of O(n) each over a batch whose length is itself
∝ n); (2) \`GET /v1/batches/{id}\` is one \`GROUP BY\` over the batch's index rows, O(rows), so a client
polling a batch until it ends pays O(n) per read for O(n) seconds; (3) a batch's jobs are fanned out
a chunk per BatchObject alarm, linear. By the code, D1 rows written and provider requests per job do not
depend on n: each job upserts only its own index row (on status changes and as a heartbeat while it
waits, so a longer wait in line writes a few more).

**Reads over a big index.** One stack: real jobs and batches first, then (worker stopped) ${BIG.toLocaleString("en")} index
rows seeded straight into the local D1 for one API key — ${BATCH_ROWS} of them under one real batch's id —
and ${SMALL.toLocaleString("en")} for a second key, then the worker again on the same state. 100 sequential requests
each after 5 warm-up ones; isolate heap growth read over the inspector as in the media section.
\`GET /v1/jobs\` reads a page of ids from D1 and then each job's Durable Object: the first page is
real jobs; deeper and filtered pages reach seeded rows, whose objects hold nothing (so they answer
empty pages, with the same D1 query and the same ${20} object reads). The API takes at most 1000 jobs per
batch, so the ${BATCH_ROWS}-row batch is a real 20-job batch with seeded rows under its id: its view is
the batch record from its Durable Object plus one \`GROUP BY status\` over the batch's index rows.

| read | p50 ms | p99 ms | isolate heap growth MiB |
|---|---|---|---|
${read(`GET /v1/jobs?limit=20, ${SMALL.toLocaleString("en")} jobs for the key`, r.listSmall)}
${read(`GET /v1/jobs?limit=20, ${BIG.toLocaleString("en")} jobs for the key`, r.listBig)}
${read(`same, page at job ${(BIG / 2).toLocaleString("en")} (cursor)`, r.listBigDeep)}
${read("same, `status=failed` (every 10th)", r.listBigStatus)}
${read("GET /v1/batches/{id}, 10 jobs", r.batchSmall)}
${read(`GET /v1/batches/{id}, ${BATCH_ROWS} index rows`, r.batchBig)}
`;
  return {
    markdown,
    figures: {
      "scale.listP50Ms100k": r.listBig.p50,
      "scale.listP99Ms100k": r.listBig.p99,
      "scale.listP99Ratio100kTo1k": r.listBig.p99 / r.listSmall.p99,
      "scale.batchViewP50Ms5000": r.batchBig.p50,
      "scale.batchViewP99Ms5000": r.batchBig.p99,
      "scale.batchViewHeapGrowthMiB5000": r.batchBig.heapGrowthMiB,
      "scale.timePerJobGrowth": perJobGrowth,
      ...Object.fromEntries(
        runs.flatMap((b) => [
          [`scale.batch${b.jobs}.seconds`, b.seconds],
          [`scale.batch${b.jobs}.d1RowsPerJob`, b.d1RowsPerJob],
          [`scale.batch${b.jobs}.providerTasksPerJob`, b.tasks / b.jobs],
        ]),
      ),
    },
  };
}
