// `deadline`: a job still waiting for a provider slot when it passes ends canceled with
// deadline_exceeded, never sent and costing 0; a running Wiro task is killed as a cancel would;
// batches give theirs to their jobs; a schedule's is a duration from each run.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, vi } from "vitest";
import { batchJobId } from "../../src/batches/batch-client.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { firstStep } from "../reliability/steps.ts";
import { requestsTo, restoreProviderPace } from "../reliability/support.ts";
import { writeJobRecord } from "../support/do-internals.ts";
import { it } from "../support/fixture.ts";
import { api, createJob, fireAlarm, fireFollowUp, getJob, jobStub, storedJob } from "../support/harness.ts";
import { WIRO } from "./helpers.ts";

it.beforeEach(async () => {
  await restoreProviderPace();
});

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

/** The injected clock: the job's deadline is moved to just now, as if the hour had passed. */
async function reachDeadline(id: string): Promise<void> {
  await runInDurableObject(jobStub(id), async (instance, state) => {
    const job = (await state.storage.get<JobRecord>("job"))!;
    await writeJobRecord(instance, state, { ...job, deadline: Date.now() - 1 });
  });
}

describe("deadline", () => {
  it("passing while the job waits for a provider slot: canceled, deadline_exceeded, never sent, cost 0", async ({
    h,
  }) => {
    // WIRO_MAX_CONCURRENCY is 2 under test: two running jobs hold both slots
    for (const _ of [1, 2]) await firstStep((await createJob(WIRO)).id);
    const { id, body } = await createJob({ ...WIRO, deadline: inAnHour() });
    expect(body.deadline).toBeDefined();
    const queued = await firstStep(id, 30, false);
    expect(queued.status).toBe("queued");
    expect(queued.queuePosition).toBe(1);

    await reachDeadline(id);
    await fireAlarm(id);
    const job = await getJob(id);
    expect(job).toMatchObject({ status: "canceled", error: { code: "deadline_exceeded", retryable: false } });
    expect((job.error as { message: string }).message).toMatch(
      /^Canceled at its deadline \(.+\) before the run reached the provider\.$/,
    );
    expect(job.cost).toMatchObject({ actual: { unit: "usd", amount: 0 } });
    expect(requestsTo(h, "wiro.run")).toHaveLength(2);
    expect(h.sim.tasks()).toHaveLength(2);
    // its place in line is given back
    const settled = await fireFollowUp(id);
    expect(settled.queuePosition).toBeUndefined();
  });

  it("passing while the task runs at Wiro: the task is killed, as a cancel would", async ({ h }) => {
    const { id } = await createJob({ ...WIRO, deadline: inAnHour() });
    const running = await firstStep(id);
    expect(running.status).toBe("running");
    h.advance(15_000); // assigned to a worker at Wiro: Kill takes
    await reachDeadline(id);
    await fireAlarm(id);
    expect((await storedJob(id)).error?.code).toBe("deadline_exceeded");
    const job = await fireFollowUp(id);
    expect(job.status).toBe("canceled");
    expect(job.stop?.confirmed).toBe(true);
    expect(job.error?.message).toMatch(/^Canceled at its deadline \(.+\)\. Wiro task \d+ killed/);
    expect(h.sim.tasks()[0]!.killedAt).toBeDefined();
  });

  it("is refused in the past or more than 7 days ahead, naming the field; nothing is created", async ({ h }) => {
    const past = await api("/v1/jobs", { json: { ...WIRO, deadline: "2020-01-01T00:00:00Z" } });
    expect(past.status).toBe(400);
    expect(((await past.json()) as { errors: { path: string; message: string }[] }).errors).toEqual([
      { path: "deadline", message: "must be in the future" },
    ]);
    const far = await api("/v1/jobs", {
      json: { ...WIRO, deadline: new Date(Date.now() + 8 * 86400_000).toISOString() },
    });
    expect(((await far.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(["deadline"]);
    const bad = await api("/v1/batches", { json: { jobs: [WIRO], deadline: "tomorrow" } });
    expect(((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(["deadline"]);
    expect(h.sim.tasks()).toHaveLength(0);
  });

  it("a batch's deadline and tags are given to its jobs; a schedule's deadline is a duration", async ({ h }) => {
    const deadline = inAnHour();
    const res = await api("/v1/batches", {
      json: { jobs: [WIRO, { ...WIRO, tags: ["own"] }], deadline, tags: ["spring"] },
    });
    expect(res.status).toBe(202);
    const { id: batchId } = (await res.json()) as { id: string };
    const ids = await Promise.all([0, 1].map((i) => batchJobId(batchId, i)));
    h.jobs.push(...ids);
    const jobs = await vi.waitFor(async () => {
      const found = await Promise.all(ids.map(storedJob));
      expect(found.every(Boolean)).toBe(true);
      return found;
    });
    expect(jobs.map((j) => j.deadline)).toEqual([Date.parse(deadline), Date.parse(deadline)]);
    expect(jobs.map((j) => j.tags)).toEqual([["spring"], ["own", "spring"]]);
    const schedule = { name: "nightly", cron: "0 3 * * *", batch: { jobs: [WIRO], deadline: "PT2H" } };
    expect((await api("/v1/schedules", { json: schedule })).status).toBe(201);
    const absolute = await api("/v1/schedules", { json: { ...schedule, batch: { jobs: [WIRO], deadline } } });
    expect(((await absolute.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      "batch.deadline",
    ]);
  });
});
