// The fault matrix of RELIABILITY.md, one describe per row, each titled with the row's fault.
// Every row asserts the expected behaviour and, where the row has one, its figure. Rows that
// test/integration already proves in depth are re-stated compactly here (they still run and can
// fail); the rest go further than the integration tests: every provider call, random values,
// crashes after side effects, redirects to private hosts, cron ticks delivered twice.
import { createExecutionContext, createScheduledController, env, evictDurableObject, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { batchJobId, type BatchRecord } from "../../src/batches/batch-object.ts";
import { scheduledBatchId } from "../../src/batches/schedules.ts";
import type { Env } from "../../src/env.ts";
import worker from "../../src/index.ts";
import { CONFIRM_WINDOW_MS } from "../../src/jobs/job-object.ts";
import { MAX_COPY_ATTEMPTS, MAX_POLL_ERRORS, MAX_SUBMIT_ATTEMPTS } from "../../src/jobs/machine.ts";
import { RETRY_BASE_MS, RETRY_CAP_MS } from "../../src/jobs/polling.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { IDLE_MS, sweepIdleJobs } from "../../src/jobs/sweeper.ts";
import type { FaultKind, FaultTarget } from "../../simulator/index.ts";
import { SIM_ORIGIN, TEST_BINDINGS } from "../bindings.ts";
import { api, createJob, driveJob, fireAlarm, getJob, HOOK_ORIGIN, jobStub, startHarness, storedJob, type Harness } from "../helpers.ts";
import {
  ageIndex,
  alarmOf,
  holdAlarm,
  cancelOpenJobs,
  captureLogs,
  checkStored,
  crashOnce,
  driveCounting,
  emulateGzipDecoding,
  intIn,
  layerFetch,
  pick,
  recordFetches,
  requestsTo,
  SEEDANCE,
  SEEDREAM,
  seeded,
  stepAlarm,
  stepUntil,
  tasksPerJob,
  TERMINAL,
  WIRO,
} from "./support.ts";

let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  await cancelOpenJobs(h);
  await h.stop();
});

type Spec = typeof SEEDREAM | typeof WIRO | typeof SEEDANCE;
const SPEC_OF: Record<string, Spec> = { weshop: SEEDREAM, wiro: WIRO };
const specFor = (target: FaultTarget): Spec => SPEC_OF[target.split(".")[0]!]!;
const isSubmit = (target: FaultTarget) => target === "weshop.submit" || target === "wiro.run";
const PROVIDER_TIMEOUT_MS = Number(TEST_BINDINGS.PROVIDER_TIMEOUT_MS);
const MEDIA_TIMEOUT_MS = Number(TEST_BINDINGS.MEDIA_TIMEOUT_MS);
/** Full jitter's ceiling for the n-th consecutive failure; the floor keeps retries from spinning. */
const ceiling = (attempt: number) => Math.max(250, Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1)));

/** Creates a job and, for a poll fault, lets it reach the provider first, so the fault lands on a poll. */
async function jobAt(target: FaultTarget): Promise<string> {
  const { id } = await createJob(specFor(target));
  if (!isSubmit(target)) {
    await fireAlarm(id);
    await holdAlarm(id);
    expect((await storedJob(id)).status).toBe("running");
  }
  return id;
}

/**
 * A job whose next step is the one at `target`, taken by this test and not by the alarm that
 * fires by itself after creation: for a submit that first alarm meets a long rate limit.
 */
async function jobBefore(target: FaultTarget): Promise<{ id: string; attempts: number }> {
  if (!isSubmit(target)) return { id: await jobAt(target), attempts: 0 };
  h.sim.inject({ target, kind: "rate_limit", retryAfter: 300 });
  const { id } = await createJob(specFor(target));
  await fireAlarm(id);
  await holdAlarm(id);
  const job = await storedJob(id);
  expect(job).toMatchObject({ status: "queued", attempts: 1 });
  return { id, attempts: 1 };
}

/** Measured figures are printed once per row, for BENCHMARKS.md and the report. */
const figure = (text: string) => console.log(`[reliability figure] ${text}`);

interface Backoff {
  attempts: number;
  delay: number;
}

/** Drives a job to its end, noting the delay chosen after every failed attempt. */
async function driveNotingBackoff(id: string, maxRounds = 80): Promise<{ job: JobRecord; backoffs: Backoff[] }> {
  const backoffs: Backoff[] = [];
  for (let i = 0; i < maxRounds; i++) {
    const job = await storedJob(id);
    if (TERMINAL.has(job.status)) return { job, backoffs };
    h.advance(15_000);
    const { job: after } = await stepAlarm(id);
    if (!TERMINAL.has(after.status) && after.attempts > 0 && after.lastProviderError)
      backoffs.push({ attempts: after.attempts, delay: after.nextAt - after.updatedAt });
  }
  throw new Error(`job ${id} did not settle`);
}

