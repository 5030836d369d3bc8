// Schedules: validated like batches, evaluated by the cron tick once per due time.
import {
  createExecutionContext,
  createScheduledController,
  env,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect } from "vitest";
import worker from "../../src/index.ts";
import { runDueSchedules } from "../../src/schedules/schedules.ts";
import { it } from "../support/fixture.ts";
import { api, KEY_B } from "../support/harness.ts";

it.beforeEach(async () => {
  await env.DB.exec("DELETE FROM schedules");
});

const BATCH = { jobs: [{ model: "weshop/seedream", params: { textDescription: "nightly" } }] };
type Schedule = {
  id: string;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastBatchId: string | null;
  enabled: boolean;
  timezone: string;
};

async function createSchedule(body: Record<string, unknown>) {
  const res = await api("/v1/schedules", { json: { name: "nightly", cron: "0 3 * * *", batch: BATCH, ...body } });
  return { res, json: (await res.json()) as Schedule & { errors?: { path: string }[] } };
}
const batchCount = async () =>
  (await env.DB.prepare("SELECT COUNT(DISTINCT batch_id) AS n FROM jobs WHERE batch_id IS NOT NULL").first<{
    n: number;
  }>())!.n;
const setNextRun = (id: string, at: number) =>
  env.DB.prepare("UPDATE schedules SET next_run_at = ? WHERE id = ?").bind(at, id).run();
const getSchedule = async (id: string) => (await (await api(`/v1/schedules/${id}`)).json()) as Schedule;

describe("CRUD", () => {
  it("creates with the next run in the schedule's time zone", async () => {
    const { res, json } = await createSchedule({ cron: "0 9 * * 1-5", timezone: "America/New_York" });
    expect(res.status).toBe(201);
    expect(res.headers.get("Location")).toBe(`/v1/schedules/${json.id}`);
    const next = new Date(json.nextRunAt!);
    const local = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/New_York",
      hour: "numeric",
      minute: "numeric",
      hourCycle: "h23",
      weekday: "short",
    }).format(next);
    expect(local).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
    expect(next.getTime()).toBeGreaterThan(Date.now());
  });

  it("refuses bad cron, zone and batch, every field by path", async () => {
    const { res, json } = await createSchedule({
      cron: "61 * * * *",
      timezone: "Mars/Base",
      batch: { jobs: [{ model: "weshop/seedream", params: {} }] },
    });
    expect(res.status).toBe(400);
    expect(json.errors!.map((e) => e.path).sort()).toEqual([
      "batch.jobs[0].params.textDescription",
      "cron",
      "timezone",
    ]);
    expect((await createSchedule({ cron: "* * * * * *" })).res.status).toBe(400);
  });

  it("lists, patches, disables and deletes; other clients see nothing", async () => {
    const { json } = await createSchedule({});
    expect((await api(`/v1/schedules/${json.id}`, { key: KEY_B })).status).toBe(404);
    const list = (await (await api("/v1/schedules")).json()) as { data: Schedule[] };
    expect(list.data.map((s) => s.id)).toEqual([json.id]);
    const disabled = (await (
      await api(`/v1/schedules/${json.id}`, { method: "PATCH", json: { enabled: false } })
    ).json()) as Schedule;
    expect(disabled).toMatchObject({ enabled: false, nextRunAt: null });
    const enabled = (await (
      await api(`/v1/schedules/${json.id}`, { method: "PATCH", json: { enabled: true, cron: "*/5 * * * *" } })
    ).json()) as Schedule;
    expect(enabled.enabled).toBe(true);
    expect(new Date(enabled.nextRunAt!).getUTCMinutes() % 5).toBe(0);
    expect((await api(`/v1/schedules/${json.id}`, { method: "PATCH", json: { cron: "nope" } })).status).toBe(400);
    expect((await api(`/v1/schedules/${json.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/v1/schedules/${json.id}`)).status).toBe(404);
  });
});

describe("the cron tick", () => {
  it("starts a due schedule's batch once, even when the tick is delivered twice", async () => {
    const { json } = await createSchedule({ cron: "*/10 * * * *" });
    const due = Date.now() - 1000;
    await setNextRun(json.id, due);
    const before = await batchCount();
    const [a, b] = await Promise.all([runDueSchedules(env, Date.now()), runDueSchedules(env, Date.now())]);
    expect([...a, ...b]).toHaveLength(1);
    const schedule = await getSchedule(json.id);
    expect(schedule.lastBatchId).toBe([...a, ...b][0]);
    expect(Date.parse(schedule.nextRunAt!)).toBeGreaterThan(Date.now());
    expect(await runDueSchedules(env, Date.now())).toEqual([]);
    // the batch exists and fans out its job
    const batch = (await (await api(`/v1/batches/${schedule.lastBatchId}`)).json()) as {
      total: number;
      scheduleId: string;
    };
    expect(batch).toMatchObject({ total: 1, scheduleId: json.id });
    await runInDurableObject(env.BATCHES.get(env.BATCHES.idFromName(schedule.lastBatchId!)), (i) => i.alarm());
    expect((await batchCount()) - before).toBe(1);
  });

  it("after downtime a missed run starts once, not once per missed minute", async () => {
    const { json } = await createSchedule({ cron: "* * * * *" });
    await setNextRun(json.id, Date.now() - 3 * 3600_000);
    const started = [...(await runDueSchedules(env, Date.now())), ...(await runDueSchedules(env, Date.now()))];
    expect(started).toHaveLength(1);
    expect(Date.parse((await getSchedule(json.id)).nextRunAt!)).toBeGreaterThan(Date.now());
  });

  it("disabled schedules do not run; the worker's scheduled handler runs due ones", async () => {
    const off = await createSchedule({ enabled: false });
    const on = await createSchedule({ name: "on" });
    await env.DB.prepare("UPDATE schedules SET next_run_at = ?")
      .bind(Date.now() - 1000)
      .run();
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await getSchedule(off.json.id)).lastRunAt).toBeNull();
    expect((await getSchedule(on.json.id)).lastRunAt).not.toBeNull();
  });
});
