// A pipeline from POST /v1/pipelines to its last step: references resolved to signed links of the
// stored outputs, each step's jobs ordinary jobs, fan-out, and the pipeline's view and cost.
import { describe, expect } from "vitest";
import { it } from "../support/fixture.ts";
import { api, getJob } from "../support/harness.ts";
import { CLIP, createPipeline, ended, runStep, STILL, startedJobs, waitForPipeline } from "../support/pipelines.ts";

describe("image → video", () => {
  it("gives the clip the still's stored copy as a signed link and ends succeeded", async ({ h }) => {
    const created = await createPipeline({ steps: [STILL, CLIP], metadata: { sku: "SNK-1" } });
    expect(created).toMatchObject({ status: "running", metadata: { sku: "SNK-1" }, tags: [] });
    expect(created.id).toMatch(/^pipe_/);
    const [stillJob] = await runStep(h, created.id, "still");
    const [clipJob] = await startedJobs(h, created.id, "clip");
    const still = await getJob(stillJob!);
    const clip = await getJob(clipJob!);
    expect(still).toMatchObject({ pipelineId: created.id, pipelineStep: "still", status: "succeeded" });
    expect(clip).toMatchObject({ pipelineId: created.id, pipelineStep: "clip" });
    const link = (clip.params as { images: string[] }).images[0]!;
    expect(link).toMatch(new RegExp(`^https://seedrun\\.test/media/jobs/${stillJob}/0\\.\\w+\\?expires=(\\d+)&sig=`));
    expect(Number(/expires=(\d+)/.exec(link)![1]) * 1000 - Date.now()).toBeGreaterThanOrEqual(24 * 3600_000);
    await runStep(h, created.id, "clip");
    // the provider was sent exactly what the job's params show
    const task = h.sim.tasks().find((t) => t.agent === "seedance")!;
    expect(task.params.images).toEqual([link]);
    const done = await waitForPipeline(created.id, ended);
    expect(done.status).toBe("succeeded");
    expect(done.steps.map((s) => [s.id, s.status])).toEqual([
      ["still", "succeeded"],
      ["clip", "succeeded"],
    ]);
    expect(done.cost.estimate.length).toBeGreaterThan(0);
    const list = (await (await api(`/v1/jobs?pipelineId=${created.id}`)).json()) as { data: { id: string }[] };
    expect(list.data.map((j) => j.id).sort()).toEqual([stillJob, clipJob].sort());
  });
});