describe("provider 5xx, N times", () => {
  const rand = seeded(5);
  const cases: [FaultTarget, FaultKind, number][] = [];
  for (const target of ["weshop.submit", "weshop.poll", "wiro.run", "wiro.detail"] as const)
    for (const kind of ["http500", "http503"] as const) cases.push([target, kind, intIn(rand, 1, 4)]);

  it.each(cases)("%s %s ×%i: capped full-jitter backoff, then success with one provider task", async (target, kind, n) => {
    const { id, attempts: before } = await jobBefore(target);
    h.sim.inject({ target, kind, times: n });
    const { job, backoffs } = await driveNotingBackoff(id);
    expect(job.status).toBe("succeeded");
    const calls = requestsTo(h, target).length;
    if (isSubmit(target)) expect(calls).toBe(before + n + 1);
    else expect(calls).toBeGreaterThanOrEqual(n + 1);
    // attempts <= cap
    expect(before + n + 1).toBeLessThanOrEqual(isSubmit(target) ? MAX_SUBMIT_ATTEMPTS : MAX_POLL_ERRORS);
    // one backoff per failed attempt, each within its full-jitter ceiling
    expect(backoffs.map((b) => b.attempts)).toEqual(Array.from({ length: n }, (_, i) => before + i + 1));
    for (const b of backoffs) {
      expect(b.delay).toBeGreaterThan(0);
      expect(b.delay).toBeLessThanOrEqual(ceiling(b.attempts));
    }
    // 0 duplicate provider tasks
    expect(h.sim.tasks()).toHaveLength(1);
    expect(tasksPerJob(h).get(id)).toBe(1);
    if (target === "weshop.submit") expect(new Set(requestsTo(h, target).map((r) => r.headers["idempotency-key"]))).toEqual(new Set([id]));
  });

  it.each([
    ["weshop.submit", "http500"],
    ["wiro.run", "http503"],
    ["weshop.poll", "http503"],
    ["wiro.detail", "http500"],
  ] as const)("%s %s without end: failed after the cap with the last error; delays capped and jittered", async (target, kind) => {
    const { id } = await jobBefore(target);
    h.sim.inject({ target, kind, times: 1000 });
    const { job, backoffs } = await driveNotingBackoff(id);
    const cap = isSubmit(target) ? MAX_SUBMIT_ATTEMPTS : MAX_POLL_ERRORS;
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "provider_unavailable", retryable: true });
    // the reason names the provider's last answer
    expect(job.lastProviderError).toBeTruthy();
    expect(job.error!.message).toContain(job.lastProviderError!);
    expect(requestsTo(h, target)).toHaveLength(cap);
    expect(h.sim.tasks()).toHaveLength(isSubmit(target) ? 0 : 1);
    for (const b of backoffs) expect(b.delay).toBeLessThanOrEqual(Math.min(RETRY_CAP_MS, ceiling(b.attempts)));
    // full jitter: the delays are spread below their ceilings, not pinned to them
    expect(backoffs.length).toBeGreaterThanOrEqual(cap - 3);
    expect(backoffs.filter((b) => b.delay < 0.9 * ceiling(b.attempts)).length).toBeGreaterThan(0);
  });
});

