// Soak: 300 jobs across the three models (single jobs and batches), with a seeded random mix of
// every fault kind at every provider target and on media, driven to their end in parallel
// chunks. Then the promise is checked as a whole: every job ended with a reason that fits the
// faults it met, no provider task twice for a job, no truncated object, no secret in any log.
import { env, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import type { Fault, FaultTarget, SimTask } from "../../simulator/index.ts";
import { batchJobId } from "../../src/batches/batch-object.ts";
import { MAX_COPY_ATTEMPTS, MAX_POLL_ERRORS, MAX_SUBMIT_ATTEMPTS } from "../../src/jobs/machine/policies.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { weshopRunKey } from "../../src/providers/weshop-run.ts";
import { it } from "../support/fixture.ts";
import { api, storedJob } from "../support/harness.ts";
import { seeded } from "../support/seeded.ts";
import { type Exchange, FAULTS_PER_CHUNK, faultFor, type Outcome, observe, outcomeOf, specFor } from "./soak-mix.ts";
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
    const taskByExec = new Map(tasks.map((t) => [t.id, t]));
    const taskByToken = new Map(tasks.filter((t) => t.token).map((t) => [t.token!, t]));
    // a WeShop run's Idempotency-Key is derived from its job id
    const jobByKey = new Map(await Promise.all(jobIds.map(async (id) => [await weshopRunKey(id), id] as const)));
    const jobOfKey = (key: string | undefined) => (key === undefined ? undefined : jobByKey.get(key));
    const jobOfTask = (t: SimTask | undefined) =>
      t?.provider === "weshop"
        ? jobOfKey(t.idempotencyKey)
        : t?.callbackUrl?.match(/\/callbacks\/wiro\/(job_\w+)\//)?.[1];
    const jobOf = (ex: Exchange): string | undefined => {
      if (ex.target === "weshop.submit") return jobOfKey(ex.idempotencyKey);
      if (ex.target === "weshop.poll") return jobOfTask(taskByExec.get(ex.path.split("/").pop()!));
      if (ex.target === "media") return jobOfTask(taskByExec.get(ex.path.split("/")[3] ?? ""));
      try {
        const body = JSON.parse(ex.requestBody) as { callbackUrl?: string; tasktoken?: string; taskid?: string };
        if (ex.target === "wiro.run") return body.callbackUrl?.match(/\/callbacks\/wiro\/(job_\w+)\//)?.[1];
        return jobOfTask(body.tasktoken ? taskByToken.get(body.tasktoken) : taskByExec.get(String(body.taskid)));
      } catch {
        return undefined;
      }
    };
    const byJob = new Map<string, Exchange[]>();
    for (const ex of exchanges) {
      const id = jobOf(ex) ?? "unattributed";
      byJob.set(id, [...(byJob.get(id) ?? []), ex]);
    }
    const taskOf = new Map(tasks.map((t) => [jobOfTask(t) ?? `?${t.id}`, t]));

    // -- every job ended, with a reason that fits what it met
    const problems: string[] = [];
    const codes = new Map<string, number>();
    for (const job of jobs) {
      const note = (what: string) =>
        problems.push(`${job.id} (${job.model}, ${job.status}/${job.error?.code}): ${what}`);
      const key = job.status === "succeeded" ? "succeeded" : `${job.status}:${job.error?.code}`;
      codes.set(key, (codes.get(key) ?? 0) + 1);
      if (!TERMINAL.has(job.status)) note("not finished");
      if (job.status !== "succeeded" && !(job.error?.code && job.error.message)) note("ended without a reason");
      const mine = byJob.get(job.id) ?? [];
      // a Wiro stop (Task/Detail by taskid, Cancel, Kill) comes after the job's end and decides nothing of it
      const stopCall = (ex: Exchange) =>
        ex.target === "wiro.cancel" ||
        ex.target === "wiro.kill" ||
        (ex.target === "wiro.detail" && ex.requestBody.includes('"taskid"'));
      const provider = mine.filter((ex) => ex.target !== "media" && !stopCall(ex));
      const outcomes = provider.map(outcomeOf);
      const task = taskOf.get(job.id);
      if (job.status === "canceled") {
        if (job.error?.code !== "canceled_by_client" || cancels.get(job.id) !== 200)
          note("canceled without being asked to");
        continue;
      }
      // the first answer that decides a job's fate
      // (a final answer decides only on a submit: on a status poll it is retried, issue 10)
      const decisive = provider.findIndex(
        (ex, i) =>
          (outcomes[i] === "final" && (ex.target === "weshop.submit" || ex.target === "wiro.run")) ||
          (ex.target === "wiro.run" && ["timeout", "malformed", "shape"].includes(outcomes[i]!)),
      );
      // a lost Wiro Run whose task's own callback named it is adopted (lost-submit.test.ts): the job then ends as its task did
      const adopted =
        decisive >= 0 &&
        provider[decisive]!.target === "wiro.run" &&
        outcomes[decisive] !== "final" &&
        job.task !== undefined &&
        job.error?.code !== "submit_uncertain";
      if (adopted && provider.slice(decisive + 1).some((ex) => ex.target === "wiro.run"))
        note("sent the Run again after its answer was lost");
      if (decisive >= 0 && !adopted) {
        const ex = provider[decisive]!;
        const expected =
          outcomes[decisive] === "final"
            ? ex.target.startsWith("wiro")
              ? "97"
              : "INSUFFICIENT_POWER"
            : "submit_uncertain";
        if (job.error?.code !== expected) note(`met ${outcomes[decisive]} at ${ex.target}, expected ${expected}`);
        if (provider.length > decisive + 1)
          note(`asked the provider again after ${outcomes[decisive]} at ${ex.target}`);
        continue;
      }
      if (job.error?.code === "provider_unavailable") {
        const submits = outcomes.filter(
          (_o, i) => provider[i]!.target.endsWith("submit") || provider[i]!.target === "wiro.run",
        );
        const polls = outcomes.filter(
          (_o, i) => provider[i]!.target.endsWith("poll") || provider[i]!.target === "wiro.detail",
        );
        const tail = (list: Outcome[], n: number) => list.length >= n && list.slice(-n).every((o) => o !== "ok");
        if (!tail(submits, MAX_SUBMIT_ATTEMPTS) && !tail(polls, MAX_POLL_ERRORS))
          note("gave up without meeting the retry cap");
        continue;
      }
      if (task?.outcome === "failed") {
        if (job.error?.code !== "run_failed") note("the provider's run failed, but the job says otherwise");
        continue;
      }
      if (job.error?.code === "run_failed") note("run_failed, but the provider's run did not fail");
      // outputs: each failed one is explained by the provider (partial) or by its downloads
      for (const output of job.outputs) {
        const fetches = mine.filter((ex) => ex.target === "media" && output.sourceUrl?.endsWith(ex.path));
        if (fetches.length > MAX_COPY_ATTEMPTS) note(`output ${output.index} fetched ${fetches.length} times`);
        if (output.status !== "failed") continue;
        const kinds = fetches.map(outcomeOf);
        // a poster or last frame is not fetched once its video could not be stored (that video is checked here too)
        const orphan =
          output.parent !== undefined &&
          fetches.length === 0 &&
          job.outputs.find((o) => o.index === output.parent)?.status === "failed";
        const explained =
          orphan ||
          (!output.sourceUrl
            ? task?.outcome === "partial"
            : kinds.includes("expired") ||
              kinds.filter((k) => k !== "ok" && k !== "benign").length >= MAX_COPY_ATTEMPTS);
        if (!explained) note(`output ${output.index} failed (${output.error}) after ${JSON.stringify(kinds)}`);
      }
      if (job.status === "failed" && job.error?.code !== "media_copy_failed") note("failed with an unexpected code");
      if (job.status === "failed" && job.outputs.some((o) => o.status === "stored"))
        note("failed with a stored output");
      // a job that met no fault at all simply succeeds, every output stored
      const clean = mine.every((ex) => ["ok", "benign"].includes(outcomeOf(ex))) && task?.outcome === "success";
      if (clean && (job.status !== "succeeded" || job.outputs.some((o) => o.status !== "stored")))
        note("met no fault but did not succeed whole");
    }
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
