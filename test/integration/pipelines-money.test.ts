// Money: a pipeline is quoted and admitted whole (an `each` step at its source's most outputs),
// refused 402 with nothing created or sent, and its cost sums its jobs per unit.
import { describe, expect } from "vitest";
import { budget, leaveRoom, putLimits } from "../support/costs.ts";
import { it } from "../support/fixture.ts";
import { api } from "../support/harness.ts";
import { createPipeline, ended, postPipeline, runStep, waitForPipeline } from "../support/pipelines.ts";

it.afterEach(async () => {
  await putLimits([]);
});

const FOUR_AND_CLIPS = {
  steps: [
    { id: "stills", model: "weshop/seedream", params: { textDescription: "a lighthouse", batchCount: 4 } },
    {
      id: "clips",
      model: "weshop/seedance",
      each: "stills",
      params: { textDescription: "waves", images: ["{{each.url}}"] },
    },
  ],
};

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function quote(body: unknown): Promise<{ total: { unit: string; amount: number }[]; jobs: { model: string }[] }> {
  const res = await api("/v1/quotes", { json: body });
  expect(res.status).toBe(200);
  return res.json();
}

describe("pipeline money", () => {
  it("quotes an each step at its source's most outputs", async () => {
    const q = await quote({ pipeline: FOUR_AND_CLIPS });
    expect(q.jobs.map((j) => j.model)).toEqual(["weshop/seedream", ...Array(4).fill("weshop/seedance")]);
    const one = await quote({
      model: "weshop/seedance",
      params: { textDescription: "waves", images: ["https://images.example.com/a.png"] },
    });
    const stills = await quote({
      model: "weshop/seedream",
      params: { textDescription: "a lighthouse", batchCount: 4 },
    });
    expect(q.total).toEqual([{ unit: "weshop_power", amount: stills.total[0]!.amount + 4 * one.total[0]!.amount }]);
    const bad = await api("/v1/quotes", {
      json: { pipeline: { steps: [{ id: "a", model: "weshop/seedream", params: {} }] } },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      "pipeline.steps[0].params.textDescription",
    ]);
  });

  it("refuses a whole pipeline over budget with 402: no pipeline, no job, nothing sent", async ({ h }) => {
    const q = await quote({ pipeline: FOUR_AND_CLIPS });
    const whole = q.total[0]!.amount;
    await leaveRoom("weshop_power", whole - 1);
    const before = ((await (await api("/v1/pipelines")).json()) as { data: unknown[] }).data.length;
    const { status, body } = await postPipeline(FOUR_AND_CLIPS);
    expect(status).toBe(402);
    expect(body).toMatchObject({ code: "budget_exceeded", unit: "weshop_power", requested: whole });
    expect(((await (await api("/v1/pipelines")).json()) as { data: unknown[] }).data.length).toBe(before);
    expect(h.sim.tasks()).toHaveLength(0);
    // room for the whole pipeline: admitted, its estimate reserved at once
    await leaveRoom("weshop_power", whole);
    const p = await createPipeline(FOUR_AND_CLIPS);
    expect(p.cost.estimate).toEqual([{ unit: "weshop_power", amount: whole }]);
    const [limit] = await budget();
    expect(limit!.remaining).toBe(0);
    await api(`/v1/pipelines/${p.id}/cancel`, { method: "POST" });
  });

  it("gives back what its never-created jobs had reserved when a step fails", async ({ h }) => {
    await leaveRoom("weshop_power", 1000);
    h.sim.inject({ target: "weshop.submit", kind: "run_failed", times: 1 });
    const p = await createPipeline(FOUR_AND_CLIPS);
    expect((await budget())[0]!.reserved).toBeGreaterThan(0);
    await runStep(h, p.id, "stills");
    const done = await waitForPipeline(p.id, ended);
    expect(done.status).toBe("failed");
    // the failed run settled at its actual cost, the four clips' reservations released
    await waitFor(async () => (await budget())[0]!.reserved === 0);
  });

  it("sums its jobs' actual costs", async ({ h }) => {
    const p = await createPipeline({
      steps: [
        { id: "still", model: "weshop/seedream", params: { textDescription: "a fox" } },
        {
          id: "clip",
          model: "weshop/seedance",
          params: { textDescription: "it runs", images: ["{{steps.still.outputs.0.url}}"] },
        },
      ],
    });
    await runStep(h, p.id, "still");
    await runStep(h, p.id, "clip");
    const done = await waitForPipeline(p.id, (q) => ended(q) && q.cost.actual.length > 0);
    expect(done.cost.actual).toEqual([{ unit: "weshop_power", amount: expect.any(Number) }]);
    expect(done.cost.actual[0]!.amount).toBeGreaterThan(0);
  });
});
