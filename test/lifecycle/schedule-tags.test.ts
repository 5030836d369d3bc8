// A schedule's own `tags`: given to every job its runs start (after the job's and the batch's own,
// without repeats), findable with GET /v1/jobs?tag=; at most 10 per job in all, else 400 on `tags`.
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runDueSchedules } from "../../src/schedules/schedules.ts";
import { api, type Harness, KEY_B, startHarness } from "../support/harness.ts";
import { SEEDREAM } from "./helpers.ts";

let h: Harness;
beforeEach(async () => {
  h = startHarness();
  await env.DB.exec("DELETE FROM schedules");
});
afterEach(async () => {
  await h.stop();
});

const tagsOf = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const errorPaths = async (res: Response) =>
  ((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path);
const listed = async (path: string, key?: string) =>
  ((await (await api(path, { key })).json()) as { data: { id: string; tags?: string[] }[] }).data.map((j) => ({
    id: j.id,
    tags: j.tags,
  }));

/** Runs the schedule now and fans its batch out; the run's job ids. */
async function runNow(scheduleId: string): Promise<string[]> {
  await env.DB.prepare("UPDATE schedules SET next_run_at = ? WHERE id = ?")
    .bind(Date.now() - 1000, scheduleId)
    .run();
  const [batchId] = await runDueSchedules(env, Date.now());
  expect(batchId).toBeDefined();
  await runInDurableObject(env.BATCHES.get(env.BATCHES.idFromName(batchId!)), (o) => o.alarm());
  const jobs = (await (await api(`/v1/batches/${batchId}/jobs`)).json()) as { data: { id: string }[] };
  return jobs.data.map((j) => j.id);
}

describe("a schedule's tags", () => {
  it("are given to every job a run starts, merged with the batch's and the job's own, and listed by tag", async () => {
    const created = await api("/v1/schedules", {
      json: {
        name: "nightly",
        cron: "0 3 * * *",
        tags: ["campaign:spring", "shared"],
        batch: { tags: ["shared", "batch-tag"], jobs: [{ ...SEEDREAM, tags: ["own"] }, SEEDREAM] },
      },
    });
    expect(created.status).toBe(201);
    const schedule = (await created.json()) as { id: string; tags?: string[] };
    expect(schedule.tags).toEqual(["campaign:spring", "shared"]);

    const ids = await runNow(schedule.id);
    expect(ids).toHaveLength(2);
    const found = await listed("/v1/jobs?tag=campaign:spring");
    expect(found.map((j) => j.id).sort()).toEqual([...ids].sort());
    expect(found.map((j) => j.tags).sort()).toEqual([
      ["own", "shared", "batch-tag", "campaign:spring"],
      ["shared", "batch-tag", "campaign:spring"],
    ]);
    expect(await listed("/v1/jobs?tag=campaign:spring", KEY_B)).toEqual([]);
  });

  it("can be changed by PATCH: the next run's jobs carry the new tags", async () => {
    const created = (await (
      await api("/v1/schedules", { json: { name: "n", cron: "0 3 * * *", tags: ["old"], batch: { jobs: [SEEDREAM] } } })
    ).json()) as {
      id: string;
    };
    const patched = await api(`/v1/schedules/${created.id}`, { method: "PATCH", json: { tags: ["campaign:autumn"] } });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { tags?: string[]; batch: unknown }).tags).toEqual(["campaign:autumn"]);
    const [id] = await runNow(created.id);
    expect((await listed("/v1/jobs?tag=campaign:autumn")).map((j) => j.id)).toEqual([id]);
    expect(await listed("/v1/jobs?tag=old")).toEqual([]);
  });

  it("refuse more than 10 tags on a job in all (400 naming `tags`), and bad tags, storing nothing", async () => {
    const batch = { tags: tagsOf(4, "b"), jobs: [SEEDREAM, { ...SEEDREAM, tags: tagsOf(3, "j") }] };
    const tooMany = await api("/v1/schedules", { json: { name: "n", cron: "0 3 * * *", tags: tagsOf(4, "s"), batch } });
    expect(tooMany.status).toBe(400);
    expect(await errorPaths(tooMany)).toEqual(["tags"]);
    const bad = await api("/v1/schedules", {
      json: { name: "n", cron: "0 3 * * *", tags: ["Bad!", "ok", "ok"], batch: { jobs: [SEEDREAM] } },
    });
    expect((await errorPaths(bad)).sort()).toEqual(["tags", "tags[0]"]);
    expect(((await (await api("/v1/schedules")).json()) as { data: unknown[] }).data).toEqual([]);

    // a PATCH is checked against what the schedule will have: its current batch with new tags
    const fits = (await (
      await api("/v1/schedules", { json: { name: "n", cron: "0 3 * * *", tags: tagsOf(3, "s"), batch } })
    ).json()) as { id: string };
    const over = await api(`/v1/schedules/${fits.id}`, { method: "PATCH", json: { tags: tagsOf(4, "s") } });
    expect(over.status).toBe(400);
    expect(await errorPaths(over)).toEqual(["tags"]);
    expect(((await (await api(`/v1/schedules/${fits.id}`)).json()) as { tags?: string[] }).tags).toEqual(
      tagsOf(3, "s"),
    );
    expect(h.sim.tasks()).toHaveLength(0);
  });
});
