// The fault matrix of RELIABILITY.md, one describe per row, each titled with the row's fault.
// Every row asserts the expected behaviour and, where the row has one, its figure. Rows that
// test/integration already proves in depth are re-stated compactly here (they still run and can
// fail); the rest go further than the integration tests: every provider call, random values,
// crashes after side effects, redirects to private hosts, cron ticks delivered twice.
import { createExecutionContext, createScheduledController, env, evictDurableObject, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { BatchRecord } from "../../src/batches/batch-client.ts";
import { batchJobId } from "../../src/batches/batch-object.ts";
import { scheduledBatchId } from "../../src/schedules/schedules.ts";
import worker from "../../src/index.ts";
import { CONFIRM_WINDOW_MS } from "../../src/jobs/callbacks.ts";
import { MAX_COPY_ATTEMPTS, MAX_POLL_ERRORS, MAX_SUBMIT_ATTEMPTS } from "../../src/jobs/machine.ts";
import { RETRY_BASE_MS, RETRY_CAP_MS } from "../../src/jobs/polling.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { IDLE_MS, sweepIdleJobs } from "../../src/jobs/sweeper.ts";
import { LEASE_MS } from "../../src/jobs/gate/gate-client.ts";
import { weshopRunKey } from "../../src/providers/weshop-run.ts";
import type { FaultKind, FaultTarget } from "../../simulator/index.ts";
import { SIM_ORIGIN, TEST_BINDINGS } from "../support/bindings.ts";
import { api, createJob, getJob, jobStub, startHarness, storedJob, type Harness } from "../support/harness.ts";
import {
  ageIndex,
  cancelOpenJobs,
  captureLogs,
  checkStored,
  emulateGzipDecoding,
  intIn,
  layerFetch,
  restoreProviderPace,
  recordFetches,
  requestsTo,
  tasksPerJob,
  TERMINAL,
} from "./support.ts";
import { seeded } from "../support/seeded.ts";
import { SEEDANCE, SEEDREAM, WIRO } from "../support/builders.ts";
import { firstStep, crashOnce, drive, driveCounting, runDue, stepAlarm, stepUntil } from "./steps.ts";

let h: Harness;
beforeEach(async () => {
  h = startHarness();
  await restoreProviderPace();
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
/** Full jitter's ceiling for the n-th consecutive failure; the floor keeps retries from spinning. */
const ceiling = (attempt: number) => Math.max(250, Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1)));

/** Creates a job and, for a poll fault, lets it reach the provider first, so the fault lands on a poll. */
async function jobAt(target: FaultTarget): Promise<string> {
  const { id } = await createJob(specFor(target));
  if (!isSubmit(target)) expect((await firstStep(id)).status).toBe("running");
  return id;
}

/**
 * A job whose next step is the one at `target`, taken by this test and not by the alarm that
 * fires by itself after creation: for a submit, every try meets a 500 until the job is parked.
 * On a busy machine the runtime may have run that first alarm and its retry before the test
 * parks the job, so the attempts made so far are read back, not assumed.
 */
async function jobBefore(target: FaultTarget, strict = true): Promise<{ id: string; attempts: number }> {
  if (!isSubmit(target)) return { id: await jobAt(target), attempts: 0 };
  const callsBefore = requestsTo(h, target).length;
  h.sim.inject({ target, kind: "http500", times: 1000 });
  const { id } = await createJob(specFor(target));
  await firstStep(id);
  h.sim.clearFaults();
  // parked: nothing moves the job until the test steps it
  const job = await storedJob(id);
  if (strict) {
    expect(job.status).toBe("queued");
    expect(job.attempts).toBeGreaterThanOrEqual(1);
    expect(requestsTo(h, target).length - callsBefore).toBe(job.attempts);
  }
  return { id, attempts: job.attempts };
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
    if (isSubmit(target))
      expect(calls, JSON.stringify({ before, n, reqs: h.sim.requests.map((r) => [r.target, r.at]), job: { a: job.attempts, s: job.submitAttempts } })).toBe(
        before + n + 1,
      );
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
    expect((await tasksPerJob(h)).get(id)).toBe(1);
    if (target === "weshop.submit") expect(new Set(requestsTo(h, target).map((r) => r.headers["idempotency-key"]))).toEqual(new Set([await weshopRunKey(id)]));
  });

  it.each([
    ["weshop.submit", "http500"],
    ["wiro.run", "http503"],
    ["weshop.poll", "http503"],
    ["wiro.detail", "http500"],
  ] as const)("%s %s without end: failed after the cap with the last error; delays capped and jittered", async (target, kind) => {
    const { id, attempts: before } = await jobBefore(target);
    // the job's own calls; a Wiro stop after it gave up reads Task/Detail by taskid, not counted here
    const calls = () => requestsTo(h, target).filter((r) => !r.body.includes('"taskid"')).length;
    const callsBefore = calls();
    h.sim.inject({ target, kind, times: 1000 });
    const { job, backoffs } = await driveNotingBackoff(id);
    const cap = isSubmit(target) ? MAX_SUBMIT_ATTEMPTS : MAX_POLL_ERRORS;
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "provider_unavailable", retryable: true });
    // the reason names the provider's last answer
    expect(job.lastProviderError).toBeTruthy();
    expect(job.error!.message).toContain(job.lastProviderError!);
    // attempts = cap, counting the one the job had already made
    expect(calls() - callsBefore).toBe(cap - before);
    expect(h.sim.tasks()).toHaveLength(isSubmit(target) ? 0 : 1);
    for (const b of backoffs) expect(b.delay).toBeLessThanOrEqual(Math.min(RETRY_CAP_MS, ceiling(b.attempts)));
    // full jitter: the delays are spread below their ceilings, not pinned to them
    expect(backoffs.length).toBeGreaterThanOrEqual(cap - 2 - before);
    expect(backoffs.filter((b) => b.delay < 0.9 * ceiling(b.attempts)).length).toBeGreaterThan(0);
  });
});

