// Provider faults, continued: invalid configuration waits or fails the job with the setting named,
// and a Wiro task asked to stop is asked again when the first stop fails.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, vi } from "vitest";
import { MAX_QUEUE_MS } from "../../src/jobs/machine/policies.ts";
import { WIRO } from "../support/builders.ts";
import { jobInside, writeJobRecord } from "../support/do-internals.ts";
import { it } from "../support/fixture.ts";
import { api, createJob, fireAlarm, fireFollowUp, jobStub, storedJob } from "../support/harness.ts";

describe("invalid configuration", () => {
  it("a refused provider base URL sends nothing anywhere; the job waits, then fails by name once it cannot wait longer", async ({
    h,
  }) => {
    const id = "job_configbroken0000001";
    const stub = jobStub(id);
    type Stored = { status: string; deadlineAt: number; error?: { code: string; message: string } };
    const real = env;
    // the object lives with a refused WESHOP_BASE_URL from its creation on, so its own alarms see it too
    await runInDurableObject(stub, async (instance) => {
      const object = jobInside(instance);
      object.env = { ...real, WESHOP_BASE_URL: "https://openapi.weshop.ai.evil.example/openapi" };
      await object.create({
        id,
        tenant: "t",
        model: "weshop/seedream",
        params: { textDescription: "a fox" },
        metadata: {},
        origin: "https://seedrun.test",
      });
    });
    try {
      // its first alarm found nothing it could do and looks again in a minute
      await vi.waitFor(async () => {
        const alarm = await runInDurableObject(stub, (_, state) => state.storage.getAlarm());
        expect(alarm).toBeGreaterThan(Date.now() + 30_000);
      });
      expect((await storedJob(id)).status).toBe("queued");
      const ended = await runInDurableObject(stub, async (instance, state) => {
        const job = (await state.storage.get<Stored>("job"))!;
        // past its run deadline alone it still waits: it never got a provider slot, so its limit is the day in line
        await writeJobRecord(instance, state, { ...job, deadlineAt: Date.now() - 1 });
        await instance.alarm();
        expect((await state.storage.get<Stored>("job"))!.status).toBe("queued");
        await writeJobRecord(instance, state, {
          ...job,
          deadlineAt: Date.now() - 1,
          createdAt: Date.now() - MAX_QUEUE_MS - 1,
        });
        await instance.alarm();
        return (await state.storage.get<Stored>("job"))!;
      });
      expect(ended.status).toBe("failed");
      expect(ended.error).toMatchObject({ code: "configuration_error" });
      expect(ended.error!.message).toContain("WESHOP_BASE_URL");
      expect(ended.error!.message).not.toContain("evil");
      expect(h.sim.requests).toEqual([]);
      expect(h.outbound).toEqual([]);
    } finally {
      await runInDurableObject(stub, (instance) => {
        jobInside(instance).env = real;
      });
    }
  });
});

describe("stopping a provider task", () => {
  it("a Wiro cancel that fails is asked again after the job ended, until Wiro confirms", async ({ h }) => {
    const { id } = await createJob(WIRO);
    await fireAlarm(id);
    expect((await storedJob(id)).status).toBe("running");
    h.sim.inject({ target: "wiro.cancel", kind: "http500" });
    const res = await api(`/v1/jobs/${id}/cancel`, { method: "POST" });
    expect(res.status).toBe(200);
    // the follow-up alarm asks (run here if the runtime has not run it yet): Wiro answers 500
    const refused = await fireFollowUp(id);
    expect(refused.status).toBe("canceled");
    expect(refused.error?.message).toMatch(
      /^Canceled by the client\. Wiro did not confirm the stop yet \(0: Internal server error\); asking again\.$/,
    );
    expect(refused.stop?.confirmed).toBe(false);
    expect(refused.providerStop).toBeDefined();
    expect(h.sim.tasks()[0]!.canceledAt ?? h.sim.tasks()[0]!.killedAt).toBeUndefined();
    // asked again: this time it takes, and Task/Detail confirms it
    const job = await fireFollowUp(id);
    expect(job.providerStop).toBeUndefined();
    expect(job.status).toBe("canceled");
    expect(job.error?.message).toMatch(
      /^Canceled by the client\. Wiro task \d+ canceled while queued \(Task\/Detail shows task_cancel\)\.$/,
    );
    expect(job.stop?.confirmed).toBe(true);
    expect(h.sim.requests.filter((r) => r.target === "wiro.cancel")).toHaveLength(2);
    expect(h.sim.tasks()[0]!.canceledAt).toBeDefined();
  });
});
