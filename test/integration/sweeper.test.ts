// The sweeper on the cron tick: unfinished jobs that have gone quiet in the index are woken, so
// none sleeps forever because an alarm was lost. (A file of its own: the provider slots its jobs
// need are not taken by other tests' work.)
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, vi } from "vitest";
import { idleUnfinishedJobs } from "../../src/db/jobs-index.ts";
import { IDLE_MS } from "../../src/jobs/machine/policies.ts";
import { sweepIdleJobs } from "../../src/jobs/sweeper.ts";
import { writeJobRecord } from "../support/do-internals.ts";
import { it } from "../support/fixture.ts";
import { createJob, driveJob, fireAlarm, jobStub, storedJob } from "../support/harness.ts";

describe("sweeper", () => {
  it("a job whose alarm was lost is finished after the sweeper wakes it", async ({ h }) => {
    const { id } = await createJob({ model: "weshop/seedream", params: { textDescription: "lost" } });
    await fireAlarm(id);
    expect((await storedJob(id)).status).toBe("running");
    // the alarm was lost long ago: the job is overdue and the index has not heard from it
    await runInDurableObject(jobStub(id), async (instance, state) => {
      await state.storage.deleteAlarm();
      const job = (await state.storage.get<Record<string, unknown>>("job"))!;
      await writeJobRecord(instance, state, { ...job, nextAt: Date.now() - IDLE_MS });
    });
    await env.DB.prepare("UPDATE jobs SET updated_at = ?, seen_at = ? WHERE id = ?")
      .bind(Date.now() - IDLE_MS - 1000, Date.now() - IDLE_MS - 1000, id)
      .run();
    h.advance(60_000);
    expect(await sweepIdleJobs(env, Date.now())).toContain(id);
    // the re-armed alarm fires by itself and the job moves on
    await vi.waitFor(async () => expect((await storedJob(id)).status).not.toBe("running"));
    expect((await driveJob(h, id)).status).toBe("succeeded");
  });

  it("leaves healthy jobs alone, and a quiet but live job stops looking idle", async () => {
    const { id } = await createJob({ model: "weshop/seedream", params: { textDescription: "fine" } });
    await fireAlarm(id);
    // alive, with its alarm set, but nothing has changed for long (a long Retry-After, say)
    const quiet = Date.now() - IDLE_MS - 1000;
    await env.DB.prepare("UPDATE jobs SET updated_at = ?, seen_at = ? WHERE id = ?").bind(quiet, quiet, id).run();
    expect(await idleUnfinishedJobs(env.DB, IDLE_MS, Date.now(), 100)).toContain(id);
    expect(await sweepIdleJobs(env, Date.now())).not.toContain(id);
    expect((await storedJob(id)).status).toBe("running");
    // the object answered the sweeper: its row is fresh again, so the next sweep reaches other jobs
    expect(await idleUnfinishedJobs(env.DB, IDLE_MS, Date.now(), 100)).not.toContain(id);
  });
});
