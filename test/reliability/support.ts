// Shared helpers of the reliability suite (matrix, fuzz, soak): a seeded random source, a fetch
// layer on top of the harness's spy, alarm steps that report crashes and duration, and the
// checks behind the promise (stored bytes equal the provider's, no task twice, no secret logged).
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { vi } from "vitest";
import type { JobRecord } from "../../src/jobs/record.ts";
import { weshopRunKey } from "../../src/providers/weshop-run.ts";
import { SIM_ORIGIN, TEST_BINDINGS } from "../support/bindings.ts";
import { jobApi } from "../../src/jobs/job-client.ts";
import type { JobObject } from "../../src/jobs/job-object.ts";
import { gateInside, jobInside } from "../support/do-internals.ts";
import { jobStub, storedJob, type Harness } from "../support/harness.ts";

export const SEEDREAM = { model: "weshop/seedream", params: { textDescription: "a fox" } };
export const SEEDANCE = { model: "weshop/seedance", params: { textDescription: "a wave", images: ["https://images.example.com/a.png"] } };
export const WIRO = { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle" } };

export const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

export { seeded } from "../support/seeded.ts";

export const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
export const intIn = (rand: () => number, min: number, max: number): number => min + Math.floor(rand() * (max - min + 1));

export const requestsTo = (h: Harness, target: string) => h.sim.requests.filter((r) => r.target === target);

type Next = () => Promise<Response>;
export type Layer = (request: Request, next: Next) => Promise<Response>;

/**
 * Puts `layer` in front of the harness's fetch spy (which routes to the simulator). `next()`
 * forwards the original call unchanged, signal included. Undone by `h.stop()` (mockRestore).
 */
export function layerFetch(layer: Layer): void {
  const spy = vi.mocked(globalThis.fetch);
  const inner = spy.getMockImplementation();
  if (!inner) throw new Error("startHarness() must run before layerFetch()");
  spy.mockImplementation(async (input, init) => {
    // the layer gets its own copy, so reading it never uses up the body the next one forwards
    const view = input instanceof Request ? new Request(input.clone(), init) : new Request(input as RequestInfo, init);
    return layer(view, () => inner(input, init));
  });
}

/**
 * What workerd's fetch does with a `Content-Encoding: gzip` answer and what the in-process
 * simulator cannot: the body arrives inflated, the headers stay as sent. Without this the
 * harness would hand the worker compressed bytes that no real fetch ever would.
 */
export function emulateGzipDecoding(): void {
  layerFetch(async (request, next) => {
    const res = await next();
    if (!request.url.startsWith(`${SIM_ORIGIN}/files/`) || res.headers.get("content-encoding")?.toLowerCase() !== "gzip" || !res.body) return res;
    return new Response(res.body.pipeThrough(new DecompressionStream("gzip")), { status: res.status, headers: res.headers });
  });
}

/** Every URL the worker asked fetch for (simulator, hooks and the refused rest), in order. */
export function recordFetches(): string[] {
  const seen: string[] = [];
  layerFetch(async (request, next) => {
    seen.push(request.url);
    return next();
  });
  return seen;
}

const PARKED_MS = 3600_000;

const runningOf = (instance: JobObject) => jobInside(instance).running;

/**
 * Parks a job between the test's steps: its alarm and its due time an hour away, so nothing
 * fires by itself, and even an alarm event the runtime had already dispatched (the object acts
 * up to 1 s early) finds nothing to do and only re-arms. Steps make the job due themselves.
 */
async function park(state: DurableObjectState): Promise<void> {
  const job = await state.storage.get<JobRecord>("job");
  if (job && !TERMINAL.has(job.status)) await state.storage.put("job", { ...job, nextAt: Date.now() + PARKED_MS });
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
    await state.storage.put("job", { ...job, nextAt: Date.now() });
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
        if (hold) await park(state);
      }
    };
    return undefined;
  });
  if (ended) return { ms: 0, job: ended, alarm: await runInDurableObject(stub, (_, state) => state.storage.getAlarm()) };
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
    await state.storage.put("job", { ...job, nextAt: Date.now() });
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
    if (hold) await park(state);
    return error === undefined ? { ms, job: after, alarm } : { error, ms, job: after, alarm };
  });
}

