// Every rule a pipeline is checked by before anything exists: one 400 naming every offending path,
// nothing created and nothing sent.
import { describe, expect } from "vitest";
import { validatePipeline } from "../../src/schemas/pipeline-spec.ts";
import { it } from "../support/fixture.ts";
import { api } from "../support/harness.ts";
import { CLIP, postPipeline, STILL } from "../support/pipelines.ts";

const ref = (step: string, n = 0) => `{{steps.${step}.outputs.${n}.url}}`;
const seedream = (id: string, params: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  id,
  model: "weshop/seedream",
  params: { textDescription: "a still", ...params },
  ...extra,
});
const seedance = (id: string, params: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  id,
  model: "weshop/seedance",
  params: { textDescription: "a clip", ...params },
  ...extra,
});

async function refused(body: unknown): Promise<Record<string, string>> {
  const { status, body: problem } = await postPipeline(body);
  expect(status).toBe(400);
  expect(problem).toMatchObject({ code: "validation_failed" });
  return Object.fromEntries((problem.errors as { path: string; message: string }[]).map((e) => [e.path, e.message]));
}

async function pipelineCount(): Promise<number> {
  return ((await (await api("/v1/pipelines?limit=100")).json()) as { data: unknown[] }).data.length;
}

describe("POST /v1/pipelines validation", () => {
  it("names every offending path of a pipeline in one answer, and creates and sends nothing", async ({ h }) => {
    const before = await pipelineCount();
    const errors = await refused({
      steps: [
        seedance("clip", { images: [ref("still")] }), // a later step
        seedream("still", { images: [ref("clip")] }), // a video into an image field
        seedream("still"), // a repeated id
        seedance("x", { images: [ref("ghost")], duration: 7 }), // an unknown step; a bad param
        seedream("y", { textDescription: ref("still") }), // not a URL field
        seedream("z", { images: ["{{steps.still.outputs.first.url}}", "{{each.url}}"] }), // not a reference; each without each
        seedance("w", { images: [ref("still", 3)] }), // output 3 of a one-output step
        { id: "bad id!", model: "weshop/nope", params: {}, extra: 1 },
      ],
      webhookEvents: ["pipeline.failed"],
      tags: ["Not A Tag"],
      deadline: "2001-01-01T00:00:00Z",
    });
    expect(Object.keys(errors).sort()).toEqual(
      [
        "steps[0].params.images[0]",
        "steps[1].params.images[0]",
        "steps[2].id",
        "steps[3].params.images[0]",
        "steps[3].params.duration",
        "steps[4].params.textDescription",
        "steps[5].params.images[0]",
        "steps[5].params.images[1]",
        "steps[6].params.images[0]",
        "steps[7].id",
        "steps[7].model",
        "steps[7].extra",
        "webhookEvents",
        "tags[0]",
        "deadline",
      ].sort(),
    );
    expect(errors["steps[0].params.images[0]"]).toMatch(/later step/);
    expect(errors["steps[1].params.images[0]"]).toMatch(/takes an image URL; step clip makes videos/);
    expect(errors["steps[3].params.images[0]"]).toMatch(/names no step/);
    expect(errors["steps[4].params.textDescription"]).toMatch(/not a URL field/);
    expect(errors["steps[5].params.images[0]"]).toMatch(/not a reference/);
    expect(errors["steps[5].params.images[1]"]).toMatch(/needs `each`/);
    expect(errors["steps[6].params.images[0]"]).toMatch(/at most 1 outputs/);
    expect(await pipelineCount()).toBe(before);
    expect(h.sim.tasks()).toHaveLength(0);
  });

  it("refuses cycles through after, a step naming itself, and each of an unknown or later step", async () => {
    const errors = await refused({
      steps: [
        seedream("a", {}, { after: ["b"] }),
        seedream("b", {}, { after: ["a", "b"] }),
        seedance("c", { images: ["{{each.url}}"] }, { each: "d" }),
      ],
    });
    expect(Object.keys(errors).sort()).toEqual([
      "steps[0].after[0]",
      "steps[1].after[0]",
      "steps[1].after[1]",
      "steps[2].each",
    ]);
    expect(errors["steps[0].after[0]"]).toMatch(/cycle/);
    expect(errors["steps[1].after[1]"]).toMatch(/its own step/);
    expect(errors["steps[2].each"]).toMatch(/names no step/);
  });

  it("limits steps to 1-20 and a step's fan-out to 16 jobs", async () => {
    expect(await refused({ steps: [] })).toEqual({ steps: "needs at least 1 step" });
    expect(Object.keys(await refused({ steps: Array.from({ length: 21 }, (_, i) => seedream(`s${i}`)) }))).toEqual([
      "steps",
    ]);
    const errors = await refused({
      steps: [
        seedream("four", { batchCount: 4 }),
        seedream("each4x8", { images: ["{{each.url}}"], batchCount: 8 }, { each: "four" }),
        seedance("clips", { images: ["{{each.url}}"] }, { each: "each4x8" }),
      ],
    });
    expect(errors).toEqual({ "steps[2].each": "step each4x8 can make up to 32 outputs; a step runs at most 16 jobs" });
  });

  it("needs PUBLIC_BASE_URL for references and names the setting", () => {
    const ctx = { allowLoopbackHttp: false, webhooksEnabled: true, publicBaseUrl: false };
    const { spec, errors } = validatePipeline({ steps: [STILL, CLIP] }, ctx);
    expect(spec).toBeUndefined();
    expect(errors).toEqual([
      { path: "steps[1].params.images[0]", message: expect.stringContaining("PUBLIC_BASE_URL") },
    ]);
    // without references the setting is not needed
    expect(validatePipeline({ steps: [STILL] }, ctx).spec).toBeDefined();
  });

  it("accepts references anywhere in arrays, after for order, and keeps what it stores", async () => {
    const { status, body } = await postPipeline({
      steps: [
        seedream("a"),
        seedream("b", {}, { after: ["a"] }),
        seedance("c", { images: [ref("a"), "https://images.example.com/x.png", ref("b")] }),
      ],
      metadata: { order: "42" },
      tags: ["spring", "shop:eu"],
      deadline: "2099-01-01T00:00:00Z",
    });
    expect(status).toBe(202);
    expect(body).toMatchObject({
      metadata: { order: "42" },
      tags: ["spring", "shop:eu"],
      deadline: "2099-01-01T00:00:00.000Z",
    });
    expect(body.steps.map((s) => s.id)).toEqual(["a", "b", "c"]);
    await api(`/v1/pipelines/${body.id}/cancel`, { method: "POST" });
  });
});
