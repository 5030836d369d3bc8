// WeShop marks some power estimates `isEstimated` (Seedance 2.5 with `duration: "-1"`: the model
// picks the length). Such a quote says `exact: false`, and a job is reserved at the most the
// model's rules let it cost (WeShop's quote for the longest duration), so a run that comes out
// longer than the estimate still stays within a budget limit.
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { committed, leaveRoom, putLimits, round } from "../support/costs.ts";
import { api, createJob, driveJob, getJob, type Harness, startHarness } from "../support/harness.ts";

/** The simulator's Seedance 2.5 power: 8 per second; its estimate for "-1" guesses 10 s; the rules allow up to 30 s. */
const PER_SECOND = 8;
const RUN_SECONDS = 25;
const AUTO = { model: "weshop/seedance-25", params: { textDescription: "a wave breaking", duration: "-1" } };

let h: Harness;
beforeEach(() => {
  // the model chooses 25 s: longer than the estimate's 10 s guess
  h = startHarness(undefined, { weshopAutoSeconds: RUN_SECONDS });
});
afterEach(async () => {
  await putLimits([]);
  await h.stop();
});

interface Estimate {
  unit: string;
  amount: number;
  source: string;
  exact: boolean;
  quoted?: number;
}

describe("an approximate WeShop quote (isEstimated)", () => {
  it("says exact: false, with WeShop's own figure, and the amount of the longest run the rules allow", async () => {
    const res = await api("/v1/quotes", {
      json: { jobs: [AUTO, { ...AUTO, params: { ...AUTO.params, duration: "8s" } }] },
    });
    expect(res.status).toBe(200);
    const { jobs } = (await res.json()) as { jobs: { estimate: Estimate }[] };
    expect(jobs[0]!.estimate).toEqual({
      unit: "weshop_power",
      amount: 30 * PER_SECOND,
      source: "provider",
      exact: false,
      quoted: 10 * PER_SECOND,
    });
    expect(jobs[1]!.estimate).toEqual({
      unit: "weshop_power",
      amount: 8 * PER_SECOND,
      source: "provider",
      exact: true,
    });
    const spec = (await (await api("/openapi.json")).json()) as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    expect(Object.keys(spec.components.schemas.CostEstimate!.properties)).toEqual(
      expect.arrayContaining(["exact", "quoted"]),
    );
  });

  it("a run longer than its estimate stays within the limit: the reservation is the longest run's, not the guess", async () => {
    // room for one longest run (240) and a bit; the estimate's guess (80) would have let three in
    const room = 30 * PER_SECOND + 60;
    const before = await committed("weshop_power");
    await leaveRoom("weshop_power", room);
    const first = await createJob(AUTO);
    // reserved at the guess, a second and a third job would be let in, and their runs would pass the limit
    expect((await api("/v1/jobs", { json: AUTO })).status).toBe(402);
    expect((await api("/v1/jobs", { json: AUTO })).status).toBe(402);
    expect((first.body.cost as { estimate: Estimate }).estimate).toMatchObject({
      amount: 30 * PER_SECOND,
      exact: false,
    });

    const done = await driveJob(h, first.id);
    expect(done.status).toBe("succeeded");
    // the run came out longer than WeShop's estimate...
    expect(done.cost?.actual).toEqual({ unit: "weshop_power", amount: RUN_SECONDS * PER_SECOND });
    expect(done.cost!.actual!.amount).toBeGreaterThan(done.cost!.estimate!.quoted!);
    // ...and what the tenant spent, once settled, is within the limit
    await runInDurableObject(env.JOBS.get(env.JOBS.idFromName(first.id)), (instance) =>
      (instance as unknown as { alarm(): Promise<void> }).alarm(),
    );
    const spent = round((await committed("weshop_power")) - before);
    expect(spent).toBe(RUN_SECONDS * PER_SECOND);
    expect(spent).toBeLessThanOrEqual(room);
    expect((await getJob(first.id)).cost).toMatchObject({ estimate: { exact: false, quoted: 10 * PER_SECOND } });
  });
});