describe("429 / Wiro code 96 with or without Retry-After (seconds or HTTP date)", () => {
  const targets = ["weshop.submit", "weshop.poll", "wiro.run", "wiro.detail"] as const;
  const forms = ["seconds", "http-date", "none"] as const;
  const margins: number[] = [];

  it.each(targets.flatMap((t) => forms.map((f) => [t, f] as const)))(
    "%s rate limited, Retry-After as %s: the next try waits at least that long",
    async (target, form) => {
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
        // the object's alarm is what actually wakes it: set to the stored time, or, for a job
        // holding a provider slot, sooner only to renew the slot's lease (that wake asks nothing)
        if (job.slotHeld && job.nextAt - job.updatedAt > LEASE_MS / 2) {
          expect(step.alarm).toBeGreaterThanOrEqual(job.updatedAt + LEASE_MS / 2);
          expect(step.alarm).toBeLessThan(job.nextAt);
        } else expect(step.alarm).toBe(job.nextAt);
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
          expect((await drive(h, id)).status).toBe("succeeded");
          expect((await tasksPerJob(h)).get(id)).toBe(1);
        }
        // nothing of this round may hold a provider slot or fire into the next
        await cancelOpenJobs(h);
      }
      if (form !== "none") expect(Math.min(...margins)).toBeGreaterThanOrEqual(0);
    },
  );

  afterAll(() => {
    if (margins.length > 0) figure(`Retry-After honoured in ${margins.length}/${margins.length} cases; smallest margin ${Math.min(...margins)} ms`);
  });
});

describe("provider hangs", () => {
  const timed: number[] = [];
  afterAll(() => {
    if (timed.length > 0) figure(`hung provider call: alarm invocation max ${Math.max(...timed).toFixed(0)} ms (timeout ${PROVIDER_TIMEOUT_MS} ms)`);
  });

  it.each(["weshop.submit", "weshop.poll", "wiro.detail", "wiro.run"] as const)(
    "%s hanging is aborted by PROVIDER_TIMEOUT_MS (the alarm ends instead of hanging), counted as retryable",
    async (target) => {
      const { id, attempts } = await jobBefore(target);
      h.sim.inject({ target, kind: "hang" });
      const step = await stepAlarm(id);
      timed.push(step.ms);
      expect(step.error).toBeUndefined();
      // the call hangs forever, so the alarm ended because PROVIDER_TIMEOUT_MS aborted it; its
      // duration is reported as a figure, not asserted (wall-clock bounds flake on a busy machine)
      const job = step.job;
      if (target === "wiro.run") {
        // Wiro has no idempotent submit: a run whose fate is unknown is not sent again; the job
        // waits for its callback to name a task (lost-submit.test.ts) and fails at the deadline
        expect(job.status).toBe("running");
        expect(job.task).toBeUndefined();
        expect(job.lastProviderError).toMatch(/^timeout:/);
        expect((await stepAlarm(id)).job.error).toMatchObject({ code: "submit_uncertain", retryable: true });
        expect(requestsTo(h, target)).toHaveLength(attempts + 1);
        expect(h.sim.tasks()).toHaveLength(0);
        return;
      }
      expect(job.status).toBe(isSubmit(target) ? "queued" : "running");
      expect(job.attempts).toBe(attempts + 1);
      expect(job.lastProviderError).toMatch(/^timeout:/);
      const done = await drive(h, id);
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
    // the download hangs forever: the step ended because MEDIA_TIMEOUT_MS aborted it, which the
    // output's error says (how long that took is the benchmarks' business, not a test's)
    const job = step.job;
    expect(job.outputs[0]).toMatchObject({ status: "pending", attempts: 1, error: expect.stringMatching(/^timeout:/) });
    const done = await drive(h, id);
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
        const { id, attempts } = await jobBefore(target);
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
          expect(requestsTo(h, target)).toHaveLength(attempts + 1);
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
  const ODD_ANY: unknown[] = [null, [], "ok", 0, {}, JSON.parse("[".repeat(500) + "]".repeat(500))];
  const ODD_BODIES: Record<"weshop" | "wiro", unknown[]> = {
    weshop: [
      ...ODD_ANY,
      { success: true },
      { success: true, data: null },
      { success: "true", data: { executionId: 7 } },
      { success: true, data: { executions: "soon" } },
      { success: true, data: { executions: [{ status: "Success", result: [{ status: "Success", image: 42, video: {} }] }] } },
    ],
    wiro: [
      ...ODD_ANY,
      { result: true },
      { result: true, tasklist: [] },
      { result: true, taskid: null, socketaccesstoken: "" },
      { result: true, tasklist: [{ status: "task_postprocess_end", pexit: "0", outputs: [{ url: 7 }] }] },
      { result: false, errors: [null] },
      { errors: "none" },
    ],
  };

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
      // one job per body, one after the other: each body is served once, to the job's next
      // matching call (side by side, one job's set-up could meet the body meant for the other)
      const results: Awaited<ReturnType<typeof driveCounting>>[] = [];
      const bodies = ODD_BODIES[target.startsWith("wiro") ? "wiro" : "weshop"];
      let next = 0;
      const worker = async () => {
        while (next < bodies.length) {
          const body = bodies[next++];
          const { id } = await jobBefore(target, false);
          queue.push({ body });
          results.push(await driveCounting(h, id));
        }
      };
      await worker();
      expect(queue, "every odd body was served").toEqual([]);
      for (const [i, { job, rejections }] of results.entries()) {
        expect(rejections, `job #${i}`).toEqual([]);
        expect(TERMINAL.has(job.status)).toBe(true);
        if (job.status !== "succeeded") expect(job.error?.code, `job #${i}`).toEqual(expect.any(String));
      }
      for (const count of (await tasksPerJob(h)).values()) expect(count).toBe(1);
      expect(logs.lines.filter((l) => l.includes("unexpected error in job alarm"))).toEqual([]);
    } finally {
      logs.restore();
    }
  });

  it.each(["weshop.poll", "wiro.detail"] as const)("%s malformed on every poll: failed after the cap, no throw loop", async (target) => {
    const id = await jobAt(target);
    // the job's polls; a Wiro stop after it gave up reads Task/Detail by taskid, not counted here
    const polls = () => requestsTo(h, target).filter((r) => !r.body.includes('"taskid"')).length;
    const callsBefore = polls();
    h.sim.inject({ target, kind: "malformed_json", times: 1000 });
    const { job, rejections } = await driveCounting(h, id);
    expect(rejections).toEqual([]);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "provider_unavailable" });
    expect(job.error!.message).toContain("bad_response");
    expect(polls() - callsBefore).toBe(MAX_POLL_ERRORS);
  });
});

