// The simulator's prices: Wiro's published dynamicprice (Tool/Detail) and the totalcost it charges
// by it, WeShop's power balance drawn down by each run, and estimates that can be made unavailable.
import { describe, expect, it } from "vitest";
import {
  body,
  harness,
  seedreamRun,
  weshopRequest,
  weshopSubmit,
  wiroDetail,
  wiroRequest,
  wiroRun,
} from "./helpers.ts";

describe("Wiro pricing", () => {
  it("publishes dynamicprice by resolution and duration, and charges a successful task by it", async () => {
    const h = harness();
    const tool = await body(
      await h.sim.fetch(
        await wiroRequest("/Tool/Detail", { slugowner: "ByteDance", slugproject: "text-to-video-seedance-v1" }),
      ),
    );
    expect(tool.result).toBe(true);
    const table = JSON.parse(tool.tool[0].dynamicprice) as { inputs: Record<string, string>; price: number }[];
    expect(table).toContainEqual({ inputs: { resolution: "720p", duration: "10" }, price: 0.26, priceMethod: "cpr" });
    const run = await wiroRun(h.sim, { resolution: "720p", duration: "10" });
    h.advance(10_000);
    expect(Number((await wiroDetail(h.sim, run.socketaccesstoken)).totalcost)).toBe(0.26);
    const other = await body(
      await h.sim.fetch(await wiroRequest("/Tool/Detail", { slugowner: "nobody", slugproject: "nothing" })),
    );
    expect(other).toMatchObject({ result: false, errors: [{ code: 1 }] });
  });
});

describe("WeShop power", () => {
  it("reports powerConsumption and a balance that each run draws down", async () => {
    const { sim } = harness();
    const first = await weshopSubmit(sim, seedreamRun({ batchCount: 2 }));
    const second = await weshopSubmit(sim, seedreamRun({ batchCount: 2 }));
    expect(first.data.powerConsumption).toBeGreaterThan(0);
    expect(second.data.powerBalanceAmount).toBe(first.data.powerBalanceAmount - second.data.powerConsumption);
  });

  it("a fault makes estimates unavailable while it lasts; runs are not affected", async () => {
    const { sim } = harness();
    sim.inject({ target: "weshop.estimate", kind: "http503", times: 2 });
    for (let i = 0; i < 2; i++)
      expect((await sim.fetch(weshopRequest("/agent/power-estimates", { body: seedreamRun() }))).status).toBe(503);
    expect((await weshopSubmit(sim, seedreamRun())).success).toBe(true);
    expect(
      (await body(await sim.fetch(weshopRequest("/agent/power-estimates", { body: seedreamRun() })))).success,
    ).toBe(true);
  });
});
