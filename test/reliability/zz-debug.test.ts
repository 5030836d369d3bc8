import { runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, it } from "vitest";
import { createJob, driveJob, jobStub, startHarness, type Harness } from "../helpers.ts";
import { firstStep, SEEDREAM, stepAlarm } from "./support.ts";
let h: Harness;
beforeEach(() => { h = startHarness(); });
afterEach(async () => { await h.stop(); });
it("debug", async () => {
  for (let i = 0; i < 4; i++) {
    const { id } = await createJob(SEEDREAM);
    const t0 = Date.now();
    const j = await firstStep(id);
    const alarm = await runInDurableObject(jobStub(id), (_, s) => s.storage.getAlarm());
    console.log("status", j.status, "nextAt-now", j.nextAt - t0, "expected", j.expectedRunMs, "alarm", alarm, "polls", h.sim.requests.filter(r=>r.target==="weshop.poll").length);
    const before = h.sim.requests.length;
    const s = await stepAlarm(id);
    console.log("step requests", h.sim.requests.slice(before).map(r => r.target + " " + r.at), s.job.polls);
    await driveJob(h, id);
  }
});