describe("WeShop error retryable:false, Wiro 97", () => {
  it.each([
    ["weshop.submit", "INSUFFICIENT_POWER", "Insufficient power balance"],
    ["wiro.run", "97", "Insufficient balance"],
  ] as const)("%s: the job fails at once with the provider's code (%s) and message after exactly 1 attempt", async (target, code, message) => {
    h.sim.inject({ target, kind: "error_final" });
    const id = await jobAt(target);
    const { job, rejections } = await driveCounting(h, id);
    expect(rejections).toEqual([]);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code, retryable: false });
    expect(job.error!.message).toContain(message);
    expect(requestsTo(h, target)).toHaveLength(1);
    expect(h.sim.tasks()).toHaveLength(0);
    // clients see the same reason, and the job asks nothing more
    expect((await getJob(id)).error).toMatchObject({ code, message: job.error!.message, retryable: false });
    const after = h.sim.requests.length;
    await stepAlarm(id);
    expect(h.sim.requests.length).toBe(after);
  });

  // Issue 10: a status poll keeps going through anything that is not a definite end or refused
  // credentials. The task already exists and may be running (and billing); such an answer on a
  // poll says nothing about it.
  it.each([
    ["weshop.poll", "INSUFFICIENT_POWER"],
    ["wiro.detail", "97"],
  ] as const)("on a status poll (%s answering %s) it is retried: the job succeeds with its one task after exactly 1 more poll", async (target, code) => {
    const id = await jobAt(target);
    const callsBefore = requestsTo(h, target).length;
    h.sim.inject({ target, kind: "error_final" });
    const { job: met } = await stepAlarm(id);
    expect(met).toMatchObject({ status: "running", attempts: 1 });
    expect(met.lastProviderError).toMatch(new RegExp(`^${code}:`));
    expect(requestsTo(h, target).length - callsBefore).toBe(1);
    const { job, rejections } = await driveCounting(h, id);
    expect(rejections).toEqual([]);
    expect(job.status).toBe("succeeded");
    expect(h.sim.tasks()).toHaveLength(1);
    expect((await tasksPerJob(h)).get(id)).toBe(1);
  });
});

describe("submit request times out after the provider accepted it", () => {
  it.each([[["accept_then_hang"]], [["accept_then_hang", "hang"]], [["accept_then_hang", "http503"]]] as [FaultKind[]][])(
    "WeShop accepts and hangs, then %j: resubmitted with the same Idempotency-Key, one task",
    async (kinds) => {
      for (const kind of kinds) h.sim.inject({ target: "weshop.submit", kind });
      const { id } = await createJob(SEEDREAM);
      const job = await drive(h, id);
      expect(job.status).toBe("succeeded");
      const submits = requestsTo(h, "weshop.submit");
      expect(submits.map((r) => r.headers["idempotency-key"])).toEqual(Array(kinds.length + 1).fill(await weshopRunKey(id)));
      expect(h.sim.tasks()).toHaveLength(1);
      expect(job.task?.taskId).toBe(h.sim.tasks()[0]!.id);
    },
  );

  it("Wiro accepts and hangs: submit_uncertain, no blind resubmission, one task", async () => {
    h.sim.inject({ target: "wiro.run", kind: "accept_then_hang" });
    const { id } = await createJob(WIRO);
    const job = await drive(h, id);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "submit_uncertain", retryable: true });
    // the recovery point was taken before the call: one submit started, none sent again
    expect(job.submitAttempts).toBe(1);
    expect(requestsTo(h, "wiro.run")).toHaveLength(1);
    expect(h.sim.tasks()).toHaveLength(1);
  });
});

