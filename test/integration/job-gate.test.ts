// Jobs and the provider gate together: pushback gives the slot back, a lapsed lease sends the job
// back into line instead of past the cap, and time in line does not count against the run deadline.
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gateApi, LEASE_MS } from "../../src/jobs/gate/gate-client.ts";
import { OKS_PER_SLOT } from "../../src/jobs/gate/gate-pace.ts";
import { MAX_QUEUE_MS } from "../../src/jobs/machine/policies.ts";
import { TEST_BINDINGS } from "../support/bindings.ts";
import { WIRO } from "../support/builders.ts";
import { jobInside, writeJobRecord } from "../support/do-internals.ts";
import { createJob, driveJob, fireAlarm, type Harness, jobStub, startHarness, storedJob } from "../support/harness.ts";

const WIRO_CAP = Number(TEST_BINDINGS.WIRO_MAX_CONCURRENCY);
const gate = () => gateApi(env, "wiro");
/** Stand-ins for other jobs' tasks: they hold slots at the gate and nothing else. */
const others = Array.from({ length: WIRO_CAP }, (_, i) => `job_othertask00000000${i}`);

let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  for (const id of [...others, ...h.jobs]) await gate().release(id);
  await h.stop();
});

/** Takes every free slot (the pace may be below the cap after pushback in an earlier test). */
async function fillGate(): Promise<void> {
  let taken = 0;
  for (const id of others) {
    if ((await gate().acquire(id, { maxConcurrency: WIRO_CAP })).granted) taken++;
    // refused: out of the line again, so only the job under test waits there
    else await gate().release(id);
  }
  expect(taken).toBeGreaterThan(0);
  const snapshot = await gate().snapshot();
  expect(snapshot.active).toBeGreaterThanOrEqual(snapshot.effectiveLimit);
}

/** Stops the job from moving by itself (an alarm running is waited for), optionally changing stored fields. */
async function park(id: string, fields: Record<string, unknown> = {}): Promise<void> {
  await runInDurableObject(jobStub(id), async (instance, state) => {
    await jobInside(instance).running;
    await state.storage.deleteAlarm();
    const job = (await state.storage.get<Record<string, unknown>>("job"))!;
    await writeJobRecord(instance, state, { ...job, ...fields });
  });
}

const runRequests = () => h.sim.requests.filter((r) => r.target === "wiro.run").length;

