// The fault matrix of RELIABILITY.md, one describe per row, each titled with the row's fault, in
// five files (matrix-*.test.ts; what they share is in matrix-support.ts). Every row asserts the
// expected behaviour and, where the row has one, its figure.
// This file: calls that hang, submits accepted but unanswered, and crashes or evictions after a side effect.
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FaultKind } from "../../simulator/index.ts";
import { IDLE_MS } from "../../src/jobs/machine/policies.ts";
import { sweepIdleJobs } from "../../src/jobs/sweeper.ts";
import { weshopRunKey } from "../../src/providers/weshop-run.ts";
import { SEEDREAM, WIRO } from "../support/builders.ts";
import { createJob, type Harness, jobStub, startHarness, storedJob } from "../support/harness.ts";
import { figure, isSubmit, jobAt, jobBefore, PROVIDER_TIMEOUT_MS } from "./matrix-support.ts";
import { crashOnce, drive, driveCounting, firstStep, runDue, stepAlarm, stepUntil } from "./steps.ts";
import {
  ageIndex,
  cancelOpenJobs,
  captureLogs,
  checkStored,
  layerFetch,
  requestsTo,
  restoreProviderPace,
  tasksPerJob,
} from "./support.ts";

let h: Harness;
beforeEach(async () => {
  h = startHarness();
  await restoreProviderPace();
});
afterEach(async () => {
  await cancelOpenJobs(h);
  await h.stop();
});

describe("provider hangs", () => {
  const timed: number[] = [];
  afterAll(() => {
    if (timed.length > 0)
      figure(
        `hung provider call: alarm invocation max ${Math.max(...timed).toFixed(0)} ms (timeout ${PROVIDER_TIMEOUT_MS} ms)`,
      );
  });

  it.each(["weshop.submit", "weshop.poll", "wiro.detail", "wiro.run"] as const)(
    "%s hanging is aborted by PROVIDER_TIMEOUT_MS (the alarm ends instead of hanging), counted as retryable",
    async (target) => {
      const { id, attempts } = await jobBefore(h, target);
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

describe("submit request times out after the provider accepted it", () => {
  it.each([[["accept_then_hang"]], [["accept_then_hang", "hang"]], [["accept_then_hang", "http503"]]] as [
    FaultKind[],
  ][])("WeShop accepts and hangs, then %j: resubmitted with the same Idempotency-Key, one task", async (kinds) => {
    for (const kind of kinds) h.sim.inject({ target: "weshop.submit", kind });
    const { id } = await createJob(SEEDREAM);
    const job = await drive(h, id);
    expect(job.status).toBe("succeeded");
    const submits = requestsTo(h, "weshop.submit");
    expect(submits.map((r) => r.headers["idempotency-key"])).toEqual(
      Array(kinds.length + 1).fill(await weshopRunKey(id)),
    );
    expect(h.sim.tasks()).toHaveLength(1);
    expect(job.task?.taskId).toBe(h.sim.tasks()[0]!.id);
  });

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
    const mid = await stepUntil(
      h,
      id,
      (j) => j.outputs.some((o) => o.status === "stored") && j.outputs.some((o) => o.status === "pending"),
    );
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

  it("crashes after the side effect (submit, poll, copy) with the alarm lost: the sweeper wakes every job, 0 stuck", {
    timeout: 30_000,
  }, async () => {
    const logs = captureLogs();
    try {
      // each job is brought to the step that will crash
      const { id: submitWeshop, attempts: weshopTries } = await jobBefore(h, "weshop.submit");
      const { id: submitWiro } = await jobBefore(h, "wiro.run");
      const pollWeshop = await jobAt(h, "weshop.poll");
      const pollWiro = await jobAt(h, "wiro.detail");
      // (two jobs per provider at most hold a slot at once, within any concurrency cap)
      const copy = (await createJob({ model: "weshop/seedream", params: { textDescription: "two", batchCount: 2 } }))
        .id;
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
      const open = await env.DB.prepare(
        `SELECT id FROM jobs WHERE status IN ('queued','running','copying') AND id IN (${ids.map(() => "?").join(",")})`,
      )
        .bind(...ids)
        .all();
      expect(open.results).toEqual([]);
      // and still no duplicate task, no short or stray object
      for (const id of ids) expect((await tasksPerJob(h)).get(id)).toBe(1);
      const weshopKey = await weshopRunKey(submitWeshop);
      expect(requestsTo(h, "weshop.submit").filter((r) => r.headers["idempotency-key"] === weshopKey).length).toBe(
        weshopTries + 2,
      );
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
  ] as const)(
    "fetch throwing for one call (%s) is retried, never an exception out of alarm()",
    async (_, spec, path) => {
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
    },
  );
});