describe("alarm handler crashes / object evicted mid-poll or mid-copy", () => {
  it.each([
    ["WeShop", SEEDREAM],
    ["Wiro", WIRO],
  ] as const)("%s: evicted between two polls, it resumes from stored state", async (_, spec) => {
    const { id } = await createJob(spec);
    await firstStep(id);
    const { job: polled } = await stepAlarm(id);
    expect(polled.status).toBe("running");
    const stored = await storedJob(id);
    await evictDurableObject(jobStub(id));
    expect(await storedJob(id)).toEqual(stored);
    const job = await drive(h, id);
    expect(job.status).toBe("succeeded");
    expect(job.polls).toBeGreaterThan(polled.polls);
    expect(h.sim.tasks()).toHaveLength(1);
  });

  it("evicted mid-copy: stored outputs are kept, the rest copied once each", async () => {
    const { id } = await createJob({ model: "weshop/seedream", params: { textDescription: "three", batchCount: 3 } });
    const mid = await stepUntil(h, id, (j) => j.outputs.some((o) => o.status === "stored") && j.outputs.some((o) => o.status === "pending"));
    const pending = mid.outputs.filter((o) => o.status === "pending").length;
    await evictDurableObject(jobStub(id));
    const puts = vi.spyOn(env.MEDIA, "put");
    try {
      const job = await drive(h, id);
      expect(job.status).toBe("succeeded");
      expect(puts).toHaveBeenCalledTimes(pending);
      expect(await checkStored(h, [job])).toEqual({ objects: 3, stored: 3, bad: [] });
    } finally {
      puts.mockRestore();
    }
  });

  it("crashes after the side effect (submit, poll, copy) with the alarm lost: the sweeper wakes every job, 0 stuck", { timeout: 30_000 }, async () => {
    const logs = captureLogs();
    try {
      // each job is brought to the step that will crash
      const { id: submitWeshop, attempts: weshopTries } = await jobBefore("weshop.submit");
      const { id: submitWiro } = await jobBefore("wiro.run");
      const pollWeshop = await jobAt("weshop.poll");
      const pollWiro = await jobAt("wiro.detail");
      // (two jobs per provider at most hold a slot at once, within any concurrency cap)
      const copy = (await createJob({ model: "weshop/seedream", params: { textDescription: "two", batchCount: 2 } })).id;
      await stepUntil(h, copy, (j) => j.status === "copying");
      const beforeCopy = (await createJob({ model: "weshop/seedream", params: { textDescription: "one" } })).id;
      await stepUntil(h, beforeCopy, (j) => j.status === "copying");
      h.advance(120_000); // every provider task is done: the next poll sees the result

      const crashes: [string, "advance" | "commit"][] = [
        [submitWeshop, "commit"],
        [submitWiro, "commit"],
        [pollWeshop, "commit"],
        [pollWiro, "commit"],
        [copy, "commit"],
        [beforeCopy, "advance"],
      ];
      const ids = crashes.map(([id]) => id);
      for (const [id, where] of crashes) {
        const before = await storedJob(id);
        await crashOnce(id, where);
        const step = await stepAlarm(id, false);
        expect(
          String(step.error),
          JSON.stringify({
            job: crashes.findIndex(([c]) => c === id),
            before: [before.status, before.attempts, before.nextAt - Date.now()],
            after: [step.job.status, step.job.attempts],
          }),
        ).toContain(`simulated crash in ${where}`);
        // nothing after the crash point was stored; a submit left only its recovery point
        expect(step.job.status).toBe(before.status);
        expect(step.job.polls).toBe(before.polls);
        expect(step.job.outputs).toEqual(before.outputs);
        if (id === submitWeshop || id === submitWiro) {
          expect(step.job.task).toBeUndefined();
          expect(step.job.submitStartedAt).toEqual(expect.any(Number));
        } else expect(step.job.updatedAt).toBe(before.updatedAt);
      }
      // the processes go away (nothing in memory survives), and with them the platform's alarm retry
      await Promise.all(crashes.map(([id]) => evictDurableObject(jobStub(id))));
      for (const [id] of crashes) await runInDurableObject(jobStub(id), (_, state) => state.storage.deleteAlarm());
      // the side effects did happen: a task per submit, a copied object
      expect((await tasksPerJob(h)).get(submitWeshop)).toBe(1);
      expect((await tasksPerJob(h)).get(submitWiro)).toBe(1);
      expect((await env.MEDIA.list({ prefix: `jobs/${copy}/` })).objects).toHaveLength(1);
      await ageIndex(ids, IDLE_MS);
      const rearmed = await sweepIdleJobs(env, Date.now());
      expect([...rearmed].sort()).toEqual(expect.arrayContaining([...ids].sort()));
      // the alarms the sweeper set run (by themselves, or here the way the runtime runs them)
      for (const id of ids) await runDue(id);
      const jobs = await Promise.all(ids.map((id) => drive(h, id)));
      const byId = new Map(jobs.map((j) => [j.id, j]));
      expect(byId.get(submitWiro)!.error?.code).toBe("submit_uncertain");
      for (const id of ids.filter((i) => i !== submitWiro)) expect(byId.get(id)!.status).toBe("succeeded");
      // 0 stuck: nothing of these is unfinished, in the objects or in the index the sweeper reads
      const open = await env.DB.prepare(`SELECT id FROM jobs WHERE status IN ('queued','running','copying') AND id IN (${ids.map(() => "?").join(",")})`)
        .bind(...ids)
        .all();
      expect(open.results).toEqual([]);
      // and still no duplicate task, no short or stray object
      for (const id of ids) expect((await tasksPerJob(h)).get(id)).toBe(1);
      const weshopKey = await weshopRunKey(submitWeshop);
      expect(requestsTo(h, "weshop.submit").filter((r) => r.headers["idempotency-key"] === weshopKey).length).toBe(weshopTries + 2);
      const stored = await checkStored(h, jobs);
      expect(stored.bad).toEqual([]);
      expect(stored.objects).toBe(stored.stored);
    } finally {
      logs.restore();
    }
  });

  it.each([
    ["WeShop submit", SEEDREAM, "/weshop/openapi/agent/runs"],
    ["Wiro poll", WIRO, "/wiro/v1/Task/Detail"],
    ["output download", SEEDREAM, "/files/"],
  ] as const)("fetch throwing for one call (%s) is retried, never an exception out of alarm()", async (_, spec, path) => {
    let thrown = 0;
    layerFetch(async (request, next) => {
      if (thrown === 0 && new URL(request.url).pathname.startsWith(path)) {
        thrown++;
        throw new TypeError("Network connection lost.");
      }
      return next();
    });
    const { id } = await createJob(spec);
    await firstStep(id);
    const { job, rejections } = await driveCounting(h, id);
    expect(thrown).toBe(1);
    expect(rejections).toEqual([]);
    expect(job.status).toBe("succeeded");
    expect(h.sim.tasks()).toHaveLength(1);
    expect((await checkStored(h, [job])).bad).toEqual([]);
  });
});

