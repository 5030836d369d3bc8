// Costs a user can see: quotes before anything runs, each job's estimate and actual (on the job,
// in listings and in webhooks), a batch's sums, and usage from the index for the caller only.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect } from "vitest";
import { batchJobId } from "../../src/batches/batch-client.ts";
import { messageId } from "../../src/webhooks/events.ts";
import { requestsTo } from "../reliability/support.ts";
import { putLimits } from "../support/costs.ts";
import { it } from "../support/fixture.ts";
import { api, createJob, driveJob, fireDelivery, getJob, HOOK_ORIGIN, KEY_B } from "../support/harness.ts";

it.afterEach(async () => {
  await putLimits([]);
});

const WIRO = "wiro/ByteDance/text-to-video-seedance-v1";
type Cost = {
  estimate: { unit: string; amount: number; source: string } | null;
  actual: { unit: string; amount: number } | null;
};
const costOf = async (id: string, key?: string) => (await getJob(id, key)).cost as Cost;

describe("POST /v1/quotes", () => {
  it("quotes one spec from WeShop's power estimate and creates nothing", async ({ h }) => {
    const res = await api("/v1/quotes", {
      json: { model: "weshop/seedream", params: { textDescription: "quote me", batchCount: 3 } },
    });
    expect(res.status).toBe(200);
    // the simulator charges Seedream Pro 10 power per image
    expect(await res.json()).toEqual({
      total: [{ unit: "weshop_power", amount: 30 }],
      jobs: [
        { model: "weshop/seedream", estimate: { unit: "weshop_power", amount: 30, source: "provider", exact: true } },
      ],
    });
    expect(requestsTo(h, "weshop.submit")).toEqual([]);
    const body = JSON.parse(requestsTo(h, "weshop.estimate").at(-1)?.body ?? "{}") as {
      agent?: unknown;
      params?: { modelName?: string };
    };
    expect(body).toMatchObject({
      agent: { name: "seedream", version: "v1.0" },
      params: { modelName: "Seedream_50_Pro" },
    });
    expect(
      (await env.DB.prepare("SELECT COUNT(*) AS n FROM jobs WHERE price_key LIKE '%quote me%'").first<{ n: number }>())!
        .n,
    ).toBe(0);
  });

  it("quotes a batch: totals per unit, Wiro from the price table, one provider call per configuration", async ({
    h,
  }) => {
    const jobs = [
      ...Array.from({ length: 4 }, (_, i) => ({
        model: "weshop/seedream",
        params: { textDescription: `poster ${i}`, aspectRatio: "21:9", batchCount: 5 },
      })),
      { model: WIRO, params: { prompt: "a", resolution: "720p", duration: 10 } },
      { model: WIRO, params: { prompt: "b", resolution: "480p", duration: 5 } },
    ];
    const before = requestsTo(h, "weshop.estimate").length;
    const res = await api("/v1/quotes", { json: { jobs } });
    expect(res.status).toBe(200);
    const quote = (await res.json()) as { total: unknown; jobs: { estimate: Cost["estimate"] }[] };
    expect(quote.total).toEqual([
      { unit: "usd", amount: 0.32 },
      { unit: "weshop_power", amount: 200 },
    ]);
    expect(quote.jobs.map((j) => j.estimate?.source)).toEqual([
      "provider",
      "provider",
      "provider",
      "provider",
      "price_table",
      "price_table",
    ]);
    // four prompts of one configuration are one estimate; asking again is answered from the cache
    expect(requestsTo(h, "weshop.estimate").length - before).toBe(1);
    expect((await api("/v1/quotes", { json: { jobs } })).status).toBe(200);
    expect(requestsTo(h, "weshop.estimate").length - before).toBe(1);
    expect(requestsTo(h, "weshop.submit")).toEqual([]);
    expect(requestsTo(h, "wiro.run")).toEqual([]);
  });

  it("refuses a bad spec by path, asking no provider", async ({ h }) => {
    const res = await api("/v1/quotes", {
      json: {
        jobs: [
          { model: "weshop/seedream", params: {} },
          { model: "nope", params: {} },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      "jobs[0].params.textDescription",
      "jobs[1].model",
    ]);
    expect(h.sim.requests).toEqual([]);
  });
});

describe("a job's cost", () => {
  it("shows the estimate at creation and WeShop's powerConsumption at the end, in the job, the listing and the webhook", async ({
    h,
  }) => {
    const { id, body } = await createJob({
      model: "weshop/seedream",
      params: { textDescription: "a fox", batchCount: 2 },
      webhookUrl: `${HOOK_ORIGIN}/costs`,
    });
    expect(body.cost).toEqual({
      estimate: { unit: "weshop_power", amount: 20, source: "provider", exact: true },
      actual: null,
    });
    const job = await driveJob(h, id);
    expect(job.status).toBe("succeeded");
    expect(await costOf(id)).toEqual({
      estimate: { unit: "weshop_power", amount: 20, source: "provider", exact: true },
      actual: { unit: "weshop_power", amount: 20 },
    });
    const listed = (await (await api("/v1/jobs?limit=100")).json()) as { data: { id: string; cost: Cost }[] };
    expect(listed.data.find((j) => j.id === id)?.cost.actual).toEqual({ unit: "weshop_power", amount: 20 });
    await fireDelivery(messageId(id, "job.succeeded"));
    const hook = h.webhooks.find((w) => w.url.endsWith("/costs"));
    expect((JSON.parse(hook!.body) as { data: { cost: Cost } }).data.cost.actual).toEqual({
      unit: "weshop_power",
      amount: 20,
    });
  });

  it("shows Wiro's totalcost in USD, and 0 for a failed task", async ({ h }) => {
    const good = await createJob({ model: WIRO, params: { prompt: "waves", resolution: "720p", duration: 5 } });
    expect(good.body.cost).toMatchObject({ estimate: { unit: "usd", amount: 0.13 } });
    expect((await driveJob(h, good.id)).status).toBe("succeeded");
    expect((await costOf(good.id)).actual).toEqual({ unit: "usd", amount: 0.13 });
    h.sim.inject({ target: "wiro.run", kind: "run_failed" });
    const bad = await createJob({ model: WIRO, params: { prompt: "fails", resolution: "720p", duration: 10 } });
    expect((await driveJob(h, bad.id)).status).toBe("failed");
    expect(await costOf(bad.id)).toEqual({
      estimate: { unit: "usd", amount: 0.26, source: "price_table", exact: true },
      actual: { unit: "usd", amount: 0 },
    });
  });

  it("costs nothing when the job is canceled before it reaches the provider", async ({ h }) => {
    h.sim.inject({ target: "weshop.submit", kind: "http503", times: 5 });
    const { id } = await createJob({ model: "weshop/seedream", params: { textDescription: "never mind" } });
    expect((await api(`/v1/jobs/${id}/cancel`, { method: "POST" })).status).toBe(200);
    expect((await costOf(id)).actual).toEqual({ unit: "weshop_power", amount: 0 });
  });
});

describe("Wiro quotes refined by history", () => {
  it("after three successful runs of one configuration, its quote is what they actually cost", async ({ h }) => {
    const params = { resolution: "720p", duration: 10, ratio: "9:21", camerafixed: true };
    const quote = async () =>
      (
        (await (await api("/v1/quotes", { json: { model: WIRO, params: { prompt: "q", ...params } } })).json()) as {
          jobs: { estimate: Cost["estimate"] }[];
        }
      ).jobs[0]!.estimate;
    expect(await quote()).toEqual({ unit: "usd", amount: 0.26, source: "price_table", exact: true });
    for (let i = 0; i < 3; i++) {
      const { id } = await createJob({ model: WIRO, params: { prompt: `history ${i}`, ...params } });
      expect((await driveJob(h, id)).status).toBe("succeeded");
    }
    expect(await quote()).toEqual({ unit: "usd", amount: 0.26, source: "history", exact: true });
  });
});

describe("usage and batch sums", () => {
  it("usage sums equal the sum of the jobs' actual costs, and another key sees none of it", async ({ h }) => {
    const jobs = [
      { model: WIRO, params: { prompt: "one", resolution: "480p", duration: 5 } },
      { model: WIRO, params: { prompt: "two", resolution: "720p", duration: 10 } },
      { model: "weshop/seedream", params: { textDescription: "three", batchCount: 1 } },
    ];
    const res = await api("/v1/batches", { json: { jobs, webhookUrl: `${HOOK_ORIGIN}/batch-costs` } });
    expect(res.status).toBe(202);
    const batchId = ((await res.json()) as { id: string }).id;
    const ids = await Promise.all(jobs.map((_, i) => batchJobId(batchId, i)));
    h.jobs.push(...ids);
    await runInDurableObject(env.BATCHES.get(env.BATCHES.idFromName(batchId)), (i) =>
      (i as unknown as { alarm(): Promise<void> }).alarm(),
    );
    for (const id of ids) expect((await driveJob(h, id)).status).toBe("succeeded");
    // each job's actual, as the jobs themselves show it
    const actuals = await Promise.all(ids.map(async (id) => (await costOf(id)).actual!));
    const sum = (unit: string) =>
      Math.round(actuals.filter((a) => a.unit === unit).reduce((s, a) => s + a.amount * 1e6, 0)) / 1e6;
    expect([sum("usd"), sum("weshop_power")]).toEqual([0.32, 10]);

    const usage = async (query: string, key?: string) =>
      (
        (await (await api(`/v1/usage?${query}`, { key })).json()) as {
          data: { key: string | null; unit: string; amount: number; jobs: number }[];
        }
      ).data;
    expect((await usage("groupBy=batch&from=2000-01-01")).filter((r) => r.key === batchId)).toEqual([
      { key: batchId, unit: "usd", amount: 0.32, jobs: 2 },
      { key: batchId, unit: "weshop_power", amount: 10, jobs: 1 },
    ]);
    const byModel = await usage("groupBy=model&from=2000-01-01");
    expect(byModel.find((r) => r.key === WIRO)?.amount).toBeGreaterThanOrEqual(0.32);
    const today = new Date().toISOString().slice(0, 10);
    const byDay = await usage(`groupBy=day&from=${today}`);
    expect(byDay.map((r) => r.key)).toEqual(byDay.map(() => today));

    const batch = (await (await api(`/v1/batches/${batchId}`)).json()) as { cost: unknown };
    expect(batch.cost).toEqual({
      estimate: [
        { unit: "usd", amount: 0.32 },
        { unit: "weshop_power", amount: 10 },
      ],
      actual: [
        { unit: "usd", amount: 0.32 },
        { unit: "weshop_power", amount: 10 },
      ],
    });
    // batch.completed carries the same sums
    await runInDurableObject(env.BATCHES.get(env.BATCHES.idFromName(batchId)), (i) =>
      (i as unknown as { alarm(): Promise<void> }).alarm(),
    );
    await fireDelivery(`msg_${batchId.slice(6)}_completed`);
    const completed = h.webhooks.find((w) => w.url.endsWith("/batch-costs"));
    expect((JSON.parse(completed!.body) as { data: { cost: unknown } }).data.cost).toEqual(batch.cost);
    expect((await usage("groupBy=batch&from=2000-01-01", KEY_B)).filter((r) => r.key === batchId)).toEqual([]);
    expect((await api(`/v1/batches/${batchId}`, { key: KEY_B })).status).toBe(404);
  });

  it("refuses a bad usage query by path", async () => {
    const res = await api("/v1/usage?groupBy=week&from=yesterday&extra=1");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual([
      "extra",
      "from",
      "groupBy",
    ]);
  });
});
