// Budgets nobody can overspend: admission reserves estimates atomically per tenant, refuses with
// 402 before anything is created or sent, settles to the actual cost at the end, and never spends
// blind (503 when a limit exists and no quote can be had). Schedules over budget start nothing.
import { env, runInDurableObject } from "cloudflare:test";
import { Validator } from "@cfworker/json-schema";
import { describe, expect } from "vitest";
import { batchJobId } from "../../src/batches/batch-client.ts";
import { STALE_MS } from "../../src/budgets/budget-object.ts";
import { openapiDocument } from "../../src/http/app.ts";
import { weshopRunKey } from "../../src/providers/weshop-run.ts";
import { runDueSchedules } from "../../src/schedules/schedules.ts";
import { requestsTo } from "../reliability/support.ts";
import { budget, committed, leaveRoom, problem, putLimits, round } from "../support/costs.ts";
import { it } from "../support/fixture.ts";
import { api, createJob, driveJob, fireDelivery, HOOK_ORIGIN, KEY_B } from "../support/harness.ts";

it.afterEach(async () => {
  await putLimits([]);
  await putLimits([], KEY_B);
});

const WIRO = "wiro/ByteDance/text-to-video-seedance-v1";
const countJobs = async (like: string) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM jobs WHERE price_key LIKE ?").bind(like).first<{ n: number }>())!.n;

describe("PUT /v1/budget", () => {
  it("replaces the caller's limits and shows what is left; another key has its own", async () => {
    const limits = await putLimits([
      { unit: "usd", period: "month", amount: 25 },
      { unit: "weshop_power", period: "day", amount: 500 },
    ]);
    expect(limits.map((l) => [l.unit, l.period, l.amount])).toEqual([
      ["usd", "month", 25],
      ["weshop_power", "day", 500],
    ]);
    const month = limits[0]!;
    expect(month.remaining).toBe(round(25 - month.used - month.reserved));
    const next = new Date();
    expect(month.resetsAt).toBe(new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 1)).toISOString());
    expect(await budget(KEY_B)).toEqual([]);
    expect(await putLimits([])).toEqual([]);
  });

  it("refuses bad limits, every one by path", async () => {
    const res = await api("/v1/budget", {
      method: "PUT",
      json: {
        limits: [
          { unit: "eur", period: "day", amount: 1 },
          { unit: "usd", period: "week", amount: -1 },
          { unit: "usd", period: "day", amount: 1 },
          { unit: "usd", period: "day", amount: 2 },
        ],
      },
    });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect((body.errors as { path: string }[]).map((e) => e.path)).toEqual([
      "limits[0].unit",
      "limits[1].period",
      "limits[1].amount",
      "limits[3]",
    ]);
  });
});