describe("output URL 404 / expired, truncated body, wrong Content-Length", () => {
  const TWO = { model: "weshop/seedream", params: { textDescription: "two", batchCount: 2 } };
  const kinds = ["expired", "truncated", "wrong_length"] as const;

  it.each(kinds.flatMap((k) => [[k, "WeShop (length unknown to us)", TWO] as const, [k, "Wiro (size reported)", WIRO] as const]))(
    "%s once, %s: the output is failed with its reason or retried; never a short object",
    async (kind, _, spec) => {
      const { id } = await createJob(spec);
      await stepUntil(h, id, (j) => j.status === "copying");
      h.sim.inject({ target: "media", kind });
      const { job, rejections } = await driveCounting(h, id);
      expect(rejections).toEqual([]);
      const check = await checkStored(h, [job]);
      expect(check.bad).toEqual([]);
      expect(check.objects).toBe(check.stored);
      const first = job.outputs[0]!;
      if (kind === "expired") {
        expect(first).toMatchObject({ status: "failed", attempts: 1, error: expect.stringMatching(/^output_unavailable:/) });
        if (job.outputs.length === 1) expect(job.error).toMatchObject({ code: "media_copy_failed" });
        else expect(job.status).toBe("succeeded");
      } else {
        expect(job.status).toBe("succeeded");
        expect(first).toMatchObject({ status: "stored", attempts: 1 });
        expect(check.stored).toBe(job.outputs.length);
      }
    },
  );

  it.each(kinds)("%s on every download: outputs failed with a reason after the copy cap, nothing stored", async (kind) => {
    const { id } = await createJob(TWO);
    await stepUntil(h, id, (j) => j.status === "copying");
    const before = requestsTo(h, "media").length;
    h.sim.inject({ target: "media", kind, times: 1000 });
    const { job } = await driveCounting(h, id);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "media_copy_failed" });
    for (const output of job.outputs) expect(output).toMatchObject({ status: "failed", error: expect.any(String) });
    expect(requestsTo(h, "media").length - before).toBe(2 * (kind === "expired" ? 1 : MAX_COPY_ATTEMPTS));
    expect((await env.MEDIA.list({ prefix: `jobs/${id}/` })).objects).toEqual([]);
  });
});

describe("large output of unknown length (chunked, gzip)", () => {
  it.each([
    ["chunked", "WeShop", { model: "weshop/seedream", params: { textDescription: "two", batchCount: 2, outputFormat: "png" } }],
    ["gzip", "WeShop", { model: "weshop/seedream", params: { textDescription: "two", batchCount: 2 } }],
    ["chunked", "Wiro", WIRO],
    ["gzip", "Wiro", WIRO],
    ["gzip", "WeShop video", SEEDANCE],
  ] as const)("%s from %s: stored byte for byte", async (kind, _, spec) => {
    emulateGzipDecoding();
    h.sim.inject({ target: "media", kind, times: 5 });
    const { id } = await createJob(spec);
    const job = await drive(h, id);
    expect(job.status).toBe("succeeded");
    expect(requestsTo(h, "media").length).toBe(job.outputs.length);
    const check = await checkStored(h, [job]);
    expect(check).toEqual({ objects: job.outputs.length, stored: job.outputs.length, bad: [] });
  });

  it.each([
    ["chunked", 17 * 1024 * 1024 + 12_345],
    ["gzip", 9 * 1024 * 1024 + 777],
  ] as const)("a %s video of %i bytes and unknown length is streamed into a multipart upload, byte for byte", async (kind, size) => {
    emulateGzipDecoding();
    const bigUrl = `${SIM_ORIGIN}/files/big/${size}.mp4${kind === "chunked" ? "?chunked=1" : ""}`;
    // Wiro's answer points at a big file and gives no size: the copy cannot know the length
    layerFetch(async (request, next) => {
      const res = await next();
      if (!request.url.endsWith("/Task/Detail")) return res;
      const body = (await res.json()) as { tasklist?: { status: string; outputs: Record<string, unknown>[] }[] };
      for (const task of body.tasklist ?? [])
        if (task.status === "task_postprocess_end")
          task.outputs = task.outputs.map((o) => {
            const { size: _size, ...rest } = o;
            return { ...rest, url: bigUrl };
          });
      return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
    });
    if (kind === "gzip") h.sim.inject({ target: "media", kind: "gzip" });
    const multipart = vi.spyOn(env.MEDIA, "createMultipartUpload");
    try {
      const { id } = await createJob(WIRO);
      const job = await drive(h, id);
      expect(job.status).toBe("succeeded");
      expect(job.outputs[0]).toMatchObject({ status: "stored", size, sourceUrl: bigUrl });
      expect(multipart).toHaveBeenCalledTimes(1);
      expect(await checkStored(h, [job])).toEqual({ objects: 1, stored: 1, bad: [] });
    } finally {
      multipart.mockRestore();
    }
  });
});

