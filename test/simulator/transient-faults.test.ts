// The transient answers the real providers give (docs/providers.md, "What the official clients show"),
// as faults: each answers once in the provider's own shape, creates nothing, and the endpoint recovers.
import { describe, expect, it } from "vitest";
import {
  body,
  harness,
  SEEDANCE_RUN,
  WIRO_RUN,
  WIRO_RUN_PATH,
  weshopRequest,
  weshopSubmit,
  wiroDetail,
  wiroRequest,
  wiroRun,
} from "./helpers.ts";

describe("WeShop's older numeric codes, with HTTP 200", () => {
  it.each([
    [
      "concurrency_limit",
      { success: false, error: { code: 40005, message: "Concurrency limit reached, please retry later" } },
    ],
    ["system_error", { code: 50001, msg: "System error, please retry" }],
  ] as const)(
    "%s on submit: HTTP 200 in its envelope, no run created, the next submit goes through",
    async (kind, answer) => {
      const { sim } = harness();
      sim.inject({ target: "weshop.submit", kind });
      const res = await sim.fetch(weshopRequest("/agent/runs", { body: SEEDANCE_RUN }));
      expect(res.status).toBe(200);
      expect(await body(res)).toEqual(answer);
      expect(sim.tasks()).toHaveLength(0);
      expect((await weshopSubmit(sim, SEEDANCE_RUN)).success).toBe(true);
      expect(sim.tasks()).toHaveLength(1);
    },
  );

  it.each(["concurrency_limit", "system_error"] as const)(
    "%s on a poll answers once; the run is unaffected",
    async (kind) => {
      const { sim } = harness();
      const { data } = await weshopSubmit(sim, SEEDANCE_RUN);
      sim.inject({ target: "weshop.poll", kind });
      const first = await body(await sim.fetch(weshopRequest(`/agent/runs/${data.executionId}`)));
      expect(first.success).not.toBe(true);
      expect(first.code ?? first.error.code).toBe(kind === "concurrency_limit" ? 40005 : 50001);
      const second = await body(await sim.fetch(weshopRequest(`/agent/runs/${data.executionId}`)));
      expect(second).toMatchObject({ success: true, data: { executions: [{ executionId: data.executionId }] } });
    },
  );
});

describe("Wiro Task/Detail transient answers", () => {
  it.each([
    ["server_error", 200, { code: 0, message: "An unexpected error occurred, please try again" }],
    ["no_task_yet", 200, { code: 1, message: "There is no task yet." }],
    ["http429", 429, { code: 0, message: "Too many requests" }],
  ] as const)("%s: HTTP %i with the error envelope once, then the task's detail", async (kind, status, error) => {
    const { sim } = harness();
    const run = await wiroRun(sim);
    sim.inject({ target: "wiro.detail", kind });
    const res = await sim.fetch(await wiroRequest("/Task/Detail", { tasktoken: run.socketaccesstoken }));
    expect(res.status).toBe(status);
    expect(await body(res)).toEqual({ result: false, errors: [error] });
    expect((await wiroDetail(sim, run.socketaccesstoken)).status).toBe("task_queue");
  });

  it("http429 on Run carries Retry-After when given and creates no task", async () => {
    const { sim } = harness();
    sim.inject({ target: "wiro.run", kind: "http429", retryAfter: 3 });
    const res = await sim.fetch(await wiroRequest(WIRO_RUN_PATH, WIRO_RUN));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    expect(sim.tasks()).toHaveLength(0);
  });

  it("the transient kinds apply only where the real API gives them", () => {
    const { sim } = harness();
    expect(() => sim.inject({ target: "weshop.upload", kind: "system_error" })).toThrow();
    expect(() => sim.inject({ target: "wiro.detail", kind: "concurrency_limit" })).toThrow();
    expect(() => sim.inject({ target: "weshop.poll", kind: "no_task_yet" })).toThrow();
    expect(() => sim.inject({ target: "wiro.run", kind: "no_task_yet" })).toThrow();
  });
});
