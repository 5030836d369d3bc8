// Alarm steps for the reliability suite: a job's next step run by the test (reporting a crash
// instead of stopping), jobs parked between steps so only the test moves them, and crashes
// placed after a side effect.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { JobObject } from "../../src/jobs/job-object.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { jobInside, writeJobRecord } from "../support/do-internals.ts";
import { type Harness, jobStub, storedJob } from "../support/harness.ts";
import { TERMINAL } from "./support.ts";

const PARKED_MS = 3600_000;

const runningOf = (instance: JobObject) => jobInside(instance).running;

/**
 * Parks a job between the test's steps: its alarm and its due time an hour away, so nothing
 * fires by itself, and even an alarm event the runtime had already dispatched (the object acts
 * up to 1 s early) finds nothing to do and only re-arms. Steps make the job due themselves.
 */
async function park(instance: JobObject, state: DurableObjectState): Promise<void> {
  const job = await state.storage.get<JobRecord>("job");
  if (job && !TERMINAL.has(job.status))
    await writeJobRecord(instance, state, { ...job, nextAt: Date.now() + PARKED_MS });
  await state.storage.setAlarm(Date.now() + PARKED_MS);
}

export interface Step {
  /** What alarm() rejected with, if it did. */
  error?: unknown;
  /** Duration of the alarm invocation. */
  ms: number;
  /** The job and its alarm as the step left them (before parking). */
  job: JobRecord;
  alarm: number | null;
}

/**
 * One alarm step, run by the runtime (runDurableObjectAlarm) as if its time had come: the job is
 * made due with its alarm pending, then that alarm runs. Reports whether alarm() rejected, how
 * long it took, and the job as it left it. With `hold` (the default) the job is then parked, so
 * the test's next step is the object's next step.
 */
export async function stepAlarm(id: string, hold = true, direct = false): Promise<Step> {
  const stub = jobStub(id);
  if (direct) return stepDirect(id, hold);
  let left: { job: JobRecord; alarm: number | null } | undefined;
  const ended = await runInDurableObject(stub, async (instance, state) => {
    await runningOf(instance);
    const job = await state.storage.get<JobRecord>("job");
    if (!job) throw new Error(`no job ${id}`);
    if (TERMINAL.has(job.status)) return job;
    await writeJobRecord(instance, state, { ...job, nextAt: Date.now() });
    await state.storage.setAlarm(Date.now() + PARKED_MS);
    // The step's own invocation notes the job and parks it before it returns. Parked in a later
    // call instead, an alarm the step left due "now" could be run by the runtime in between,
    // adding a step the test did not take (it happened on a loaded machine).
    const object = jobInside(instance);
    object.alarm = async function (this: unknown) {
      Reflect.deleteProperty(object, "alarm");
      try {
        await object.alarm();
      } finally {
        left = { job: (await state.storage.get<JobRecord>("job"))!, alarm: await state.storage.getAlarm() };
        if (hold) await park(instance, state);
      }
    };
    return undefined;
  });
  if (ended)
    return { ms: 0, job: ended, alarm: await runInDurableObject(stub, (_, state) => state.storage.getAlarm()) };
  const started = performance.now();
  let error: unknown;
  try {
    await runDurableObjectAlarm(stub);
  } catch (err) {
    error = err ?? new Error("alarm() rejected without a reason");
  }
  const ms = performance.now() - started;
  const after = await runInDurableObject(stub, async (instance) => {
    await runningOf(instance);
    if (!left) throw new Error(`the step of job ${id} did not run`);
    return left;
  });
  return error === undefined ? { ms, ...after } : { error, ms, ...after };
}

/**
 * The same step in one call into the object, running alarm() on the instance itself: cheaper,
 * but an alarm the runtime dispatches meanwhile (a callback or a gate wake-up set it) may add a
 * step. For runs that count outcomes rather than exact calls.
 */
async function stepDirect(id: string, hold: boolean): Promise<Step> {
  return runInDurableObject(jobStub(id), async (instance, state) => {
    await runningOf(instance);
    const job = await state.storage.get<JobRecord>("job");
    if (!job) throw new Error(`no job ${id}`);
    if (TERMINAL.has(job.status)) return { ms: 0, job, alarm: await state.storage.getAlarm() };
    await writeJobRecord(instance, state, { ...job, nextAt: Date.now() });
    await state.storage.deleteAlarm();
    const started = performance.now();
    let error: unknown;
    try {
      await instance.alarm();
    } catch (err) {
      error = err ?? new Error("alarm() rejected without a reason");
    }
    const ms = performance.now() - started;
    const after = (await state.storage.get<JobRecord>("job"))!;
    const alarm = await state.storage.getAlarm();
    if (hold) await park(instance, state);
    return error === undefined ? { ms, job: after, alarm } : { error, ms, job: after, alarm };
  });
}

