// POST /v1/pipelines/{id}/cancel: running jobs canceled (a Wiro task stopped as a job cancel stops
// it), waiting steps skipped with nothing sent, the pipeline canceled; a finished one is 409.
import { describe, expect } from "vitest";
import { it } from "../support/fixture.ts";
import { api, fireAlarm, fireFollowUp, getJob, storedJob } from "../support/harness.ts";
import { createPipeline, ended, runStep, startedJobs, stepOf, waitForPipeline } from "../support/pipelines.ts";

const WIRO = "wiro/ByteDance/text-to-video-seedance-v1";
const cancel = (id: string) => api(`/v1/pipelines/${id}/cancel`, { method: "POST" });

describe("cancel", () => {
  it("while a step runs: its Wiro task is stopped, the steps after it skipped, the pipeline canceled", async ({
    h,
  }) => {
    const p = await createPipeline({
      steps: [
        { id: "still", model: "weshop/seedream", params: { textDescription: "a harbour" } },
        { id: "clip", model: WIRO, params: { prompt: "boats at dawn" }, after: ["still"] },
        { id: "poster", model: "weshop/seedream", params: { textDescription: "a poster" }, after: ["clip"] },
      ],
    });
    await runStep(h, p.id, "still");
    const [clipJob] = await startedJobs(h, p.id, "clip");
    await fireAlarm(clipJob!);
    expect((await storedJob(clipJob!)).status).toBe("running");
    const res = await cancel(p.id);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { status: string; steps: { id: string; status: string }[] };
    expect(answer.status).toBe("canceled");
    expect(answer.steps.find((s) => s.id === "poster")!.status).toBe("skipped");
    // the job cancel stops the Wiro task, as any job cancel does
    const job = await fireFollowUp(clipJob!);
    expect(job.status).toBe("canceled");
    expect(h.sim.requests.filter((r) => r.target === "wiro.cancel" || r.target === "wiro.kill").length).toBeGreaterThan(
      0,
    );
    const done = await waitForPipeline(p.id, ended);
    expect(done.status).toBe("canceled");
    expect(done.steps.map((s) => [s.id, s.status])).toEqual([
      ["still", "succeeded"],
      ["clip", "canceled"],
      ["poster", "skipped"],
    ]);
    expect(stepOf(done, "poster").jobIds).toEqual([]);
    expect(h.sim.tasks().filter((t) => t.agent === "seedream")).toHaveLength(1);
    expect((await cancel(p.id)).status).toBe(409);
  });

  it("while a step waits: the running first step is canceled and the waiting one never sends anything", async ({
    h,
  }) => {
    const p = await createPipeline({
      steps: [
        { id: "still", model: "weshop/seedream", params: { textDescription: "a red sneaker" } },
        {
          id: "clip",
          model: "weshop/seedance",
          params: { textDescription: "it turns", images: ["{{steps.still.outputs.0.url}}"] },
        },
      ],
    });
    const [stillJob] = await startedJobs(h, p.id, "still");
    const res = await cancel(p.id);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { steps: { id: string; status: string }[] };
    expect(answer.steps.map((s) => s.status)).toEqual(["running", "skipped"]);
    expect((await getJob(stillJob!)).status).toBe("canceled");
    const done = await waitForPipeline(p.id, ended);
    expect(done).toMatchObject({ status: "canceled" });
    expect(done.steps.map((s) => [s.id, s.status])).toEqual([
      ["still", "canceled"],
      ["clip", "skipped"],
    ]);
    expect(h.sim.tasks().filter((t) => t.agent === "seedance")).toHaveLength(0);
  });

  it("answers 409 for a pipeline that already ended, and 404 for another key's", async ({ h }) => {
    const p = await createPipeline({
      steps: [{ id: "still", model: "weshop/seedream", params: { textDescription: "a fox" } }],
    });
    await runStep(h, p.id, "still");
    await waitForPipeline(p.id, ended);
    const res = await cancel(p.id);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "pipeline_finished" });
    expect((await api(`/v1/pipelines/${p.id}`, { key: "test-key-b" })).status).toBe(404);
    expect((await api(`/v1/pipelines/${p.id}/cancel`, { method: "POST", key: "test-key-b" })).status).toBe(404);
  });
});