describe("jobs at the provider gate", () => {
  it("a Wiro code 96 lowers the gate's pace; the job retries in its slot and later runs with one task", async () => {
    // Retry-After keeps the job from trying again by itself during the test
    h.sim.inject({ target: "wiro.run", kind: "rate_limit", retryAfter: 600 });
    const { id } = await createJob(WIRO);
    await fireAlarm(id);
    const pushed = await storedJob(id);
    expect(pushed.status).toBe("queued");
    expect(pushed.lastProviderError).toMatch(/^96:/);
    expect(pushed.slotHeld).toBe(true);
    const pace = await gate().snapshot();
    expect(pace.holders).toContain(id);
    expect(pace.effectiveLimit).toBeLessThan(WIRO_CAP);
    const job = await driveJob(h, id);
    expect(job.status).toBe("succeeded");
    expect(h.sim.tasks()).toHaveLength(1);
    expect((await gate().snapshot()).holders).not.toContain(id);
  });

  it("while the gate recovers from pushback, the jobs' successful submits raise its pace again", async () => {
    await gate().report("rate_limited");
    const lowered = (await gate().snapshot()).effectiveLimit;
    expect(lowered).toBeLessThan(WIRO_CAP);
    // the hold after a cut (30 s) is over
    await runInDurableObject(env.GATES.get(env.GATES.idFromName("wiro")), async (_gate, state) => {
      state.storage.kv.put("pace", { ...state.storage.kv.get<object>("pace"), holdUntil: 0 });
    });
    for (let i = 0; i < OKS_PER_SLOT; i++) {
      const { id } = await createJob(WIRO);
      expect((await driveJob(h, id)).status).toBe("succeeded");
    }
    expect((await gate().snapshot()).effectiveLimit).toBe(lowered + 1);
  });

  it("a job whose slot lapsed during a long retry wait goes back into line instead of submitting past the cap", async () => {
    h.sim.inject({ target: "wiro.run", kind: "http500", times: 1000 });
    const { id } = await createJob(WIRO);
    await fireAlarm(id);
    await park(id);
    h.sim.clearFaults();
    expect(await storedJob(id)).toMatchObject({ status: "queued", slotHeld: true });
    // the lease ran out while the job waited, and other jobs took every slot
    await gate().release(id);
    await fillGate();
    const before = runRequests();
    await fireAlarm(id);
    const waiting = await storedJob(id);
    expect(waiting).toMatchObject({ status: "queued", slotHeld: false, queuePosition: 1 });
    expect(runRequests()).toBe(before);
    // a slot comes free: the job takes it and runs
    for (const other of others) await gate().release(other);
    const job = await driveJob(h, id);
    expect(job.status).toBe("succeeded");
    expect(h.sim.tasks()).toHaveLength(1);
  });

  it("a waiting job whose backstop alarm is gone still takes a freed slot when the gate wakes it, and submits", async () => {
    await fillGate();
    const { id } = await createJob(WIRO);
    await fireAlarm(id);
    expect(await storedJob(id)).toMatchObject({ status: "queued", queuePosition: 1 });
    // its backstop alarm gone: only the gate's wake-up can move it now
    await park(id);
    const before = runRequests();
    const holder = (await gate().snapshot()).holders.find((held) => others.includes(held))!;
    await gate().release(holder);
    await expect.poll(runRequests).toBe(before + 1);
    await expect.poll(async () => (await storedJob(id)).status).toBe("running");
    expect((await gate().snapshot()).holders).toContain(id);
    // and it polls from an alarm of its own, set by that step
    const alarm = await runInDurableObject(jobStub(id), (_, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now() - 1000);
  });

  it("time spent waiting in line does not count against the run deadline", async () => {
    await fillGate();
    const { id } = await createJob(WIRO);
    await fireAlarm(id);
    // it waited so long that the deadline it was created with has passed
    await park(id, { deadlineAt: Date.now() - 1 });
    expect(await storedJob(id)).toMatchObject({ status: "queued", queuePosition: 1 });
    for (const other of others) await gate().release(other);
    const job = await driveJob(h, id);
    expect(job.status).toBe("succeeded");
    expect(job.error).toBeUndefined();
    expect(job.deadlineAt).toBeGreaterThan(job.startedAt!);
  });

  it("a running job whose next poll is far off still wakes in time to renew its slot's lease, and asks the provider nothing", async () => {
    const { id } = await createJob(WIRO);
    await fireAlarm(id);
    expect(await storedJob(id)).toMatchObject({ status: "running", slotHeld: true });
    const leaseOf = () =>
      runInDurableObject(
        env.GATES.get(env.GATES.idFromName("wiro")),
        (_, state) =>
          state.storage.sql.exec<{ lease_until: number }>("SELECT lease_until FROM holders WHERE job_id = ?", id).one()
            .lease_until,
      );
    // a long run: the next poll is hours away, far past the lease
    await park(id, { nextAt: Date.now() + 3 * 3_600_000 });
    const polls = h.sim.requests.filter((r) => r.target === "wiro.detail").length;
    const leaseBefore = await leaseOf();
    const woke = await runInDurableObject(jobStub(id), async (instance, state) => {
      const started = Date.now();
      await instance.alarm();
      return { started, alarm: (await state.storage.getAlarm())! };
    });
    expect(h.sim.requests.filter((r) => r.target === "wiro.detail").length).toBe(polls);
    expect(await leaseOf()).toBeGreaterThanOrEqual(Math.max(leaseBefore, woke.started + LEASE_MS));
    // and it will wake again before that lease runs out
    expect(woke.alarm).toBeLessThanOrEqual(Date.now() + LEASE_MS / 2);
    expect((await storedJob(id)).polls).toBe(0);
  });

  it("a job that waited a day in line fails with queue_timeout, sends nothing, and leaves the line", async () => {
    await fillGate();
    const { id } = await createJob(WIRO);
    await fireAlarm(id);
    await park(id, { createdAt: Date.now() - MAX_QUEUE_MS - 1 });
    const waiting = () =>
      runInDurableObject(
        env.GATES.get(env.GATES.idFromName("wiro")),
        (_, state) =>
          state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM waiters WHERE job_id = ?", id).one().n,
      );
    expect(await waiting()).toBe(1);
    await fireAlarm(id);
    const job = await storedJob(id);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "queue_timeout" });
    expect(h.sim.requests.filter((r) => r.target === "wiro.run")).toHaveLength(0);
    expect(await waiting()).toBe(0);
  });
});
