// How steps follow each other: fan-out of one job per output, a failed step's dependants skipped
// with nothing sent while an independent branch goes on.
import { describe, expect } from "vitest";
import { it } from "../support/fixture.ts";
import { api, getJob } from "../support/harness.ts";
import { createPipeline, ended, runStep, startedJobs, stepOf, waitForPipeline } from "../support/pipelines.ts";

describe("fan-out", () => {
  it("runs one clip per still of a 4-image step, each given its own still", async ({ h }) => {
    const p = await createPipeline({
      steps: [
        { id: "stills", model: "weshop/seedream", params: { textDescription: "a lighthouse", batchCount: 4 } },
        {
          id: "clips",
          model: "weshop/seedance",
          each: "stills",
          params: { textDescription: "waves", images: ["{{each.url}}"] },
        },
      ],
    });
    const [stillJob] = await runStep(h, p.id, "stills");
    const clips = await startedJobs(h, p.id, "clips");
    expect(clips).toHaveLength(4);
    const still = await getJob(stillJob!);
    const given = await Promise.all(
      clips.map(async (id) => ((await getJob(id)).params as { images: string[] }).images[0]!),
    );
    // output i of the stills, in order, each to its own job
    expect(given.map((url) => url.split("?")[0])).toEqual(still.outputs.map((o) => String(o.url).split("?")[0]));
    await runStep(h, p.id, "clips");
    const done = await waitForPipeline(p.id, ended);
    expect(done.status).toBe("succeeded");
    expect(stepOf(done, "clips")).toMatchObject({ status: "succeeded", jobIds: clips });
    expect(h.sim.tasks().filter((t) => t.agent === "seedance")).toHaveLength(4);
  });
});

describe("a failed step", () => {
  it("skips its dependants with nothing sent, lets an independent branch finish, and ends the pipeline failed", async ({
    h,
  }) => {
    // the first submit WeShop receives ends Failed
    h.sim.inject({ target: "weshop.submit", kind: "run_failed", times: 1 });
    const p = await createPipeline({
      steps: [
        { id: "still", model: "weshop/seedream", params: { textDescription: "a red sneaker" } },
        {
          id: "clip",
          model: "weshop/seedance",
          params: { textDescription: "it turns", images: ["{{steps.still.outputs.0.url}}"] },
        },
        { id: "after-clip", model: "weshop/seedream", params: { textDescription: "a poster" }, after: ["clip"] },
        { id: "other", model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "an unrelated clip" } },
      ],
    });
    const [stillJob] = await runStep(h, p.id, "still");
    expect((await getJob(stillJob!)).status).toBe("failed");
    await runStep(h, p.id, "other");
    const done = await waitForPipeline(p.id, ended);
    expect(done.status).toBe("failed");
    expect(done.steps.map((s) => [s.id, s.status])).toEqual([
      ["still", "failed"],
      ["clip", "skipped"],
      ["after-clip", "skipped"],
      ["other", "succeeded"],
    ]);
    expect(stepOf(done, "clip")).toMatchObject({ jobIds: [], error: "step still failed" });
    expect(stepOf(done, "after-clip")).toMatchObject({ jobIds: [], error: "step clip skipped" });
    // one WeShop run (the failed still) and the Wiro clip: nothing for the skipped steps
    expect(
      h.sim
        .tasks()
        .map((t) => t.agent ?? t.provider)
        .sort(),
    ).toEqual(["seedance-v1", "seedream"].sort());
    const jobs = (await (await api(`/v1/jobs?pipelineId=${p.id}`)).json()) as { data: unknown[] };
    expect(jobs.data).toHaveLength(2);
  });
});