/** Drives a job to its end with stepAlarm, collecting every rejection of alarm() instead of stopping. */
export async function driveCounting(
  h: Harness,
  id: string,
  stepMs = 15_000,
  maxRounds = 150,
): Promise<{ job: JobRecord; rejections: unknown[] }> {
  const rejections: unknown[] = [];
  // the alarm set at creation may already be on its way: let it be the first step
  const first = await storedJob(id);
  if (first.status === "queued" && first.submitAttempts === 0) await firstStep(id, 1, false);
  for (let i = 0; i < maxRounds; i++) {
    const job = await storedJob(id);
    if (TERMINAL.has(job.status)) return { job, rejections };
    h.advance(stepMs);
    const step = await stepAlarm(id);
    if (step.error !== undefined) rejections.push(step.error);
  }
  throw new Error(`job ${id} did not settle: ${JSON.stringify(await storedJob(id))}`);
}

/** Like helpers' driveJob, but every step goes through stepAlarm; throws if alarm() ever rejects. */
export async function drive(h: Harness, id: string, stepMs = 15_000, maxRounds = 150): Promise<JobRecord> {
  const { job, rejections } = await driveCounting(h, id, stepMs, maxRounds);
  if (rejections.length > 0) throw new Error(`alarm() rejected while driving ${id}: ${String(rejections[0])}`);
  return job;
}

/** Runs steps until `until(job)` holds (or the job ends); returns the job at that point. */
export async function stepUntil(
  h: Harness,
  id: string,
  until: (job: JobRecord) => boolean,
  stepMs = 15_000,
  maxRounds = 60,
): Promise<JobRecord> {
  for (let i = 0; i < maxRounds; i++) {
    const job = await storedJob(id);
    if (until(job) || TERMINAL.has(job.status)) return job;
    h.advance(stepMs);
    await stepAlarm(id);
  }
  throw new Error(`job ${id} never reached the wanted state: ${JSON.stringify(await storedJob(id))}`);
}

/**
 * Lets whatever alarm is due run once, the way the runtime would (a callback or a wake-up set
 * it), and waits for it; then parks the job. Nothing is forced due.
 */
export async function runDue(id: string): Promise<JobRecord> {
  const stub = jobStub(id);
  await runDurableObjectAlarm(stub);
  return runInDurableObject(stub, async (instance, state) => {
    await runningOf(instance);
    const job = (await state.storage.get<JobRecord>("job"))!;
    await park(instance, state);
    return job;
  });
}

/**
 * Makes sure the job's first step (its submit) has run exactly once: the alarm set at creation
 * runs (through the runtime, or by itself if it already had), then the job is parked. A job
 * waiting in line for a provider slot is asked again a few times. Returns the job as its
 * submit step left it.
 */
export async function firstStep(id: string, tries = 30, mustSubmit = true): Promise<JobRecord> {
  const stub = jobStub(id);
  let job: JobRecord | undefined;
  for (let i = 0; i < tries; i++) {
    if (i > 0 && job?.status === "queued" && job.submitAttempts === 0) {
      // waiting in line: ask again now
      await runInDurableObject(stub, async (instance, state) => {
        const current = (await state.storage.get<JobRecord>("job"))!;
        await writeJobRecord(instance, state, { ...current, nextAt: Date.now() });
        await state.storage.setAlarm(Date.now() + PARKED_MS);
      });
    }
    await runDurableObjectAlarm(stub);
    job = await runInDurableObject(stub, async (instance, state) => {
      await runningOf(instance);
      return (await state.storage.get<JobRecord>("job"))!;
    });
    if (job.submitAttempts > 0 || job.status !== "queued") {
      await holdAlarm(id);
      return job;
    }
  }
  if (!mustSubmit && job) {
    await holdAlarm(id);
    return job;
  }
  const gate = job
    ? await runInDurableObject(env.GATES.get(env.GATES.idFromName(job.provider)), (g) => g.snapshot())
    : undefined;
  throw new Error(
    `job ${id} never got to its provider: ${JSON.stringify(job)}; provider gate: ${JSON.stringify(gate)}`,
  );
}

/** Waits for an alarm already running, then parks the job: it moves only when the test steps it. */
export async function holdAlarm(id: string): Promise<void> {
  await runInDurableObject(jobStub(id), async (instance, state) => {
    await runningOf(instance);
    await park(instance, state);
  });
}

/**
 * Makes the object's next call of `method` throw: the alarm handler crashes at that point, with
 * whatever side effects came before it done and nothing after it stored.
 */
export async function crashOnce(id: string, method: "advance" | "commit"): Promise<void> {
  await runInDurableObject(jobStub(id), (instance) => {
    const target = jobInside(instance);
    target[method] = async () => {
      Reflect.deleteProperty(target, method);
      throw new Error(`simulated crash in ${method}`);
    };
  });
}

export const alarmOf = (id: string) => runInDurableObject(jobStub(id), (_, state) => state.storage.getAlarm());
