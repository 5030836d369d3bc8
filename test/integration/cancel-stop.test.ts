// After a cancel, the provider's task: a Wiro task is stopped the way Wiro allows it, chosen from
// a fresh Task/Detail and confirmed by one; a WeShop job whose submit has no confirmed answer sends
// nothing more to WeShop, which offers no lookup that cannot start a run (its only read, GET
// /agent/runs/{executionId}, needs the id that answer would have carried; docs/providers.md), so the
// job says what is known (a run may exist) instead of resubmitting to find out.
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { gateApi } from "../../src/jobs/gate/gate-client.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { weshopRunKey } from "../../src/providers/weshop-run.ts";
import { firstStep } from "../reliability/steps.ts";
import { layerFetch, requestsTo, restoreProviderPace } from "../reliability/support.ts";
import { SEEDREAM, WIRO } from "../support/builders.ts";
import { createJob, fireFollowUp, getJob, type Harness, startHarness } from "../support/harness.ts";
import { releaseAll, settled, stepInBackground } from "../support/in-flight.ts";
import { cancel, PATIENT, parkedBeforeSubmit, view } from "./cancel-support.ts";

let h: Harness;
beforeEach(async () => {
  h = startHarness();
  await restoreProviderPace();
});
afterEach(async () => {
  releaseAll();
  await h.stop();
});

describe("stopping a Wiro task: chosen from a fresh Task/Detail, confirmed by Task/Detail", () => {
  /** A Wiro job that has submitted (its task created at the simulator's current time), parked. */
  async function running(): Promise<string> {
    const { id } = await createJob(WIRO);
    const job = await firstStep(id);
    expect(job.status).toBe("running");
    return id;
  }
  const sent = (op: "cancel" | "kill") => requestsTo(h, `wiro.${op}`).map((r) => JSON.parse(r.body) as unknown);

  it("queued at Wiro: Task/Cancel by taskid, confirmed", async () => {
    const id = await running();
    await cancel(id);
    const job = await fireFollowUp(id);
    expect(job.stop?.confirmed).toBe(true);
    expect(sent("cancel")).toEqual([{ taskid: job.task!.taskId }]);
    expect(sent("kill")).toEqual([]);
    expect((await view(id)).provider).toMatchObject({ status: "task_cancel", stopConfirmed: true });
  });

  it("running at Wiro (the job still remembers it queued): Task/Kill by taskid, no Cancel, confirmed", async () => {
    const id = await running();
    h.advance(15_000); // task_start at Wiro; the job has not polled since its submit
    const answer = await cancel(id);
    expect(answer.provider.stopConfirmed).toBe(false);
    expect(answer.error.message).toMatch(/^Canceled by the client\. Asking Wiro to stop task \d+\.$/);
    const job = await fireFollowUp(id);
    expect(sent("cancel")).toEqual([]);
    expect(sent("kill")).toEqual([{ taskid: job.task!.taskId }]);
    expect(job.error?.message).toMatch(
      /^Canceled by the client\. Wiro task \d+ killed \(Task\/Detail shows task_cancel\)\.$/,
    );
    expect(job.stop?.confirmed).toBe(true);
    expect(h.sim.tasks()[0]!.killedAt).toBeDefined();
  });

  it("Cancel refused because a worker took the task meanwhile: Kill instead, confirmed", async () => {
    const id = await running();
    // the task leaves the queue between the fresh Task/Detail and the Cancel
    layerFetch(async (request, next) => {
      if (request.url.endsWith("/Task/Cancel")) h.advance(20_000);
      return next();
    });
    await cancel(id);
    const job = await fireFollowUp(id);
    expect(sent("cancel")).toHaveLength(1);
    expect(sent("kill")).toEqual([{ taskid: job.task!.taskId }]);
    expect(job.stop?.confirmed).toBe(true);
    expect(job.error?.message).toMatch(/Wiro task \d+ killed \(Task\/Detail shows task_cancel\)/);
  });

  it("preprocessing (accepted, not yet assigned): Kill is refused, asked again with backoff until it takes", async () => {
    const id = await running();
    h.advance(7_000); // task_preprocess_start: Cancel no longer, Kill not yet
    await cancel(id);
    const waiting = await fireFollowUp(id);
    expect(waiting.status).toBe("canceled");
    expect(waiting.stop?.confirmed).toBe(false);
    expect(waiting.providerStop?.nextAt).toBeGreaterThan(waiting.completedAt!);
    expect(waiting.providerStatus).toBe("task_preprocess_start");
    expect(waiting.error?.message).toMatch(
      /Wiro cannot stop task \d+ yet \(task_preprocess_start: not assigned to a worker\); asking again\.$/,
    );
    expect((await view(id)).provider.stopConfirmed).toBe(false);
    expect(h.sim.tasks()[0]!.killedAt).toBeUndefined();
    const refused = sent("kill").length;
    expect(refused).toBeGreaterThanOrEqual(1);

    h.advance(5_000); // assigned and running now
    const job = await fireFollowUp(id);
    expect(job.stop?.confirmed).toBe(true);
    expect(job.providerStop).toBeUndefined();
    expect(sent("kill").length).toBe(refused + 1);
    expect(sent("cancel")).toEqual([]);
    expect(job.error?.message).toMatch(
      /^Canceled by the client\. Wiro task \d+ killed \(Task\/Detail shows task_cancel\)\.$/,
    );
    expect(h.sim.tasks()[0]!.killedAt).toBeDefined();
  });

  it("a task that had already finished is neither canceled nor killed; the job says it ended by itself", async () => {
    const id = await running();
    h.advance(60_000);
    await cancel(id);
    const job = await fireFollowUp(id);
    expect(sent("cancel")).toEqual([]);
    expect(sent("kill")).toEqual([]);
    expect(job.stop?.confirmed).toBe(true);
    expect(job.error?.message).toMatch(
      /Wiro task \d+ had already ended by itself \(task_postprocess_end\) before it could be stopped\.$/,
    );
  });
});

