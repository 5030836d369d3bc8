// Shared helpers of the reliability suite (matrix, fuzz, soak): a seeded random source, a fetch
// layer on top of the harness's spy, alarm steps that report crashes and duration, and the
// checks behind the promise (stored bytes equal the provider's, no task twice, no secret logged).
import { env, runInDurableObject } from "cloudflare:test";
import { vi } from "vitest";
import type { JobRecord } from "../../src/jobs/record.ts";
import { SIM_ORIGIN, TEST_BINDINGS } from "../bindings.ts";
import type { JobApi } from "../../src/jobs/job-object.ts";
import { jobStub, storedJob, type Harness } from "../helpers.ts";

export const SEEDREAM = { model: "weshop/seedream", params: { textDescription: "a fox" } };
export const SEEDANCE = { model: "weshop/seedance", params: { textDescription: "a wave", images: ["https://images.example.com/a.png"] } };
export const WIRO = { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle" } };

export const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

/** mulberry32: a small seeded generator, so every "random" case can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

/**
 * Parks a job between the test's steps: no alarm, and a due time an hour away, so that even an
 * alarm event the runtime had already dispatched (the object acts up to 1 s early) finds nothing
 * to do and only re-arms. Steps make the job due again themselves.
 */
async function park(state: DurableObjectState): Promise<void> {
  const job = await state.storage.get<JobRecord>("job");
  if (job && !TERMINAL.has(job.status)) await state.storage.put("job", { ...job, nextAt: Date.now() + PARKED_MS });
  await state.storage.deleteAlarm();
}

/**
 * One alarm step run directly on the instance, like helpers' fireAlarm, but reporting whether
 * alarm() rejected, how long the invocation took (measured inside the object), and the job and
 * alarm as the step left them. With `hold` (the default) the job is then parked, so the test's
 * next step is the object's next step: nothing fires by itself in between.
 */
export async function stepAlarm(id: string, hold = true): Promise<{ error?: unknown; ms: number; job: JobRecord; alarm: number | null }> {
  return runInDurableObject(jobStub(id), async (instance, state) => {
    const running = (instance as unknown as { running?: Promise<void> }).running;
    if (running) await running;
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

/**
 * Makes sure the job's first step (its submit) has run exactly once: by the alarm that fires by
 * itself after creation, or else here; then parks the job (see park). Returns the job as that
 * step left it.
 */
export async function firstStep(id: string): Promise<JobRecord> {
  return runInDurableObject(jobStub(id), async (instance, state) => {
    const running = (instance as unknown as { running?: Promise<void> }).running;
    if (running) await running;
    const job = (await state.storage.get<JobRecord>("job"))!;
    if (job.submitAttempts === 0 && job.status === "queued") {
      await state.storage.put("job", { ...job, nextAt: Date.now() });
      await state.storage.deleteAlarm();
      await instance.alarm();
    }
    const after = (await state.storage.get<JobRecord>("job"))!;
    await park(state);
    return after;
  });
}

/** Waits for an alarm already running, then parks the job: it moves only when the test steps it. */
export async function holdAlarm(id: string): Promise<void> {
  await runInDurableObject(jobStub(id), async (instance, state) => {
    const running = (instance as unknown as { running?: Promise<void> }).running;
    if (running) await running;
    await park(state);
  });
}

/** Drives a job to its end with stepAlarm, collecting every rejection of alarm() instead of stopping. */
export async function driveCounting(h: Harness, id: string, stepMs = 15_000, maxRounds = 120): Promise<{ job: JobRecord; rejections: unknown[] }> {
  const rejections: unknown[] = [];
  for (let i = 0; i < maxRounds; i++) {
    const job = await storedJob(id);
    if (TERMINAL.has(job.status)) return { job, rejections };
    h.advance(stepMs);
    const step = await stepAlarm(id);
    if (step.error !== undefined) rejections.push(step.error);
  }
  throw new Error(`job ${id} did not settle: ${JSON.stringify(await storedJob(id))}`);
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
 * Makes the object's next call of `method` throw: the alarm handler crashes at that point, with
 * whatever side effects came before it done and nothing after it stored.
 */
export async function crashOnce(id: string, method: "advance" | "commit"): Promise<void> {
  await runInDurableObject(jobStub(id), (instance) => {
    const target = instance as unknown as Record<string, unknown>;
    target[method] = async () => {
      delete target[method];
      throw new Error(`simulated crash in ${method}`);
    };
  });
}

export const alarmOf = (id: string) => runInDurableObject(jobStub(id), (_, state) => state.storage.getAlarm());

/** Makes the jobs look idle to the sweeper: their index rows have not moved for longer than `idleMs`. */
export async function ageIndex(ids: string[], idleMs: number): Promise<void> {
  const stamp = Date.now() - idleMs - 60_000;
  for (const id of ids) await env.DB.prepare("UPDATE jobs SET updated_at = ? WHERE id = ?").bind(stamp, id).run();
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
      else if (output.size !== source.byteLength || output.sha256 !== (await sha256Hex(source))) bad.push(`${object.key}: the job reports a wrong size or sha256`);
    }
    for (const key of byKey.keys()) if (!listed.objects.some((o) => o.key === key)) bad.push(`${key}: stored output without an object`);
  }
  return { objects, stored, bad };
}

/** Provider tasks per job: WeShop tasks carry the job id as idempotency key, Wiro tasks in the callback URL. */
export function tasksPerJob(h: Harness): Map<string, number> {
  const counts = new Map<string, number>();
  for (const task of h.sim.tasks()) {
    const id = task.provider === "weshop" ? task.idempotencyKey : task.callbackUrl?.match(/\/callbacks\/wiro\/(job_\w+)\//)?.[1];
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
    await (jobStub(id) as unknown as JobApi).cancel(job.tenant).catch(() => undefined);
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
    return value instanceof Error ? `${value.name}: ${value.message}\n${value.stack ?? ""}` : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