describe("admission", () => {
  it("admits exactly 10 of 50 concurrent jobs when the budget has room for 10; the 40 others get 402 and nothing is sent for them", async ({
    h,
  }) => {
    // Seedream Pro, 3 images: 30 power each at the simulator
    const spec = (i: number) => ({
      model: "weshop/seedream",
      params: { textDescription: `race ${i}`, batchCount: 3, aspectRatio: "9:16" },
    });
    const before = await leaveRoom("weshop_power", 300);
    expect(before.remaining).toBe(300);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => api("/v1/jobs", { json: spec(i) })));
    const admitted = answers.filter((r) => r.status === 202);
    const refused = answers.filter((r) => r.status === 402);
    expect([admitted.length, refused.length]).toEqual([10, 40]);
    const refusal = await problem(refused[0]!);
    expect(refusal).toMatchObject({
      code: "budget_exceeded",
      unit: "weshop_power",
      period: "day",
      remaining: 0,
      requested: 30,
    });
    const ids = await Promise.all(admitted.map(async (r) => ((await r.json()) as { id: string }).id));
    // only the admitted jobs exist, and every run the provider saw belongs to one of them
    const keys = new Set(await Promise.all(ids.map(weshopRunKey)));
    expect(requestsTo(h, "weshop.submit").every((r) => keys.has(r.headers["idempotency-key"]!))).toBe(true);
    expect(await countJobs('%"aspectRatio","9:16"],["batchCount",3]%')).toBe(10);
    const [after] = await budget();
    expect([after!.reserved + after!.used - before.reserved - before.used, after!.remaining]).toEqual([300, 0]);
    // one quote served all fifty requests
    expect(requestsTo(h, "weshop.estimate").length).toBeLessThanOrEqual(1);
  });

  it("refuses a 1000-job batch over budget whole: no job, no batch, nothing sent", async ({ h }) => {
    // room for 999 runs at $0.06
    await leaveRoom("usd", 999 * 0.06);
    const jobs = Array.from({ length: 1000 }, (_, i) => ({
      model: WIRO,
      params: { prompt: `night ${i}`, resolution: "480p", duration: 5, fps: 16 },
    }));
    const res = await api("/v1/batches", { json: { jobs } });
    expect(res.status).toBe(402);
    expect(await problem(res)).toMatchObject({ code: "budget_exceeded", unit: "usd", period: "day", requested: 60 });
    expect(await countJobs('%["fps","16"]%')).toBe(0);
    expect(h.sim.requests).toEqual([]);
    const [limit] = await budget();
    expect(limit!.remaining).toBe(round(999 * 0.06));
  });

  it("answers 503 quote_unavailable when a limit exists and WeShop cannot quote; without a limit the job runs with no estimate", async ({
    h,
  }) => {
    await leaveRoom("weshop_power", 1000);
    h.sim.inject({ target: "weshop.estimate", kind: "http503", times: 2 });
    const spec = { model: "weshop/seedream", params: { textDescription: "blind", batchCount: 11, aspectRatio: "2:3" } };
    const res = await api("/v1/jobs", { json: spec });
    expect(res.status).toBe(503);
    expect(await problem(res)).toMatchObject({ code: "quote_unavailable", unit: "weshop_power" });
    expect(requestsTo(h, "weshop.submit")).toEqual([]);
    await putLimits([]);
    const { body } = await createJob(spec);
    expect(body.cost).toEqual({ estimate: null, actual: null });
  });

  it("a failed Wiro job releases its reservation: it cost 0", async ({ h }) => {
    const before = await leaveRoom("usd", 0.26);
    h.sim.inject({ target: "wiro.run", kind: "run_failed" });
    const { id } = await createJob({ model: WIRO, params: { prompt: "doomed", resolution: "720p", duration: 10 } });
    const [held] = await budget();
    expect([round(held!.reserved - before.reserved), held!.remaining]).toEqual([0.26, 0]);
    expect((await driveJob(h, id)).status).toBe("failed");
    // the follow-up alarm settles it: wait for it by running it
    await runInDurableObject(env.JOBS.get(env.JOBS.idFromName(id)), async (instance) => {
      while ((instance as unknown as { running?: Promise<void> }).running)
        await (instance as unknown as { running: Promise<void> }).running;
      await (instance as unknown as { alarm(): Promise<void> }).alarm();
    });
    const [after] = await budget();
    expect([round(after!.reserved), round(after!.used), after!.remaining]).toEqual([
      round(before.reserved),
      round(before.used),
      0.26,
    ]);
  });

  it("gives back a reservation whose job never came to exist, and keeps one whose job runs", async () => {
    const limit = await leaveRoom("usd", 1);
    const { id } = await createJob({ model: WIRO, params: { prompt: "kept", resolution: "480p", duration: 5 } });
    const tenant = (await runInDurableObject(env.JOBS.get(env.JOBS.idFromName(id)), (_, state) =>
      state.storage.get<{ tenant: string }>("job"),
    ))!.tenant;
    const stub = env.BUDGETS.get(env.BUDGETS.idFromName(tenant));
    // an admission whose creation then failed: nothing will ever settle it
    expect(await stub.admit([{ jobId: "job_neverexisted000000", unit: "usd", amount: 0.5 }], tenant)).toEqual({
      ok: true,
    });
    expect(round((await budget())[0]!.remaining)).toBe(round(limit.remaining - 0.56));
    await runInDurableObject(stub, async (instance, state) => {
      // both made over an hour ago
      for (const key of [`res:${id}`, "res:job_neverexisted000000"]) {
        const r = state.storage.kv.get<{ at: number }>(key)!;
        state.storage.kv.put(key, { ...r, at: Date.now() - STALE_MS - 1 });
      }
      await (instance as unknown as { alarm(): Promise<void> }).alarm();
    });
    expect(round((await budget())[0]!.remaining)).toBe(round(limit.remaining - 0.06));
  });

  it("settles a successful job to its actual cost", async ({ h }) => {
    const before = await committed("usd");
    const { id } = await createJob({ model: WIRO, params: { prompt: "paid", resolution: "480p", duration: 10 } });
    expect((await driveJob(h, id)).status).toBe("succeeded");
    await runInDurableObject(env.JOBS.get(env.JOBS.idFromName(id)), (instance) =>
      (instance as unknown as { alarm(): Promise<void> }).alarm(),
    );
    expect(round((await committed("usd")) - before)).toBe(0.12);
  });
});

