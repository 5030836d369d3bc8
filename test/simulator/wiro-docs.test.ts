// Wiro facts from Wiro-Docs (tasks.md, error-reference.md, run-a-model.md) the seed did not state.
import { describe, expect, it } from "vitest";
import { body, harness, ORIGIN, WIRO_RUN, WIRO_RUN_PATH, wiroDetail, wiroRequest, wiroRun } from "./helpers.ts";

describe("Wiro Task/Detail", () => {
  it('bills only a successful task: totalcost in USD when pexit is 0, "0" when it failed', async () => {
    const h = harness();
    const good = await wiroRun(h.sim);
    h.sim.inject({ target: "wiro.run", kind: "run_failed" });
    const bad = await wiroRun(h.sim);
    expect((await wiroDetail(h.sim, good.socketaccesstoken)).totalcost).toBe("0");
    h.advance(10_000);
    const [ok, failed] = [
      await wiroDetail(h.sim, good.socketaccesstoken),
      await wiroDetail(h.sim, bad.socketaccesstoken),
    ];
    expect(ok).toMatchObject({
      pexit: "0",
      modelslugowner: "ByteDance",
      modelslugproject: "text-to-video-seedance-v1",
    });
    expect(Number(ok.totalcost)).toBeGreaterThan(0);
    expect(failed).toMatchObject({ status: "task_postprocess_end", pexit: "1", totalcost: "0" });
  });

  it("finds a task by tasktoken, by taskid and by socketaccesstoken", async () => {
    const { sim } = harness();
    const run = await wiroRun(sim);
    for (const ref of [
      { tasktoken: run.socketaccesstoken },
      { taskid: run.taskid },
      { socketaccesstoken: run.socketaccesstoken },
    ]) {
      const data = await body(await sim.fetch(await wiroRequest("/Task/Detail", ref)));
      expect(data.tasklist[0].id).toBe(run.taskid);
    }
  });
});

describe("Wiro routes and bodies, as Wiro-Docs error-reference.md lists them", () => {
  it("another model → code 1 slug-owner-project-not-exist; an unknown endpoint → code 0 at HTTP 404; a body that is not JSON → code 0", async () => {
    const { sim } = harness();
    const other = await sim.fetch(await wiroRequest("/Run/ByteDance/no-such-model", WIRO_RUN));
    expect(await body(other)).toEqual({
      result: false,
      errors: [{ code: 1, message: "slug-owner-project-not-exist" }],
    });
    const route = await sim.fetch(await wiroRequest("/Task/Nope", {}));
    expect(route.status).toBe(404);
    expect(await body(route)).toEqual({ result: false, errors: [{ code: 0, message: "Error parsing url." }] });
    const req = await wiroRequest(WIRO_RUN_PATH, {});
    const broken = await sim.fetch(new Request(req, { body: "{not json" }));
    expect(await body(broken)).toEqual({
      result: false,
      errors: [{ code: 0, message: "Request parameters are invalid." }],
    });
    expect(sim.tasks()).toHaveLength(0);
  });

  it("a Run of another model authenticates first: without valid credentials it is code 0 at HTTP 401, as on every endpoint", async () => {
    const { sim } = harness();
    const unsigned = await sim.fetch(
      new Request(`${ORIGIN}/wiro/v1/Run/ByteDance/no-such-model`, { method: "POST", body: JSON.stringify(WIRO_RUN) }),
    );
    const badSignature = await sim.fetch(
      await wiroRequest("/Run/ByteDance/no-such-model", WIRO_RUN, { signature: "0".repeat(64) }),
    );
    const unknownKey = await sim.fetch(
      await wiroRequest("/Run/ByteDance/no-such-model", WIRO_RUN, { key: "not-a-key" }),
    );
    for (const res of [unsigned, badSignature, unknownKey]) {
      expect(res.status).toBe(401);
      const data = await body(res);
      expect(data.result).toBe(false);
      expect(data.errors[0].code).toBe(0);
    }
  });
});