describe("429 / Wiro code 96 with or without Retry-After (seconds or HTTP date)", () => {
  const targets = ["weshop.submit", "weshop.poll", "wiro.run", "wiro.detail"] as const;
  const forms = ["seconds", "http-date", "none"] as const;
  const margins: number[] = [];

  it.each(targets.flatMap((t) => forms.map((f) => [t, f] as const)))("%s rate limited, Retry-After as %s: the next try waits at least that long", async (target, form) => {
    const rand = seeded(targets.indexOf(target) * 10 + forms.indexOf(form) + 1);
    for (let round = 0; round < 3; round++) {
      const seconds = intIn(rand, 1, 600);
      const { id, attempts } = await jobBefore(target);
      const header = form === "seconds" ? seconds : form === "http-date" ? new Date(Date.now() + seconds * 1000).toUTCString() : undefined;
      h.sim.inject({ target, kind: "rate_limit", ...(header === undefined ? {} : { retryAfter: header }) });
      const before = requestsTo(h, target).length;
      const step = await stepAlarm(id);
      expect(step.error).toBeUndefined();
      expect(requestsTo(h, target).length).toBe(before + 1);
      const job = step.job;
      expect(job.status).toBe(isSubmit(target) ? "queued" : "running");
      expect(job.attempts).toBe(attempts + 1);
      expect(job.lastProviderError).toMatch(target.startsWith("wiro") ? /^96:/ : /^RATE_LIMITED:/);
      // the object's alarm is what actually wakes it: set to the stored time
      expect(step.alarm).toBe(job.nextAt);
      if (form === "seconds") {
        expect(job.nextAt - job.updatedAt).toBeGreaterThanOrEqual(seconds * 1000);
        margins.push(job.nextAt - job.updatedAt - seconds * 1000);
      } else if (form === "http-date") {
        // the date has whole seconds: the next try must not come before it
        expect(job.nextAt).toBeGreaterThanOrEqual(Date.parse(header as string));
        margins.push(job.nextAt - Date.parse(header as string));
      } else {
        expect(job.nextAt - job.updatedAt).toBeGreaterThan(0);
        expect(job.nextAt - job.updatedAt).toBeLessThanOrEqual(ceiling(job.attempts));
      }
      if (round === 0 && form === "seconds") {
        // and the job gets there in the end, with one task
        expect((await driveJob(h, id)).status).toBe("succeeded");
        expect(tasksPerJob(h).get(id)).toBe(1);
      }
      // nothing of this round may hold a provider slot or fire into the next
      await cancelOpenJobs(h);
    }
    if (form !== "none") expect(Math.min(...margins)).toBeGreaterThanOrEqual(0);
  });

  afterAll(() => {
    if (margins.length > 0) figure(`Retry-After honoured in ${margins.length}/${margins.length} cases; smallest margin ${Math.min(...margins)} ms`);
  });
});

describe("provider hangs", () => {
  const timed: number[] = [];
  afterAll(() => {
    if (timed.length > 0) figure(`hung provider call: alarm invocation max ${Math.max(...timed).toFixed(0)} ms (timeout ${PROVIDER_TIMEOUT_MS} ms, bound ${PROVIDER_TIMEOUT_MS + 1000} ms)`);
  });

  it.each(["weshop.submit", "weshop.poll", "wiro.detail", "wiro.run"] as const)(
    "%s hanging is aborted by PROVIDER_TIMEOUT_MS, counted as retryable; the alarm invocation lasts <= timeout + 1 s",
    async (target) => {
      const { id, attempts } = await jobBefore(target);
      h.sim.inject({ target, kind: "hang" });
      const step = await stepAlarm(id);
      timed.push(step.ms);
      expect(step.error).toBeUndefined();
      expect(step.ms).toBeLessThanOrEqual(PROVIDER_TIMEOUT_MS + 1000);
      const job = step.job;
      if (target === "wiro.run") {
        // Wiro has no idempotent submit: a run whose fate is unknown is not sent again
        expect(job.status).toBe("failed");
        expect(job.error).toMatchObject({ code: "submit_uncertain", retryable: true });
        expect(requestsTo(h, target)).toHaveLength(2);
        expect(h.sim.tasks()).toHaveLength(0);
        return;
      }
      expect(job.status).toBe(isSubmit(target) ? "queued" : "running");
      expect(job.attempts).toBe(attempts + 1);
      expect(job.lastProviderError).toMatch(/^timeout:/);
      const done = await driveJob(h, id);
      expect(done.status).toBe("succeeded");
      expect(h.sim.tasks()).toHaveLength(1);
    },
  );

  it("a hanging output download is aborted by MEDIA_TIMEOUT_MS and retried; the object is whole", async () => {
    const { id } = await createJob(SEEDREAM);
    await stepUntil(h, id, (j) => j.status === "copying");
    h.sim.inject({ target: "media", kind: "hang" });
    const step = await stepAlarm(id);
    expect(step.error).toBeUndefined();
    expect(step.ms).toBeLessThanOrEqual(MEDIA_TIMEOUT_MS + 1000);
    const job = step.job;
    expect(job.outputs[0]).toMatchObject({ status: "pending", attempts: 1, error: expect.stringMatching(/^timeout:/) });
    const done = await driveJob(h, id);
    expect(done.status).toBe("succeeded");
    const check = await checkStored(h, [done]);
    expect(check).toEqual({ objects: 1, stored: 1, bad: [] });
  });
});