describe("schedules over budget", () => {
  it("a due run over budget starts nothing, records lastSkip and sends schedule.skipped to the batch's webhookUrl", async ({
    h,
  }) => {
    await env.DB.exec("DELETE FROM schedules");
    const hook = `${HOOK_ORIGIN}/skipped`;
    const batch = {
      jobs: [{ model: WIRO, params: { prompt: "nightly", resolution: "720p", duration: 10 } }],
      webhookUrl: hook,
    };
    const created = await api("/v1/schedules", { json: { name: "nightly", cron: "0 3 * * *", batch } });
    const schedule = (await created.json()) as { id: string };
    await leaveRoom("usd", 0.25);
    const due = Date.now() - 1000;
    await env.DB.prepare("UPDATE schedules SET next_run_at = ? WHERE id = ?").bind(due, schedule.id).run();
    expect(await runDueSchedules(env, Date.now())).toEqual([]);
    const view = (await (await api(`/v1/schedules/${schedule.id}`)).json()) as {
      lastSkip: { at: string; code: string } | null;
      lastBatchId: string | null;
      nextRunAt: string;
    };
    expect(view.lastSkip?.code).toBe("budget_exceeded");
    expect(view.lastBatchId).toBeNull();
    expect(Date.parse(view.nextRunAt)).toBeGreaterThan(Date.now());
    expect(h.sim.requests).toEqual([]);
    expect(await countJobs('%"prompt"%nightly%')).toBe(0);
    await fireDelivery(`msg_${schedule.id.slice(6)}_skipped_${due}`);
    const sent = h.webhooks.find((w) => w.url === hook);
    expect(JSON.parse(sent!.body)).toMatchObject({
      type: "schedule.skipped",
      data: { scheduleId: schedule.id, code: "budget_exceeded", unit: "usd", period: "day" },
    });
    // and it is the body /openapi.json documents under webhooks.scheduleSkipped
    const doc = JSON.parse(JSON.stringify(openapiDocument()));
    const documented = doc.webhooks.scheduleSkipped.post.requestBody.content["application/json"].schema;
    const check = new Validator({ ...documented, components: doc.components }, "2020-12", false).validate(
      JSON.parse(sent!.body),
    );
    expect(check.errors).toEqual([]);
    // within budget the next due run starts
    await putLimits([]);
    await env.DB.prepare("UPDATE schedules SET next_run_at = ? WHERE id = ?")
      .bind(Date.now() - 1000, schedule.id)
      .run();
    const [batchId] = await runDueSchedules(env, Date.now());
    expect(batchId).toBeDefined();
    h.jobs.push(await batchJobId(batchId!, 0));
    await runInDurableObject(env.BATCHES.get(env.BATCHES.idFromName(batchId!)), (i) =>
      (i as unknown as { alarm(): Promise<void> }).alarm(),
    );
  });
});