/** Drives a job to its end with stepAlarm, collecting every rejection of alarm() instead of stopping. */
export async function driveCounting(h: Harness, id: string, stepMs = 15_000, maxRounds = 150): Promise<{ job: JobRecord; rejections: unknown[] }> {
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
export async function stepUntil(h: Harness, id: string, until: (job: JobRecord) => boolean, stepMs = 15_000, maxRounds = 60): Promise<JobRecord> {
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
    await park(state);
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
      await runInDurableObject(stub, async (_, state) => {
        const current = (await state.storage.get<JobRecord>("job"))!;
        await state.storage.put("job", { ...current, nextAt: Date.now() });
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
  const gate = job ? await runInDurableObject(env.GATES.get(env.GATES.idFromName(job.provider)), (g) => g.snapshot()) : undefined;
  throw new Error(`job ${id} never got to its provider: ${JSON.stringify(job)}; provider gate: ${JSON.stringify(gate)}`);
}

/** Waits for an alarm already running, then parks the job: it moves only when the test steps it. */
export async function holdAlarm(id: string): Promise<void> {
  await runInDurableObject(jobStub(id), async (instance, state) => {
    await runningOf(instance);
    await park(state);
  });
}

/**
 * Gives the providers' concurrency gates their full pace back: provider pushback (429, Wiro 96)
 * seen by an earlier test halves a gate's limit for a while, which would make the next test's
 * jobs wait in line. Done through the gate's own API and its clock seam.
 */
export async function restoreProviderPace(): Promise<void> {
  for (const name of ["weshop", "wiro"]) {
    await runInDurableObject(env.GATES.get(env.GATES.idFromName(name)), async (instance) => {
      const gate = gateInside(instance);
      // past the pushback hold, well short of any lease running out
      gate.now = () => Date.now() + 120_000;
      try {
        for (let i = 0; i < 80; i++) await gate.report("ok");
      } finally {
        Reflect.deleteProperty(gate, "now");
      }
    });
  }
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

/** Makes the jobs look idle to the sweeper: their objects have not written their index rows for longer than `idleMs`. */
export async function ageIndex(ids: string[], idleMs: number): Promise<void> {
  const stamp = Date.now() - idleMs - 60_000;
  for (const id of ids) await env.DB.prepare("UPDATE jobs SET updated_at = ?, seen_at = ? WHERE id = ?").bind(stamp, stamp, id).run();
}

export async function sha256Hex(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

export interface StoredCheck {
  /** Objects in R2 under the jobs' prefixes. */
  objects: number;
  /** Outputs the jobs say are stored. */
  stored: number;
  /** Objects whose size or sha256 differs from the provider's bytes, or that no stored output claims. */
  bad: string[];
}

/**
 * Compares every R2 object of the jobs with the simulator's bytes for that output: size and
 * sha256 must match, and objects and stored outputs must pair up one to one.
 */
export async function checkStored(h: Harness, jobs: JobRecord[]): Promise<StoredCheck> {
  const bad: string[] = [];
  let objects = 0;
  let stored = 0;
  for (const job of jobs) {
    const byKey = new Map(job.outputs.filter((o) => o.status === "stored" && o.key).map((o) => [o.key!, o]));
    stored += byKey.size;
    const listed = await env.MEDIA.list({ prefix: `jobs/${job.id}/` });
    objects += listed.objects.length;
    for (const object of listed.objects) {
      const output = byKey.get(object.key);
      if (!output) {
        bad.push(`${object.key}: no stored output claims it`);
        continue;
      }
      const source = await h.sim.mediaBytes(output.sourceUrl!);
      const body = await env.MEDIA.get(object.key);
      const bytes = new Uint8Array(await body!.arrayBuffer());
      if (!source) bad.push(`${object.key}: the simulator serves nothing at the source URL`);
      else if (bytes.byteLength !== source.byteLength) bad.push(`${object.key}: ${bytes.byteLength} bytes stored, source has ${source.byteLength}`);
      else if ((await sha256Hex(bytes)) !== (await sha256Hex(source))) bad.push(`${object.key}: sha256 differs from the source`);
      else if (output.size !== source.byteLength || output.sha256 !== (await sha256Hex(source)))
        bad.push(`${object.key}: the job reports a wrong size or sha256`);
    }
    for (const key of byKey.keys()) if (!listed.objects.some((o) => o.key === key)) bad.push(`${key}: stored output without an object`);
  }
  return { objects, stored, bad };
}

/** Provider tasks per job: WeShop tasks carry the job id as idempotency key, Wiro tasks in the callback URL. */
export async function tasksPerJob(h: Harness): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  // a WeShop run's Idempotency-Key is derived from its job id
  const jobOfKey = new Map(await Promise.all([...new Set(h.jobs)].map(async (id) => [await weshopRunKey(id), id] as const)));
  for (const task of h.sim.tasks()) {
    // a key of a job the harness did not create (a batch's) still groups that job's tasks
    const id =
      task.provider === "weshop"
        ? task.idempotencyKey && (jobOfKey.get(task.idempotencyKey) ?? task.idempotencyKey)
        : task.callbackUrl?.match(/\/callbacks\/wiro\/(job_\w+)\//)?.[1];
    const key = id ?? `unattributed:${task.id}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Ends every job of the test that is still open, so no later alarm reaches for a stopped simulator. */
export async function cancelOpenJobs(h: Harness): Promise<void> {
  for (const id of new Set(h.jobs)) {
    const job = await storedJob(id).catch(() => undefined);
    if (!job || TERMINAL.has(job.status)) continue;
    await jobApi(env, id)
      .cancel(job.tenant)
      .catch(() => undefined);
  }
}

/** The values that must never appear in a log line. */
export function secretValues(): string[] {
  const whsec = TEST_BINDINGS.WEBHOOK_SECRET;
  return [
    TEST_BINDINGS.WESHOP_API_KEY,
    TEST_BINDINGS.WIRO_API_KEY,
    TEST_BINDINGS.WIRO_API_SECRET,
    TEST_BINDINGS.SIGNING_SECRET,
    whsec,
    whsec.slice("whsec_".length),
    ...TEST_BINDINGS.API_KEYS.split(","),
  ];
}

/** Captures console output (silencing it) until `restore()`. */
export function captureLogs(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : safeStringify(a))).join(" "));
    }),
  );
  return {
    lines,
    restore() {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

function safeStringify(value: unknown): string {
  try {
    return value instanceof Error ? `${value.name}: ${value.message}\n${value.stack ?? ""}` : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
