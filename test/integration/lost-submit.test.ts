// A Wiro Run whose answer is lost after Wiro created the task (simulator `accept_then_hang`):
// Wiro has no idempotent submit, so the Run is never sent again; the job waits for its own
// token-authenticated callback to name the task, adopts it (confirmed by Task/Detail) and ends
// with its outputs and real cost. Only when nothing reports in by the deadline does it end
// `submit_uncertain`; a task named after the job ended is stopped.
import { exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { wiroPrice } from "../../simulator/wiro-pricing.ts";
import { firstStep } from "../reliability/steps.ts";
import { requestsTo } from "../reliability/support.ts";
import {
  api,
  createJob,
  driveJob,
  fireAlarm,
  fireFollowUp,
  getJob,
  type Harness,
  startHarness,
  storedJob,
} from "../support/harness.ts";

const WIRO = { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle at dawn" } };
let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  await h.stop();
});

/** Wiro's callback for the job's task, as Wiro sends it (the task record; only its id is read). */
const callback = (url: string, taskId: string) =>
  exports.default.fetch(
    new Request(url, {
      method: "POST",
      body: JSON.stringify({ id: taskId, status: "task_queue" }),
      headers: { "Content-Type": "application/json" },
    }),
  );

/** A Wiro job whose Run created a task at the simulator but whose answer never came back. */
async function lostRun(): Promise<{ id: string; taskId: string; callbackUrl: string }> {
  h.sim.inject({ target: "wiro.run", kind: "accept_then_hang" });
  const { id } = await createJob(WIRO);
  const waiting = await firstStep(id);
  expect(h.sim.tasks()).toHaveLength(1);
  // not failed: waiting for the task's own callback, with nothing sent again
  expect(waiting).toMatchObject({ status: "running" });
  expect(waiting.task).toBeUndefined();
  const task = h.sim.tasks()[0]!;
  return { id, taskId: task.id, callbackUrl: task.callbackUrl! };
}

describe("a Wiro Run whose answer was lost", () => {
  it("is adopted from the task's own callback: the job succeeds with its output and real cost, one Run, one task", async () => {
    const { id, taskId } = await lostRun();
    // the task ends at Wiro, which calls the job's callback URL naming it
    h.advance(60_000);
    await h.sim.tick();
    expect(h.sim.tasks()[0]!.callbacksSent).toBe(1);
    expect((await storedJob(id)).task?.taskId).toBe(taskId);
    const done = await driveJob(h, id, 0);
    expect(done.status).toBe("succeeded");
    expect(done.outputs).toEqual([expect.objectContaining({ status: "stored", kind: "video" })]);
    // confirmed by Task/Detail by taskid, never by the callback body
    expect(requestsTo(h, "wiro.detail").map((r) => JSON.parse(r.body ?? "{}").taskid)).toContain(taskId);
    expect(done.cost?.actual).toEqual({ unit: "usd", amount: wiroPrice(h.sim.tasks()[0]!.params) });
    expect(requestsTo(h, "wiro.run")).toHaveLength(1);
    expect(h.sim.tasks()).toHaveLength(1);
    expect((await getJob(id)).provider).toMatchObject({ taskId, status: "task_postprocess_end" });
  });

  it("ends submit_uncertain when nothing reports in by the deadline; a task named later is stopped", async () => {
    const { id, taskId, callbackUrl } = await lostRun();
    // the alarm comes at the deadline: no callback has named a task
    await fireAlarm(id);
    const failed = await storedJob(id);
    expect(failed).toMatchObject({ status: "failed", error: { code: "submit_uncertain", retryable: true } });
    expect(failed.error?.message).toMatch(/no callback from Wiro named a task before the job's deadline/);
    // the task's callback arrives after the end (still queued at Wiro): it is adopted only to be stopped
    expect((await callback(callbackUrl, taskId)).status).toBe(200);
    const stopped = await fireFollowUp(id);
    expect(stopped.status).toBe("failed");
    expect(stopped.task?.taskId).toBe(taskId);
    expect(stopped.stop?.confirmed).toBe(true);
    expect(h.sim.tasks()[0]!.canceledAt).toBeDefined();
    expect(stopped.error?.message).toMatch(
      new RegExp(`Wiro's callback then named task ${taskId}\\. Wiro task ${taskId} canceled while queued`),
    );
    expect(requestsTo(h, "wiro.run")).toHaveLength(1);
  });

  it("canceled while it waits: the task its callback names later is stopped", async () => {
    const { id, taskId, callbackUrl } = await lostRun();
    const res = await api(`/v1/jobs/${id}/cancel`, { method: "POST" });
    expect(res.status).toBe(200);
    const canceled = (await res.json()) as { error: { message: string } };
    expect(canceled.error.message).toMatch(/a Wiro task may exist/);
    expect((await callback(callbackUrl, taskId)).status).toBe(200);
    const stopped = await fireFollowUp(id);
    expect(stopped.status).toBe("canceled");
    expect(stopped.stop?.confirmed).toBe(true);
    expect(h.sim.tasks()[0]!.canceledAt).toBeDefined();
  });

  it("a callback that names no task (or not a Wiro id) leaves the job waiting", async () => {
    const { id, callbackUrl } = await lostRun();
    const post = (body: string) => exports.default.fetch(new Request(callbackUrl, { method: "POST", body }));
    expect((await post("not json")).status).toBe(200);
    expect((await post(JSON.stringify({ id: "../../x" }))).status).toBe(200);
    const still = await storedJob(id);
    expect(still.status).toBe("running");
    expect(still.task).toBeUndefined();
  });
});
