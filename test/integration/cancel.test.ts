// Cancel never waits for the job's step in flight (it is aborted instead), and the provider's
// task is stopped the way Wiro allows it, chosen from a fresh Task/Detail and confirmed by one.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { BatchRecord } from "../../src/batches/batch-client.ts";
import { batchJobId } from "../../src/batches/batch-object.ts";
import { SIM_ORIGIN } from "../support/bindings.ts";
import { api, createJob, fireFollowUp, getJob, startHarness, storedJob, type Harness } from "../support/harness.ts";
import { holdRequests, releaseAll, settled, stepInBackground } from "../support/in-flight.ts";
import { layerFetch, requestsTo, restoreProviderPace } from "../reliability/support.ts";
import { firstStep, stepUntil } from "../reliability/steps.ts";

const SEEDREAM = { model: "weshop/seedream", params: { textDescription: "a fox" } };
const WIRO = { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle" } };
/** Long enough that a held provider request or download is ended only by the cancel. */
const PATIENT = { PROVIDER_TIMEOUT_MS: "60000", MEDIA_TIMEOUT_MS: "60000" };

let h: Harness;
beforeEach(async () => {
  h = startHarness();
  await restoreProviderPace();
});
afterEach(async () => {
  releaseAll();
  await h.stop();
});

type Public = Awaited<ReturnType<typeof getJob>> & {
  error: { code: string; message: string };
  provider: { taskId: string | null; status: string | null; stopConfirmed?: boolean };
};
const cancel = async (id: string) => {
  const res = await api(`/v1/jobs/${id}/cancel`, { method: "POST" });
  expect(res.status).toBe(200);
  return (await res.json()) as Public;
};
const view = async (id: string) => (await getJob(id)) as Public;
const isSubmit = (url: string, method: string) => method === "POST" && url.endsWith("/agent/runs");

/** A job whose first submit was refused (HTTP 500, a definite answer): parked, nothing at the provider. */
async function parkedBeforeSubmit(spec: typeof SEEDREAM | typeof WIRO, target: "weshop.submit" | "wiro.run"): Promise<string> {
  h.sim.inject({ target, kind: "http500", times: 1000 });
  const { id } = await createJob(spec);
  await firstStep(id);
  h.sim.clearFaults();
  return id;
}

describe("a cancel never waits for the step in flight", () => {
  it("during a held WeShop submit: answers while it is held and aborts it (what follows: cancel-weshop.test.ts)", async () => {
    const id = await parkedBeforeSubmit(SEEDREAM, "weshop.submit");
    const submits = requestsTo(h, "weshop.submit").length;
    const held = holdRequests(h, isSubmit);
    await stepInBackground(id, PATIENT);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    const answer = await cancel(id);
    // answered while the submit is still held, and the cancel (not a timeout) aborted it
    expect(held[0]!.released).toBe(false);
    expect(held[0]!.abortedBy()).toBe("AbortError");
    expect(answer).toMatchObject({ status: "canceled", error: { code: "canceled_by_client" } });
    expect(answer.error.message).not.toMatch(/before the run reached/);
    held[0]!.release();
    const job = await settled(id);
    expect(job.status).toBe("canceled");
    // the held submit is the only one: it is never sent again after the cancel
    expect(requestsTo(h, "weshop.submit")).toHaveLength(submits + 1);
    expect(job.slotHeld).toBeFalsy();
  });

  it("during a hung output download: answers while it is held, aborts it, and no object is left in R2", async () => {
    const { id } = await createJob(SEEDREAM);
    await stepUntil(h, id, (j) => j.status === "copying");
    const held = holdRequests(h, (url) => url.startsWith(`${SIM_ORIGIN}/files/`));
    await stepInBackground(id, PATIENT);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    const answer = await cancel(id);
    expect(held[0]!.released).toBe(false);
    expect(held[0]!.abortedBy()).toBe("AbortError");
    expect(answer.status).toBe("canceled");
    expect(answer.error.message).toMatch(/while outputs were being copied/);
    expect(answer.outputs).toEqual([expect.objectContaining({ status: "failed", error: "canceled before it was copied" })]);

    held[0]!.release();
    const job = await settled(id);
    expect(job.status).toBe("canceled");
    expect(job.outputs).toEqual([expect.objectContaining({ status: "failed", error: "canceled before it was copied" })]);
    expect((await env.MEDIA.list({ prefix: `jobs/${id}/` })).objects).toEqual([]);
  });

  it("a Wiro Run in flight is not aborted: its answer, landing after the cancel, names the task, which is stopped", async () => {
    const id = await parkedBeforeSubmit(WIRO, "wiro.run");
    const held = holdRequests(h, (url) => url.includes("/wiro/v1/Run/"));
    await stepInBackground(id, PATIENT);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    const answer = await cancel(id);
    expect(held[0]!.released).toBe(false);
    // aborted, the task it may create could never be named, so never stopped
    expect(held[0]!.abortedBy()).toBeUndefined();
    expect(answer.status).toBe("canceled");
    expect(answer.error.message).toMatch(/being submitted to Wiro; the task it creates is stopped/);

    held[0]!.release("answer");
    const job = await settled(id);
    // the step that ended after the cancel changed nothing but what it learned about the task
    expect(job.status).toBe("canceled");
    expect(job.error?.code).toBe("canceled_by_client");
    expect(h.sim.tasks()).toHaveLength(1);
    expect(job.task?.taskId).toBe(h.sim.tasks()[0]!.id);
    expect(job.stop?.confirmed).toBe(true);
    expect(job.providerStatus).toBe("task_cancel");
    expect(job.error?.message).toMatch(/^Canceled by the client\. Wiro task \d+ canceled while queued \(Task\/Detail shows task_cancel\)\.$/);
    expect(h.sim.tasks()[0]!.canceledAt).toBeDefined();
  });

  it("a job canceled before anything was sent stays local: no provider call, nothing to confirm", async () => {
    const id = await parkedBeforeSubmit(SEEDREAM, "weshop.submit");
    const calls = h.sim.requests.length;
    const answer = await cancel(id);
    expect(answer.error.message).toBe("Canceled by the client before the run reached the provider.");
    expect(answer.provider.stopConfirmed).toBeUndefined();
    const job = await fireFollowUp(id);
    expect(job.stop).toBeUndefined();
    expect(job.providerStop).toBeUndefined();
    expect(h.sim.requests.length).toBe(calls);
  });

  it("a batch cancel does not wait for its jobs' steps in flight", async () => {
    const held = holdRequests(h, isSubmit, 2);
    const res = await api("/v1/batches", { json: { jobs: [SEEDREAM, SEEDREAM] } });
    expect(res.status).toBe(202);
    const batchId = ((await res.json()) as { id: string }).id;
    const ids = [await batchJobId(batchId, 0), await batchJobId(batchId, 1)];
    h.jobs.push(...ids);
    const batch = env.BATCHES.get(env.BATCHES.idFromName(batchId));
    const record = () => runDurableObjectAlarm(batch).then(() => runInBatch(batch));
    // both jobs are created and their first alarms are sending their submits
    await vi.waitFor(async () => {
      await record();
      expect(held).toHaveLength(2);
    });
    expect((await api(`/v1/batches/${batchId}/cancel`, { method: "POST" })).status).toBe(200);
    await vi.waitFor(async () => expect((await record()).cancelProgress).toBe(2));
    // every job was canceled while its submit was still held
    expect(held.every((x) => !x.released)).toBe(true);
    for (const id of ids) expect((await storedJob(id)).status).toBe("canceled");
    for (const x of held) x.release();
    for (const id of ids) expect((await settled(id)).status).toBe("canceled");
  });
});

function runInBatch(stub: DurableObjectStub): Promise<BatchRecord> {
  return runInDurableObject(stub, (_, state) => state.storage.kv.get<BatchRecord>("batch")!);
}

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
    expect(job.error?.message).toMatch(/^Canceled by the client\. Wiro task \d+ killed \(Task\/Detail shows task_cancel\)\.$/);
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
    expect(waiting.error?.message).toMatch(/Wiro cannot stop task \d+ yet \(task_preprocess_start: not assigned to a worker\); asking again\.$/);
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
    expect(job.error?.message).toMatch(/^Canceled by the client\. Wiro task \d+ killed \(Task\/Detail shows task_cancel\)\.$/);
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
    expect(job.error?.message).toMatch(/Wiro task \d+ had already ended by itself \(task_postprocess_end\) before it could be stopped\.$/);
  });
});