describe("duplicate, late or replayed callbacks", () => {
  const post = (url: string, body = "{}") => exports.default.fetch(new Request(url, { method: "POST", body, headers: { "Content-Type": "application/json" } }));
  const details = () => requestsTo(h, "wiro.detail").length;

  it("bursts before and after the end: at most one confirmation per window; R2 writes = outputs", async () => {
    const { id } = await createJob(WIRO);
    await firstStep(id);
    const callbackUrl = h.sim.tasks()[0]!.callbackUrl!;
    // a burst while the task still runs: the alarm it brings forward confirms once
    expect((await Promise.all(Array.from({ length: 10 }, () => post(callbackUrl)))).map((r) => r.status)).toEqual(Array(10).fill(200));
    const confirmed = await runDue(id);
    expect(confirmed.status).toBe("running");
    expect(details()).toBe(1);
    // another burst right after that poll: the next confirmation waits for the window
    await Promise.all(Array.from({ length: 10 }, () => post(callbackUrl)));
    const waiting = await storedJob(id);
    expect(waiting.nextAt).toBeGreaterThanOrEqual(confirmed.lastPollAt! + CONFIRM_WINDOW_MS);
    // even an alarm that comes early does not confirm inside the window
    await runDue(id);
    expect(details()).toBe(1);
    // the task ends: Wiro's own callback plus duplicates, then the job runs to its end
    h.advance(60_000);
    await Promise.all([h.sim.tick(), ...Array.from({ length: 20 }, () => post(callbackUrl))]);
    const puts = vi.spyOn(env.MEDIA, "put");
    try {
      const { job } = await driveCounting(h, id, 0);
      expect(job.status).toBe("succeeded");
      expect(details()).toBe(2);
      const object = await env.MEDIA.head(job.outputs[0]!.key!);
      // late and replayed callbacks after the end change nothing
      expect((await Promise.all(Array.from({ length: 5 }, () => post(callbackUrl)))).map((r) => r.status)).toEqual(Array(5).fill(200));
      await h.sim.tick();
      await runDue(id);
      await stepAlarm(id);
      expect(details()).toBe(2);
      expect(puts).toHaveBeenCalledTimes(job.outputs.length);
      expect(requestsTo(h, "media")).toHaveLength(job.outputs.length);
      expect((await env.MEDIA.head(job.outputs[0]!.key!))?.etag).toBe(object?.etag);
      expect(await checkStored(h, [job])).toEqual({ objects: 1, stored: 1, bad: [] });
    } finally {
      puts.mockRestore();
    }
  });
});

describe("forged callback (wrong token, foreign URLs in body)", () => {
  const post = (url: string, body: string) =>
    exports.default.fetch(new Request(url, { method: "POST", body, headers: { "Content-Type": "application/json" } }));

  it("404, body ignored: 0 provider calls, 0 fetches of body URLs, jobs untouched", async () => {
    const a = (await createJob(WIRO)).id;
    const b = (await createJob(WIRO)).id;
    const c = (await createJob(SEEDREAM)).id;
    for (const id of [a, b, c]) await firstStep(id);
    const token = (id: string) =>
      h.sim
        .tasks()
        .find((t) => t.callbackUrl?.includes(id))!
        .callbackUrl!.split("/")
        .pop()!;
    const [ta, tb] = [token(a), token(b)];
    const flipped = ta.slice(0, -1) + (ta.endsWith("A") ? "B" : "A");
    const foreign = `${SIM_ORIGIN}/files/big/4096.mp4`;
    const body = JSON.stringify({
      status: "task_postprocess_end",
      pexit: "0",
      outputs: [{ url: foreign }, { url: "https://evil.example.com/x.mp4" }],
      tasklist: [{ outputs: [{ url: foreign }] }],
    });
    const forged = [
      `/callbacks/wiro/${a}/${tb}`, // another job's token
      `/callbacks/wiro/${a}/${flipped}`, // one character off
      `/callbacks/wiro/${a}/${"A".repeat(43)}`,
      `/callbacks/wiro/${c}/${ta}`, // a WeShop job has no callback
      `/callbacks/wiro/job_${"q".repeat(20)}/${ta}`, // unknown job
      `/callbacks/wiro/${a}/${ta}/extra`,
      `/callbacks/wiro/${a}`,
    ];
    const before = await Promise.all([a, b, c].map((id) => storedJob(id)));
    const requests = h.sim.requests.length;
    for (const path of forged) {
      const res = await post(`https://seedrun.test${path}`, body);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    }
    expect(h.sim.requests.length).toBe(requests);
    expect(await Promise.all([a, b, c].map((id) => storedJob(id)))).toEqual(before);
    // and later, when the jobs run to their end, nothing from the forged bodies is fetched
    const jobs = await Promise.all([a, b, c].map((id) => drive(h, id)));
    expect(jobs.map((j) => j.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(h.sim.requests.filter((r) => r.path.startsWith("/files/big/"))).toEqual([]);
    expect(h.outbound).toEqual([]);
    expect(jobs.flatMap((j) => j.outputs.map((o) => o.sourceUrl))).not.toContain(foreign);
  });
});

describe("concurrent requests with one Idempotency-Key / same key, new body", () => {
  const post = (json: unknown, key: string) => api("/v1/jobs", { json, headers: { "Idempotency-Key": key } });

  it("8 at once with one key: one job, the provider called once", async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(SEEDREAM, "race-1")));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(202));
    const ids = new Set(await Promise.all(answers.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    expect(answers.filter((r) => r.headers.get("Idempotent-Replayed") !== "true")).toHaveLength(1);
    const [id] = [...ids];
    expect((await drive(h, id!)).status).toBe("succeeded");
    expect(requestsTo(h, "weshop.submit")).toHaveLength(1);
    expect(h.sim.tasks()).toHaveLength(1);
  });

  it("6 at once, one key, two bodies: one job for the body that won, 422 for every other", async () => {
    const other = { ...SEEDREAM, params: { textDescription: "a wolf" } };
    const bodies = Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? SEEDREAM : other));
    const answers = await Promise.all(bodies.map((b) => post(b, "race-2")));
    const winner = bodies[answers.findIndex((r) => r.status === 202)]!;
    for (const [i, res] of answers.entries()) {
      if (bodies[i] === winner) expect(res.status).toBe(202);
      else {
        expect(res.status).toBe(422);
        expect(((await res.json()) as { code: string }).code).toBe("idempotency_key_reused");
      }
    }
    const ids = new Set(h.jobs);
    expect(ids.size).toBe(1);
    await drive(h, [...ids][0]!);
    expect(h.sim.tasks()).toHaveLength(1);
  });

  it("4 batches at once with one key: one batch", async () => {
    const body = { jobs: [SEEDREAM] };
    const answers = await Promise.all(Array.from({ length: 4 }, () => api("/v1/batches", { json: body, headers: { "Idempotency-Key": "race-3" } })));
    expect(answers.map((r) => r.status)).toEqual(Array(4).fill(202));
    const ids = new Set(await Promise.all(answers.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    const batchId = [...ids][0]!;
    // its one job is created once, and ended with the test
    const batch = env.BATCHES.get(env.BATCHES.idFromName(batchId));
    await runInDurableObject(batch, async (instance, state) => {
      await state.storage.deleteAlarm();
      await instance.alarm();
    });
    expect((await runInDurableObject(batch, (_, state) => state.storage.kv.get<BatchRecord>("batch")!)).created).toBe(1);
    h.jobs.push(await batchJobId(batchId, 0));
  });
});