describe("a cancel during a hung WeShop submit", () => {
  it("aborts it and never sends it again: no run is started after the cancel, and the job says a run may exist", async () => {
    const id = await parkedBeforeSubmit(h, SEEDREAM, "weshop.submit");
    const before = requestsTo(h, "weshop.submit").length;
    // WeShop holds the submit without doing anything (the simulator's `hang`: no run exists)
    h.sim.inject({ target: "weshop.submit", kind: "hang" });
    await stepInBackground(id, PATIENT);
    await vi.waitFor(() => expect(requestsTo(h, "weshop.submit")).toHaveLength(before + 1));
    const answer = await cancel(id);
    expect(answer).toMatchObject({ status: "canceled", error: { code: "canceled_by_client" } });

    let job = await settled(id);
    // any follow-up work the cancel left (there should be none at WeShop) is run to its end
    for (let i = 0; i < 8 && job.providerStop; i++) job = await fireFollowUp(id);
    await fireFollowUp(id);
    expect(h.sim.tasks()).toEqual([]);
    expect(requestsTo(h, "weshop.submit")).toHaveLength(before + 1);
    expect(job.status).toBe("canceled");
    expect(job.task).toBeUndefined();
    expect(job.providerStop).toBeUndefined();
    expect(job.error?.message).toMatch(
      /^Canceled by the client\. A submit to WeShop had been sent without a confirmed answer, so a run may exist there/,
    );
    expect(job.error?.message).toMatch(/did not ask again/);
    expect(job.error?.message).not.toMatch(/exists at WeShop|looking it up/);
    expect((await gateApi(env, "weshop").snapshot()).holders).not.toContain(id);
  });
});

describe("a cancel after an unconfirmed WeShop submit", () => {
  /** WeShop accepted the run but its answer was lost: the job waits with its recovery point. */
  async function unconfirmed(): Promise<JobRecord> {
    h.sim.inject({ target: "weshop.submit", kind: "accept_then_hang" });
    // a retry the runtime fires before the test parks the job hangs too
    h.sim.inject({ target: "weshop.submit", kind: "hang", times: 20 });
    const { id } = await createJob(SEEDREAM);
    const job = await firstStep(id);
    h.sim.clearFaults();
    expect(job.status).toBe("queued");
    expect(job.submitStartedAt).toBeDefined();
    expect(h.sim.tasks()).toHaveLength(1);
    return job;
  }

  it("sends nothing more to WeShop and says a run may exist and be billed", async () => {
    const { id } = await unconfirmed();
    const submitsBefore = requestsTo(h, "weshop.submit");
    const answer = await cancel(id);
    expect(answer.error.message).not.toMatch(/before the run reached|nothing was sent/);
    const job = await fireFollowUp(id);
    expect(requestsTo(h, "weshop.submit")).toHaveLength(submitsBefore.length);
    expect(h.sim.tasks()).toHaveLength(1);
    expect(job.error?.message).toBe(answer.error.message);
    expect(job.error?.message).toMatch(
      /^Canceled by the client\. A submit to WeShop had been sent without a confirmed answer, so a run may exist there/,
    );
    expect(job.error?.message).toMatch(/may finish and be billed/);
    expect((await getJob(id)).provider).toMatchObject({ taskId: null, stopConfirmed: false });
    // every submit the job ever sent carried its one key: WeShop never saw two runs asked for
    expect(new Set(submitsBefore.map((r) => r.headers["idempotency-key"]))).toEqual(new Set([await weshopRunKey(id)]));
    // nothing is left to do at WeShop, so the slot goes back at once
    expect(job.slotHeld).toBeFalsy();
    expect((await gateApi(env, "weshop").snapshot()).holders).not.toContain(id);
  });
});
