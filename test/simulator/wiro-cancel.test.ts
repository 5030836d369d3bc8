// Wiro's two ways to stop a task (split from wiro.test.ts): Cancel while queued, Kill once assigned.
import { describe, expect, it } from "vitest";
import { body, harness, wiroDetail, wiroRequest, wiroRun } from "./helpers.ts";

describe("Wiro Cancel vs Kill", () => {
  const call = async (h: ReturnType<typeof harness>, op: "Cancel" | "Kill", ref: Record<string, string>) =>
    body(await h.sim.fetch(await wiroRequest(`/Task/${op}`, ref)));

  it("Cancel works only while queued; Kill refuses a queued task", async () => {
    const h = harness({ wiro: 10000 });
    const run = await wiroRun(h.sim);
    expect(await call(h, "Kill", { tasktoken: run.socketaccesstoken })).toMatchObject({
      result: false,
      errors: [{ code: 1 }],
    });
    expect(await call(h, "Cancel", { tasktoken: run.socketaccesstoken })).toEqual({ result: true, errors: [] });
    expect((await wiroDetail(h.sim, run.socketaccesstoken)).status).toBe("task_cancel");
    h.advance(20000);
    expect((await wiroDetail(h.sim, run.socketaccesstoken)).status).toBe("task_cancel");
    expect(h.sim.tasks()[0]?.canceledAt).toBeDefined();
  });

  it("Cancel refuses once accepted; Kill works once assigned (taskid form) and not after the end", async () => {
    const h = harness({ wiro: 10000 });
    const a = await wiroRun(h.sim);
    const b = await wiroRun(h.sim);
    h.advance(1500); // task_preprocess_start
    expect((await wiroDetail(h.sim, a.socketaccesstoken)).status).toBe("task_preprocess_start");
    expect(await call(h, "Cancel", { tasktoken: a.socketaccesstoken })).toEqual({
      result: false,
      errors: [{ code: 1, message: "Task is not in a cancellable state." }],
    });
    // accepted and preprocessing, not yet assigned to a worker: Kill does not take yet
    expect(await call(h, "Kill", { taskid: a.taskid })).toEqual({
      result: false,
      errors: [{ code: 1, message: expect.stringMatching(/^Task could not be killed: .*not assigned/) }],
    });
    h.advance(1000); // task_assign
    expect(await call(h, "Kill", { taskid: a.taskid })).toEqual({ result: true, errors: [] });
    expect((await wiroDetail(h.sim, a.socketaccesstoken)).status).toBe("task_cancel");
    h.advance(10000);
    expect((await call(h, "Kill", { tasktoken: b.socketaccesstoken })).errors[0].message).toMatch(
      /^Task could not be killed: .*ended/,
    );
    expect((await wiroDetail(h.sim, b.socketaccesstoken)).status).toBe("task_postprocess_end");
    expect(h.sim.tasks().find((t) => t.id === a.taskid)?.killedAt).toBeDefined();
  });

  it("Kill keeps working through the whole run after task_assign, up to post-processing", async () => {
    const h = harness({ wiro: 10000 });
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await wiroRun(h.sim));
    const seen: string[] = [];
    // all five were created together: at each of these times one is killed
    const at = [2700, 4000, 7000, 9200, 9700];
    let elapsed = 0;
    for (const [i, run] of runs.entries()) {
      h.advance(at[i]! - elapsed);
      elapsed = at[i]!;
      seen.push((await wiroDetail(h.sim, run.socketaccesstoken)).status);
      expect(await call(h, "Kill", { taskid: run.taskid })).toEqual({ result: true, errors: [] });
      expect((await wiroDetail(h.sim, run.socketaccesstoken)).status).toBe("task_cancel");
    }
    expect(seen).toEqual(["task_assign", "task_start", "task_output", "task_end", "task_postprocess_start"]);
  });

  it("names the task by taskid or tasktoken, Kill also by socketaccesstoken; the documented errors otherwise", async () => {
    const h = harness({ wiro: 10000 });
    const queued = [await wiroRun(h.sim), await wiroRun(h.sim)];
    expect(await call(h, "Cancel", { taskid: queued[0]!.taskid })).toEqual({ result: true, errors: [] });
    expect(await call(h, "Cancel", { tasktoken: queued[1]!.socketaccesstoken })).toEqual({ result: true, errors: [] });
    const running = [await wiroRun(h.sim), await wiroRun(h.sim)];
    // Wiro's own client does not send socketaccesstoken to Cancel; nothing says it is taken there
    expect(await call(h, "Cancel", { socketaccesstoken: running[0]!.socketaccesstoken })).toEqual({
      result: false,
      errors: [{ code: 0, message: "taskid or tasktoken is required" }],
    });
    h.advance(5000);
    expect(await call(h, "Kill", { socketaccesstoken: running[0]!.socketaccesstoken })).toEqual({
      result: true,
      errors: [],
    });
    expect(await call(h, "Kill", { tasktoken: running[1]!.socketaccesstoken })).toEqual({ result: true, errors: [] });
    for (const run of [...queued, ...running])
      expect((await wiroDetail(h.sim, run.socketaccesstoken)).status).toBe("task_cancel");
    expect(await call(h, "Kill", {})).toEqual({
      result: false,
      errors: [{ code: 0, message: "taskid, tasktoken or socketaccesstoken is required" }],
    });
    expect(await call(h, "Kill", { taskid: "999999" })).toEqual({
      result: false,
      errors: [{ code: 1, message: "There is no task yet." }],
    });
    expect(await call(h, "Cancel", { tasktoken: "nope" })).toEqual({
      result: false,
      errors: [{ code: 1, message: "There is no task yet." }],
    });
  });
});