describe("unsafe URLs (IP literal, userinfo, redirect to private address, data:, odd ports)", () => {
  // the tests run in development mode (SEEDRUN_DEV=1), which lets http://127.0.0.1:PORT and
  // http://localhost:PORT through for the simulator; every other unsafe form is refused
  const UNSAFE = [
    "http://images.example.com/a.png",
    "https://10.0.0.1/a.png",
    "https://169.254.169.254/latest/meta-data/",
    "https://167772161/a.png", // 10.0.0.1 as one decimal number
    "https://0xa9fea9fe/a.png", // 169.254.169.254 in hex
    "https://0xA9.0xFE.0xA9.0xFE/a.png",
    "https://0251.0376.0251.0376/a.png", // octal
    "https://192.168.1.1/a.png",
    "http://192.168.1.1:8790/a.png",
    "https://[::1]/a.png",
    "https://[fd00::1]/a.png",
    "https://[::ffff:a9fe:a9fe]/a.png",
    "https://user:pw@images.example.com/a.png",
    "https://user@images.example.com/a.png",
    "data:image/png;base64,iVBORw0KGgo=",
    "https://images.example.com:8443/a.png",
    "https://images.example.com:22/a.png",
    "ftp://images.example.com/a.png",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://printer.local/a.png",
    "https://intranet/a.png",
  ];

  it.each(UNSAFE)("%s is refused as an image URL and as a webhook URL, naming the field, with 0 outbound requests", async (url) => {
    const fields = async (res: Response) => {
      expect(res.status).toBe(400);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
      return ((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path);
    };
    expect(
      await fields(await api("/v1/jobs", { json: { ...SEEDREAM, params: { textDescription: "x", images: ["https://images.example.com/ok.png", url] } } })),
    ).toEqual(["params.images[1]"]);
    expect(await fields(await api("/v1/jobs", { json: { ...SEEDANCE, params: { ...SEEDANCE.params, images: [url] } } }))).toEqual(["params.images[0]"]);
    expect(await fields(await api("/v1/jobs", { json: { ...SEEDREAM, webhookUrl: url } }))).toEqual(["webhookUrl"]);
    expect(
      await fields(await api("/v1/batches", { json: { jobs: [SEEDREAM, { ...SEEDREAM, params: { textDescription: "x", images: [url] } }], webhookUrl: url } })),
    ).toEqual(["jobs[1].params.images[0]", "webhookUrl"]);
    expect(h.outbound).toEqual([]);
    expect(h.sim.requests).toEqual([]);
    expect(h.jobs).toEqual([]);
  });

  const REDIRECTS = [
    "https://10.0.0.1/out.mp4",
    "http://169.254.169.254/latest/meta-data/iam/",
    "https://167772161/out.mp4",
    "https://0xa9fea9fe/out.mp4",
    "https://[fd00::1]/out.mp4",
    "https://user:pw@cdn.example.com/out.mp4",
    "https://cdn.example.com:8443/out.mp4",
    "data:video/mp4;base64,AAAA",
    "https://metadata.google.internal/out.mp4",
  ];

  it.each(REDIRECTS)("a provider output URL redirecting to %s is refused before that address is fetched", async (target) => {
    const seen = recordFetches();
    let redirected = 0;
    layerFetch(async (request, next) => {
      if (request.url.startsWith(`${SIM_ORIGIN}/files/`) && redirected === 0) {
        redirected++;
        return new Response(null, { status: 302, headers: { Location: target } });
      }
      return next();
    });
    const { id } = await createJob(SEEDREAM);
    const job = await drive(h, id);
    expect(redirected).toBe(1);
    expect(job.status).toBe("failed");
    expect(job.error?.code).toBe("media_copy_failed");
    expect(job.outputs[0]!.error).toMatch(/^unsafe_url: redirect target refused/);
    expect(seen.filter((u) => !u.startsWith(SIM_ORIGIN))).toEqual([]);
    expect(h.outbound).toEqual([]);
    expect((await env.MEDIA.list({ prefix: `jobs/${id}/` })).objects).toEqual([]);
  });

  it("a redirect chain through a public host to a private one is refused at the private hop", async () => {
    const hop = "https://cdn.example.com/out.mp4";
    const seen: string[] = [];
    layerFetch(async (request, next) => {
      seen.push(request.url);
      if (request.url.startsWith(`${SIM_ORIGIN}/files/`)) return new Response(null, { status: 301, headers: { Location: hop } });
      if (request.url === hop) return new Response(null, { status: 307, headers: { Location: "https://10.1.2.3/out.mp4" } });
      return next();
    });
    const { id } = await createJob(SEEDREAM);
    const job = await drive(h, id);
    expect(job.outputs[0]!.error).toMatch(/^unsafe_url: redirect target refused/);
    expect(seen.filter((u) => u.includes("10.1.2.3"))).toEqual([]);
    expect(h.outbound).toEqual([]);
  });

  it("a provider output URL that is itself private is never fetched", async () => {
    const seen = recordFetches();
    layerFetch(async (request, next) => {
      const res = await next();
      if (!request.url.endsWith("/Task/Detail")) return res;
      const text = (await res.text()).replaceAll(`${SIM_ORIGIN}/files/`, "https://10.0.0.7/files/");
      return new Response(text, { status: res.status, headers: res.headers });
    });
    const { id } = await createJob(WIRO);
    const job = await drive(h, id);
    expect(job.status).toBe("failed");
    expect(job.outputs[0]!.error).toMatch(/^unsafe_url: output URL refused/);
    expect(seen.filter((u) => u.includes("10.0.0.7"))).toEqual([]);
    expect(h.outbound).toEqual([]);
  });
});

describe("random and mutated request bodies (property-based)", () => {
  // the full property suite is fuzz.test.ts; this is the row's compact statement
  it("POST /v1/jobs with random JSON: 4xx problem+json naming fields, 0 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        const res = await api("/v1/jobs", { json: value });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.headers.get("Content-Type")).toBe("application/problem+json");
        const body = (await res.json()) as { errors?: { path: string }[] };
        if (res.status === 400 && value !== null && typeof value === "object" && !Array.isArray(value))
          for (const e of body.errors ?? []) expect(e.path).not.toBe("");
      }),
      { seed: 42, numRuns: 40 },
    );
    expect(h.sim.requests).toEqual([]);
  });
});

