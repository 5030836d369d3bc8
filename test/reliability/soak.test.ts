// Soak: 300 jobs across the three models (single jobs and batches), with a seeded random mix of
// every fault kind at every provider target and on media, driven to their end in parallel
// chunks. Then the promise is checked as a whole: every job ended with a reason that fits the
// faults it met, no provider task twice for a job, no truncated object, no secret in any log.
import { env, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import type { Fault, FaultTarget } from "../../simulator/index.ts";
import { batchJobId } from "../../src/batches/batch-object.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { it } from "../support/fixture.ts";
import { api, storedJob } from "../support/harness.ts";
import { seeded } from "../support/seeded.ts";
import { attribute, judge } from "./soak-judge.ts";
import { FAULTS_PER_CHUNK, faultFor, observe, outcomeOf, specFor } from "./soak-mix.ts";
import { firstStep, stepAlarm } from "./steps.ts";
import {
  cancelOpenJobs,
  captureLogs,
  checkStored,
  emulateGzipDecoding,
  intIn,
  restoreProviderPace,
  secretValues,
  TERMINAL,
  tasksPerJob,
} from "./support.ts";

const SEED = 20261121;
const CHUNKS = 10;
const SINGLES_PER_CHUNK = 24;
const BATCHES_PER_CHUNK = 1;
const BATCH_SIZE = 6;
it.beforeEach(async () => {
  await restoreProviderPace();
});
it.afterEach(async ({ h }) => {
  await cancelOpenJobs(h);
});

it("300 jobs, every fault at every target: all end with a fitting reason; 0 duplicate tasks; 0 truncated objects; 0 secrets in logs", {
  timeout: 240_000,
}, async ({ h }) => {
  const started = performance.now();
  const logs = captureLogs();
  const rand = seeded(SEED);
  emulateGzipDecoding();
  const exchanges = observe();
  const injected: Fault[] = [];
  const jobIds: string[] = [];
  const cancels = new Map<string, number>();
  const rejections: string[] = [];
  const createStatuses: number[] = [];
  let n = 0;
  const stats = { steps: 0, waiting: 0, chunkMs: [] as number[] };
  try {
    for (let chunk = 0; chunk < CHUNKS; chunk++) {
      await restoreProviderPace();
      // this chunk's faults, queued per target before its jobs start
      for (const [target, count] of Object.entries(FAULTS_PER_CHUNK) as [FaultTarget, number][])
        for (let i = 0; i < count; i++) {
          const fault = faultFor(rand, target);
          injected.push(fault);
          h.sim.inject(fault);
        }
      const ids: string[] = [];
      for (let i = 0; i < SINGLES_PER_CHUNK; i++) {
        const res = await api("/v1/jobs", { json: specFor(rand, n++) });
        createStatuses.push(res.status);
        if (res.status === 202) ids.push(((await res.json()) as { id: string }).id);
      }
      for (let b = 0; b < BATCHES_PER_CHUNK; b++) {
        const batch = await api("/v1/batches", {
          json: { jobs: Array.from({ length: BATCH_SIZE }, () => specFor(rand, n++)) },
        });
        createStatuses.push(batch.status);
        const batchId = ((await batch.json()) as { id: string }).id;
        await runInDurableObject(env.BATCHES.get(env.BATCHES.idFromName(batchId)), async (instance, state) => {
          await state.storage.deleteAlarm();
          await instance.alarm();
        });
        for (let i = 0; i < BATCH_SIZE; i++) {
          const id = await batchJobId(batchId, i);
          ids.push(id);
          h.jobs.push(id);
        }
      }
      jobIds.push(...ids);

      // each job's plan is drawn up front, so the run does not depend on how drivers interleave
      const plans = ids.map((id) => ({
        id,
        cancelAt: rand() < 0.06 ? intIn(rand, 0, 4) : -1,
        tickEvery: intIn(rand, 1, 3),
      }));
      // a job waiting in line for a provider slot asks again only after another job of that
      // provider moved (only then can a slot free), unless nobody else can move
      const waiters = { weshop: [] as (() => void)[], wiro: [] as (() => void)[] };
      let movable = plans.length;
      const moved = (provider: "weshop" | "wiro" | "all") => {
        for (const name of provider === "all" ? (["weshop", "wiro"] as const) : [provider]) {
          const wake = waiters[name];
          waiters[name] = [];
          for (const w of wake) w();
        }
      };
      const awaitTurn = async (provider: "weshop" | "wiro") => {
        if (movable <= 1) return;
        movable--;
        await new Promise<void>((resolve) => waiters[provider].push(resolve));
        movable++;
      };
      await Promise.all(
        plans.map(async ({ id, cancelAt, tickEvery }) => {
          try {
            await firstStep(id, 1, false);
            for (let round = 0; round < 500; round++) {
              const job = await storedJob(id);
              if (TERMINAL.has(job.status)) return;
              if (round === cancelAt) cancels.set(id, (await api(`/v1/jobs/${id}/cancel`, { method: "POST" })).status);
              if (job.provider === "wiro" && round % tickEvery === 0) await h.sim.tick();
              if (job.status === "queued" && job.queuePosition) {
                stats.waiting++;
                await awaitTurn(job.provider);
              }
              h.advance(15_000);
              stats.steps++;
              const step = await stepAlarm(id, true, true);
              if (step.error !== undefined) rejections.push(`${id}: ${String(step.error)}`);
              if (step.job.status !== job.status) moved(job.provider);
            }
            throw new Error(`job ${id} did not settle: ${JSON.stringify(await storedJob(id))}`);
          } finally {
            movable--;
            // the last ones able to move are gone: whoever waits must ask for itself
            moved(movable <= waiters.weshop.length + waiters.wiro.length ? "all" : (await storedJob(id)).provider);
          }
        }),
      );
      h.sim.clearFaults();
      stats.chunkMs.push(Math.round(performance.now() - started));
    }
    const elapsed = performance.now() - started;

    const jobs = await Promise.all(jobIds.map((id) => storedJob(id)));
    const tasks = h.sim.tasks();
    const { byJob, taskOf } = await attribute(exchanges, tasks, jobIds);

    // -- every job ended, with a reason that fits what it met
    const { problems, codes } = judge(jobs, byJob, taskOf, cancels);
    expect(problems).toEqual([]);
    expect(rejections).toEqual([]);
    expect(createStatuses.every((s) => s === 202)).toBe(true);

    // -- 0 duplicate provider tasks
    const perJob = await tasksPerJob(h);
    expect([...perJob.entries()].filter(([id, count]) => count > 1 || id.startsWith("unattributed"))).toEqual([]);

    // -- 0 truncated objects
    const stored = await checkStored(h, jobs as JobRecord[]);
    expect(stored.bad).toEqual([]);
    expect(stored.objects).toBe(stored.stored);

    // -- 0 secrets in logs (callback tokens and Wiro task tokens included)
    expect(logs.lines.length).toBeGreaterThan(jobIds.length);
    const secrets = [
      ...secretValues(),
      ...tasks.flatMap((t) => [t.callbackUrl?.split("/").pop(), t.token]).filter((s): s is string => Boolean(s)),
    ];
    const leaks = secrets.filter((secret) => logs.lines.some((line) => line.includes(secret)));
    expect(leaks).toEqual([]);

    // the run exercised what it claims to
    const met = new Map<string, number>();
    for (const ex of exchanges) {
      const o = `${ex.target}:${outcomeOf(ex)}`;
      met.set(o, (met.get(o) ?? 0) + 1);
    }
    expect(jobIds).toHaveLength(CHUNKS * (SINGLES_PER_CHUNK + BATCHES_PER_CHUNK * BATCH_SIZE));
    expect(codes.get("succeeded") ?? 0).toBeGreaterThan(jobIds.length / 2);
    for (const o of ["timeout", "5xx", "rate", "final", "malformed", "shape"])
      expect(
        [...met.keys()].some((k) => k.endsWith(`:${o}`)),
        o,
      ).toBe(true);
    for (const o of ["media:expired", "media:short", "media:benign"]) expect(met.get(o) ?? 0, o).toBeGreaterThan(0);

    logs.restore();
    console.log(
      `[reliability figure] soak: ${JSON.stringify(stats)} ${jobIds.length} jobs, ${tasks.length} provider tasks, ${exchanges.length} provider/media calls, ${injected.length} faults injected, ` +
        `${stored.objects} objects stored (all whole), ${cancels.size} cancels; driven in ${(elapsed / 1000).toFixed(1)} s; ` +
        `endings ${JSON.stringify(Object.fromEntries([...codes].sort()))}; calls ${JSON.stringify(Object.fromEntries([...met].sort()))}`,
    );
  } finally {
    logs.restore();
  }
});
