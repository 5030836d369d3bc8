import { describe, expect, it } from "vitest";
import {
  body,
  harness,
  ORIGIN,
  SEEDANCE_RUN,
  WESHOP_KEY,
  weshopRequest,
  weshopSubmit,
  wiroRequest,
  wiroRun,
} from "./helpers.ts";

const control = (path: string, method = "GET", payload?: unknown) =>
  new Request(`${ORIGIN}/__sim${path}`, { method, body: payload === undefined ? undefined : JSON.stringify(payload) });

describe("control endpoints", () => {
  it("health, faults (single and array, validated), requests, tasks, reset", async () => {
    const { sim } = harness();
    expect(await body(await sim.fetch(control("/health")))).toMatchObject({ ok: true, origin: ORIGIN });

    const bad = await sim.fetch(control("/faults", "POST", { target: "media", kind: "run_failed" }));
    expect(bad.status).toBe(400);
    expect(
      await sim.fetch(control("/faults", "POST", { target: "weshop.submit", kind: "http500" })).then((r) => r.status),
    ).toBe(200);
    await sim.fetch(
      control("/faults", "POST", [
        { target: "weshop.poll", kind: "http503", times: 2 },
        { target: "media", kind: "gzip" },
      ]),
    );
    expect(await body(await sim.fetch(control("/faults")))).toHaveLength(3);
    await sim.fetch(control("/faults", "DELETE"));
    expect(await body(await sim.fetch(control("/faults")))).toEqual([]);

    await weshopSubmit(sim, SEEDANCE_RUN, { "Idempotency-Key": "abc" });
    await wiroRun(sim);
    const requests = await body(await sim.fetch(control("/requests")));
    expect(requests.map((r: { target: string }) => r.target)).toEqual(["weshop.submit", "wiro.run"]);
    expect(requests[0]).toMatchObject({
      method: "POST",
      path: "/weshop/openapi/agent/runs",
      headers: { authorization: WESHOP_KEY, "idempotency-key": "abc" },
    });
    expect(JSON.parse(requests[0].body)).toEqual(SEEDANCE_RUN);
    const tasks = await body(await sim.fetch(control("/tasks")));
    expect(tasks.map((t: { provider: string }) => t.provider)).toEqual(["weshop", "wiro"]);

    const held = sim.requests;
    await sim.fetch(control("/reset", "POST"));
    expect(sim.tasks()).toEqual([]);
    expect(held).toHaveLength(0);
    expect((await sim.fetch(weshopRequest(`/agent/runs/${tasks[0].id}`))).status).toBe(404);
  });

  it("tasks() lists both providers in creation order", async () => {
    const { sim } = harness();
    await wiroRun(sim);
    await weshopSubmit(sim, SEEDANCE_RUN);
    await wiroRun(sim);
    expect(sim.tasks().map((t) => t.provider)).toEqual(["wiro", "weshop", "wiro"]);
  });

  it("unknown provider routes and models answer in the provider's envelope and are not captured", async () => {
    const { sim } = harness();
    const a = await sim.fetch(weshopRequest("/agent/nope"));
    expect(a.status).toBe(404);
    expect((await body(a)).success).toBe(false);
    // an unknown endpoint is a 404; a model Wiro does not have is code 1 (Wiro-Docs error-reference.md)
    const b = await sim.fetch(new Request(`${ORIGIN}/wiro/v1/Task/Other`, { method: "POST" }));
    expect(b.status).toBe(404);
    expect((await body(b)).result).toBe(false);
    const c = await sim.fetch(await wiroRequest("/Run/Other/model", {}));
    expect(await body(c)).toEqual({ result: false, errors: [{ code: 1, message: "slug-owner-project-not-exist" }] });
    expect(sim.requests).toHaveLength(0);
  });
});