describe("redeploy / cron tick delivered twice or late", () => {
  beforeEach(async () => {
    await env.DB.exec("DELETE FROM schedules");
  });

  /** The worker's scheduled handler, with an env that records which batches get created. */
  async function tick(batches: string[], scheduledTime = Date.now()) {
    const recording = new Proxy(env, {
      get(target, prop, receiver) {
        if (prop !== "BATCHES") return Reflect.get(target, prop, receiver);
        return {
          idFromName: (name: string) => {
            batches.push(name);
            return target.BATCHES.idFromName(name);
          },
          get: (id: DurableObjectId) => target.BATCHES.get(id),
        };
      },
    }) as unknown as Env;
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ scheduledTime, cron: "* * * * *" }), recording, ctx);
    await waitOnExecutionContext(ctx);
  }

  it("each due time starts one batch however often the tick comes; the jobs finish", async () => {
    const res = await api("/v1/schedules", { json: { name: "nightly", cron: "*/5 * * * *", batch: { jobs: [SEEDREAM, WIRO] } } });
    expect(res.status).toBe(201);
    const schedule = (await res.json()) as { id: string };
    const setDue = (at: number) => env.DB.prepare("UPDATE schedules SET next_run_at = ? WHERE id = ?").bind(at, schedule.id).run();
    const batches: string[] = [];

    // due time 1: the tick is delivered three times at once (a redeploy re-sends it)
    const first = Date.now() - 60_000;
    await setDue(first);
    await Promise.all([tick(batches), tick(batches), tick(batches)]);
    // due time 2, three hours late: it runs once, not once per missed slot, and twice-delivered changes nothing
    const second = Date.now() - 3 * 3600_000;
    await setDue(second);
    await tick(batches, second);
    await tick(batches, second);
    await tick(batches);

    const expected = [await scheduledBatchId(schedule.id, first), await scheduledBatchId(schedule.id, second)];
    // 0 double batches
    expect(new Set(batches)).toEqual(new Set(expected));
    const view = (await (await api(`/v1/schedules/${schedule.id}`)).json()) as { lastBatchId: string; nextRunAt: string };
    expect(view.lastBatchId).toBe(expected[1]);
    expect(Date.parse(view.nextRunAt)).toBeGreaterThan(Date.now());

    // 0 stuck jobs: every job of both batches is fanned out and finishes
    for (const batchId of expected) {
      await runInDurableObject(env.BATCHES.get(env.BATCHES.idFromName(batchId)), async (instance, state) => {
        await state.storage.deleteAlarm();
        await instance.alarm();
      });
      const batch = await runInDurableObject(env.BATCHES.get(env.BATCHES.idFromName(batchId)), (_, state) => state.storage.kv.get<BatchRecord>("batch")!);
      expect(batch.created).toBe(2);
      for (let i = 0; i < 2; i++) h.jobs.push(await batchJobId(batchId, i));
    }
    const jobs = await Promise.all(h.jobs.map((id) => drive(h, id)));
    expect(jobs.map((j) => j.status)).toEqual(Array(4).fill("succeeded"));
    for (const batchId of expected) {
      const batch = (await (await api(`/v1/batches/${batchId}`)).json()) as { status: string; counts: Record<string, number> };
      expect(batch.status).toBe("completed");
      expect(batch.counts.succeeded).toBe(2);
    }
    expect(h.sim.tasks()).toHaveLength(4);
    for (const count of (await tasksPerJob(h)).values()) expect(count).toBe(1);
  });
});