describe("malformed JSON / unexpected shape", () => {
  const targets = ["weshop.submit", "weshop.poll", "wiro.run", "wiro.detail"] as const;

  it.each(targets.flatMap((t) => (["malformed_json", "unexpected_shape"] as const).map((k) => [t, k] as const)))(
    "%s %s: a provider error with a reason, never an exception out of alarm()",
    async (target, kind) => {
      const logs = captureLogs();
      try {
        const { id } = await jobBefore(target);
        h.sim.inject({ target, kind });
        const seen: string[] = [];
        const rejections: unknown[] = [];
        for (let i = 0; i < 60; i++) {
          const job = await storedJob(id);
          if (TERMINAL.has(job.status)) break;
          h.advance(15_000);
          const step = await stepAlarm(id);
          if (step.error !== undefined) rejections.push(step.error);
          if (step.job.lastProviderError) seen.push(step.job.lastProviderError);
        }
        const job = await storedJob(id);
        expect(rejections).toEqual([]);
        expect(logs.lines.filter((l) => l.includes("unexpected error in job alarm"))).toEqual([]);
        if (target === "wiro.run") {
          // a 2xx Wiro cannot be read may still have made a task: not sent again
          expect(job.status).toBe("failed");
          expect(job.error).toMatchObject({ code: "submit_uncertain" });
          expect(requestsTo(h, target)).toHaveLength(2);
        } else {
          expect(seen.filter((e) => /^bad_response:/.test(e))).toHaveLength(1);
          expect(job.status).toBe("succeeded");
          expect(h.sim.tasks()).toHaveLength(1);
        }
      } finally {
        logs.restore();
      }
    },
  );

  // bodies a provider or a proxy in front of it might send instead of the documented envelope
  const ODD_BODIES: unknown[] = [
    null,
    [],
    "ok",
    0,
    {},
    { success: true },
    { success: true, data: null },
    { success: "true", data: { executionId: 7 } },
    { success: true, data: { executions: "soon" } },
    { success: true, data: { executions: [{ status: "Success", result: [{ status: "Success", image: 42, video: {} }] }] } },
    { result: true },
    { result: true, tasklist: [] },
    { result: true, taskid: null, socketaccesstoken: "" },
    { result: true, tasklist: [{ status: "task_postprocess_end", pexit: "0", outputs: [{ url: 7 }] }] },
    { result: false, errors: [null] },
    { errors: "none" },
    JSON.parse("[".repeat(500) + "]".repeat(500)),
  ];

  it.each(targets)("%s answering odd JSON bodies: handled as a provider error or a result, alarm() never throws", async (target) => {
    const logs = captureLogs();
    const path = { "weshop.submit": "/agent/runs", "weshop.poll": "/agent/runs/", "wiro.run": "/Run/", "wiro.detail": "/Task/Detail" }[target];
    const queue: { body: unknown }[] = [];
    layerFetch(async (request, next) => {
      const url = new URL(request.url);
      const matches = target === "weshop.submit" ? url.pathname.endsWith(path) : url.pathname.includes(path);
      const odd = matches && !(target === "weshop.poll" && request.method !== "GET") ? queue.shift() : undefined;
      if (!odd) return next();
      return new Response(JSON.stringify(odd.body), { headers: { "content-type": "application/json" } });
    });
    try {
      // one job per body, run side by side; each body is served once, to whichever call comes first
      const ids = await Promise.all(ODD_BODIES.map(async () => (await jobBefore(target)).id));
      queue.push(...ODD_BODIES.map((body) => ({ body })));
      const results = await Promise.all(ids.map((id) => driveCounting(h, id)));
      expect(queue, "every odd body was served").toEqual([]);
      for (const [i, { job, rejections }] of results.entries()) {
        expect(rejections, `job #${i}`).toEqual([]);
        expect(TERMINAL.has(job.status)).toBe(true);
        if (job.status !== "succeeded") expect(job.error?.code, `job #${i}`).toEqual(expect.any(String));
      }
      for (const count of tasksPerJob(h).values()) expect(count).toBe(1);
      expect(logs.lines.filter((l) => l.includes("unexpected error in job alarm"))).toEqual([]);
    } finally {
      logs.restore();
    }
  });

  it.each(["weshop.poll", "wiro.detail"] as const)("%s malformed on every poll: failed after the cap, no throw loop", async (target) => {
    const id = await jobAt(target);
    h.sim.inject({ target, kind: "malformed_json", times: 1000 });
    const { job, rejections } = await driveCounting(h, id);
    expect(rejections).toEqual([]);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "provider_unavailable" });
    expect(job.error!.message).toContain("bad_response");
    expect(requestsTo(h, target)).toHaveLength(MAX_POLL_ERRORS);
  });
});
