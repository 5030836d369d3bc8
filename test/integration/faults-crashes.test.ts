// Provider faults, continued (split from faults.test.ts): crashes, evictions and duplicate alarms
// resume from stored state, and a job past its deadline fails with timeout and stops its Wiro task.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect } from "vitest";
import { WIRO } from "../support/builders.ts";
import { writeJobRecord } from "../support/do-internals.ts";
import { it } from "../support/fixture.ts";
import { createJob, driveJob, fireAlarm, getJob, jobStub, storedJob } from "../support/harness.ts";

describe("crashes, evictions and duplicate alarms", () => {
  it("an object evicted mid-poll resumes from stored state", async ({ h }) => {
    const { id } = await createJob(WIRO);
    await fireAlarm(id);
    expect((await storedJob(id)).status).toBe("running");
    await evictDurableObject(jobStub(id));
    const job = await driveJob(h, id);
    expect(job.status).toBe("succeeded");
    expect(h.sim.tasks()).toHaveLength(1);
  });

  it("a duplicated alarm never submits twice", async ({ h }) => {
    const { id } = await createJob(WIRO);
    const stub = jobStub(id);
    await runInDurableObject(stub, async (instance) => {
      await Promise.all([instance.alarm(), instance.alarm(), instance.alarm()]);
    });
    expect(h.sim.tasks()).toHaveLength(1);
    expect(h.sim.requests.filter((r) => r.target === "wiro.run")).toHaveLength(1);
    const job = await driveJob(h, id);
    expect(job.status).toBe("succeeded");
  });

  it("a crash between the submit and storing its answer does not resubmit blindly", async ({ h }) => {
    const { id } = await createJob(WIRO);
    // what storage holds when the process died after marking the submit: recovery point, no task
    await runInDurableObject(jobStub(id), async (instance, state) => {
      const job = (await state.storage.get<Record<string, unknown>>("job"))!;
      await writeJobRecord(instance, state, { ...job, submitStartedAt: Date.now(), submitAttempts: 1 });
    });
    const job = await driveJob(h, id);
    expect(job.error?.code).toBe("submit_uncertain");
    expect(h.sim.requests.filter((r) => r.target === "wiro.run")).toHaveLength(0);
  });

  it("a job past its deadline fails with timeout", async () => {
    const { id } = await createJob({
      model: "weshop/seedance",
      params: { textDescription: "x", images: ["https://a.example.com/i.png"] },
    });
    await fireAlarm(id);
    await runInDurableObject(jobStub(id), async (instance, state) => {
      const job = (await state.storage.get<Record<string, unknown>>("job"))!;
      await writeJobRecord(instance, state, { ...job, deadlineAt: Date.now() - 1 });
    });
    await fireAlarm(id);
    const job = await storedJob(id);
    expect(job.status).toBe("failed");
    expect(job.error?.code).toBe("timeout");
    expect(job.error?.message).toContain("WeShop has no cancel endpoint");
  });

  it("a Wiro task still running at the deadline is killed, so it stops billing", async ({ h }) => {
    const { id } = await createJob(WIRO);
    await fireAlarm(id);
    expect((await storedJob(id)).status).toBe("running");
    await runInDurableObject(jobStub(id), async (instance, state) => {
      const job = (await state.storage.get<Record<string, unknown>>("job"))!;
      await writeJobRecord(instance, state, { ...job, deadlineAt: Date.now() - 1, nextAt: Date.now() });
    });
    await fireAlarm(id);
    const job = await storedJob(id);
    expect(job.status).toBe("failed");
    expect(job.error?.code).toBe("timeout");
    // the stop is asked in the same alarm, chosen from a fresh Task/Detail and confirmed by another
    expect(job.error?.message).toMatch(
      /^The provider did not finish within \d+ minutes\. Wiro task \d+ canceled while queued \(Task\/Detail shows task_cancel\)\.$/,
    );
    expect(job.stop?.confirmed).toBe(true);
    expect((await getJob(id)).provider).toMatchObject({ status: "task_cancel", stopConfirmed: true });
    expect(h.sim.requests.filter((r) => r.target === "wiro.cancel")).toHaveLength(1);
    expect(h.sim.tasks()[0]!.canceledAt).toBeDefined();
  });

  it("a Wiro task running at the deadline is killed (fresh status, not the stored one) and the stop confirmed", async ({
    h,
  }) => {
    const { id } = await createJob(WIRO);
    // a poll while the task is still queued at Wiro, so the job remembers task_queue
    while ((await storedJob(id)).polls === 0) await fireAlarm(id);
    expect((await storedJob(id)).providerStatus).toBe("task_queue");
    h.advance(20_000); // the task runs at Wiro now; the job still remembers task_queue
    await runInDurableObject(jobStub(id), async (instance, state) => {
      const job = (await state.storage.get<Record<string, unknown>>("job"))!;
      await writeJobRecord(instance, state, { ...job, deadlineAt: Date.now() - 1, nextAt: Date.now() });
    });
    await fireAlarm(id);
    const job = await storedJob(id);
    expect(job.error?.code).toBe("timeout");
    expect(job.error?.message).toMatch(/Wiro task \d+ killed \(Task\/Detail shows task_cancel\)\.$/);
    expect(job.stop?.confirmed).toBe(true);
    expect(h.sim.requests.filter((r) => r.target === "wiro.cancel")).toHaveLength(0);
    expect(h.sim.tasks()[0]!.killedAt).toBeDefined();
  });
});
