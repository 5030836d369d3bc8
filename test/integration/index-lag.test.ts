// The D1 index is a projection of the job objects: when it lags or hangs, the objects stay the
// truth and nothing waits on it.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect } from "vitest";
import type { JobRecord } from "../../src/jobs/record.ts";
import { jobInside } from "../support/do-internals.ts";
import { it } from "../support/fixture.ts";
import { api, createJob, driveJob, jobStub, storedJob } from "../support/harness.ts";

const SEEDREAM = { model: "weshop/seedream", params: { textDescription: "index" } };

describe("the jobs index", () => {
  it("a status filter never shows a job whose object has since moved on, though the index still says so", async ({
    h,
  }) => {
    const { id } = await createJob(SEEDREAM);
    expect((await driveJob(h, id)).status).toBe("succeeded");
    // the index lags: its row still says running
    await env.DB.prepare("UPDATE jobs SET status = 'running' WHERE id = ?").bind(id).run();
    const running = (await (await api("/v1/jobs?status=running&limit=100")).json()) as { data: JobRecord[] };
    expect(running.data.map((j) => j.id)).not.toContain(id);
    for (const job of running.data) expect(job.status).toBe("running");
    // unfiltered, it is listed with the status its object holds
    const all = (await (await api("/v1/jobs?limit=100")).json()) as { data: JobRecord[] };
    expect(all.data.find((j) => j.id === id)?.status).toBe("succeeded");
  });

  it("a hung index does not hold up creating a job; the job is stored without it", { timeout: 30_000 }, async ({
    h,
  }) => {
    const id = "job_hungindex000000001";
    h.jobs.push(id);
    const hung = {
      prepare: () => ({ bind: () => ({ run: () => new Promise(() => undefined) }) }),
    } as unknown as D1Database;
    const created = await runInDurableObject(jobStub(id), async (instance, state) => {
      const object = jobInside(instance);
      const real = object.env;
      object.env = { ...real, DB: hung };
      try {
        // a real request would answer once this returns
        return await object.create({
          id,
          tenant: "t",
          model: "weshop/seedream",
          params: { textDescription: "x" },
          metadata: {},
          origin: "https://seedrun.test",
        });
      } finally {
        // an alarm that started meanwhile ends first, then the object gets its index back
        await object.running;
        await state.storage.deleteAlarm();
        object.env = real;
      }
    });
    expect(created).toMatchObject({ id, status: "queued" });
    // not in the index yet: a later alarm writes it
    expect(created.indexedStatus).toBeUndefined();
    expect((await storedJob(id)).id).toBe(id);
  });
});
