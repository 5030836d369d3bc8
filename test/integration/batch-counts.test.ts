// A batch's counts, actual costs and place in the batch list are kept by triggers as its index
// rows change (migrations/0009_batch_counts.sql), so reading them does not group the batch's rows.
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { listBatchIds } from "../../src/db/batch-list.ts";
import { batchStatusCounts } from "../../src/db/jobs-index.ts";
import { batchActuals } from "../../src/db/usage.ts";

const TENANT = `tenant-${crypto.randomUUID()}`;
const BATCH = "batch_counts0000000000000001";
const OTHER = "batch_counts0000000000000002";

const insert = (id: string, batch: string | null, status: string, created: number, actual: number | null = null) =>
  env.DB.prepare(
    "INSERT INTO jobs (id, tenant, model, status, batch_id, created_at, updated_at, seen_at, cost_unit, cost_actual) VALUES (?, ?, 'weshop/seedream', ?, ?, ?, ?, ?, 'weshop_power', ?)",
  )
    .bind(id, TENANT, status, batch, created, created, created, actual)
    .run();

const counts = async (batch: string) =>
  Object.fromEntries((await batchStatusCounts(env.DB, batch, TENANT)).map((r) => [r.status, r.n]));

describe("batch counts kept as rows change", () => {
  beforeEach(async () => {
    await env.DB.prepare("DELETE FROM jobs WHERE tenant = ?").bind(TENANT).run();
  });

  it("follows inserts, status changes, actual costs and deletes", async () => {
    for (let i = 0; i < 6; i++) await insert(`job_counts_${i}`, BATCH, "queued", 1_000 + i);
    await insert("job_counts_other", OTHER, "queued", 5_000);
    await insert("job_counts_single", null, "queued", 6_000);
    expect(await counts(BATCH)).toEqual({ queued: 6 });

    const set = (id: string, status: string) =>
      env.DB.prepare("UPDATE jobs SET status = ?, updated_at = updated_at + 1 WHERE id = ?").bind(status, id).run();
    await set("job_counts_0", "running");
    await set("job_counts_1", "running");
    await set("job_counts_1", "succeeded");
    await set("job_counts_2", "failed");
    // an upsert that leaves the status as it was changes nothing
    await set("job_counts_3", "queued");
    expect(await counts(BATCH)).toEqual({ queued: 3, running: 1, succeeded: 1, failed: 1 });

    await env.DB.prepare("UPDATE jobs SET cost_actual = ? WHERE id = ?").bind(2_500_000, "job_counts_1").run();
    await env.DB.prepare("UPDATE jobs SET cost_actual = ? WHERE id = ?").bind(1_000_000, "job_counts_0").run();
    await env.DB.prepare("UPDATE jobs SET cost_actual = ? WHERE id = ?").bind(1_500_000, "job_counts_0").run();
    expect(await batchActuals(env.DB, TENANT, BATCH)).toEqual([{ unit: "weshop_power", amount: 4 }]);
    expect(await batchActuals(env.DB, "another-tenant", BATCH)).toEqual([]);

    // newest first, by each batch's first job; a cursor continues after the last
    const page = await listBatchIds(env.DB, TENANT, 1);
    expect(page.ids).toEqual([OTHER]);
    expect((await listBatchIds(env.DB, TENANT, 1, page.next!)).ids).toEqual([BATCH]);

    await env.DB.prepare("DELETE FROM jobs WHERE id IN ('job_counts_0', 'job_counts_5')").run();
    expect(await counts(BATCH)).toEqual({ queued: 2, succeeded: 1, failed: 1 });
    expect(await batchActuals(env.DB, TENANT, BATCH)).toEqual([{ unit: "weshop_power", amount: 2.5 }]);
    await env.DB.prepare("DELETE FROM jobs WHERE batch_id = ?").bind(OTHER).run();
    expect((await listBatchIds(env.DB, TENANT, 10)).ids).toEqual([BATCH]);
    expect(await counts("batch_nobody")).toEqual({});
  });
});
