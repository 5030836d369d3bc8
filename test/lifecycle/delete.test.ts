// DELETE /v1/jobs/{id} and /v1/batches/{id}: links 404, content gone from the object, D1 and R2,
// the cost kept for usage, Wiro's files deleted (retried), and a delete cut short finishes later.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect } from "vitest";
import { batchJobId } from "../../src/batches/batch-client.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { TOMBSTONE_KEY, tombstoneOf } from "../../src/lifecycle/job-erase.ts";
import { jobInside } from "../support/do-internals.ts";
import { it } from "../support/fixture.ts";
import { api, createJob, download, driveJob, jobStub, KEY_B } from "../support/harness.ts";
import { del, finishedJob, indexRow, mediaKeys, SEEDREAM, tombstone, WIRO } from "./helpers.ts";

describe("DELETE /v1/jobs/{id}", () => {
  it("removes the outputs (links 404), the record and the listing entry; usage keeps the cost", async ({ h }) => {
    const { id, urls } = await finishedJob(h);
    const before = await indexRow(id);
    expect(before?.cost_actual).toBeGreaterThan(0);

    expect((await del(`/v1/jobs/${id}`)).status).toBe(204);
    for (const url of urls) expect((await download(url)).status).toBe(404);
    expect(await mediaKeys(id)).toEqual([]);
    expect((await api(`/v1/jobs/${id}`)).status).toBe(404);
    const list = (await (await api("/v1/jobs")).json()) as { data: { id: string }[] };
    expect(list.data.map((j) => j.id)).not.toContain(id);
    // nothing of the job's content is left in its object: only a tombstone without params or outputs
    const stored = await runInDurableObject(jobStub(id), async (_, state) => state.storage.kv.get("job"));
    expect(stored).toBeUndefined();
    const tomb = await tombstone(id);
    expect(tomb?.doneAt).toBeDefined();
    expect(JSON.stringify(tomb)).not.toMatch(/a fox|textDescription|outputs/);
    const row = await indexRow(id);
    expect(row?.deleted_at).not.toBeNull();
    expect(row?.cost_actual).toBe(before?.cost_actual);
    const usage = (await (await api("/v1/usage?groupBy=model")).json()) as { data: { key: string; jobs: number }[] };
    expect(usage.data.find((r) => r.key === "weshop/seedream")?.jobs).toBe(1);
    // a second delete finds nothing
    expect((await del(`/v1/jobs/${id}`)).status).toBe(404);
  });

  it("refuses an unfinished job with 409 and leaves it running", async () => {
    const { id } = await createJob(SEEDREAM);
    const res = await del(`/v1/jobs/${id}`);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { code: string }).code).toBe("job_unfinished");
    expect((await api(`/v1/jobs/${id}`)).status).toBe(200);
  });

  it("another tenant cannot delete (404) and the job stays", async ({ h }) => {
    const { id, urls } = await finishedJob(h);
    expect((await del(`/v1/jobs/${id}`, KEY_B)).status).toBe(404);
    expect((await api(`/v1/jobs/${id}`)).status).toBe(200);
    expect((await download(urls[0]!)).status).toBe(200);
  });

  it("deletes a Wiro task's files at Wiro, retrying after a transient failure", async ({ h }) => {
    const { id } = await finishedJob(h, WIRO);
    const wiroTask = () => h.sim.tasks().find((t) => t.provider === "wiro")!;
    const task = wiroTask();
    h.sim.inject({ target: "wiro.delete", kind: "http500", times: 1 });
    expect((await del(`/v1/jobs/${id}`)).status).toBe(204);
    // the first Task/InputOutputDelete failed: it is due again later, the rest is done
    expect(wiroTask().filesDeletedAt).toBeUndefined();
    const pending = await tombstone(id);
    expect(pending?.providerFiles?.attempts).toBe(1);
    expect(pending?.media).toBe(false);
    await runInDurableObject(jobStub(id), async (_, state) => {
      state.storage.kv.put(TOMBSTONE_KEY, {
        ...pending!,
        providerFiles: { ...pending!.providerFiles!, nextAt: Date.now() },
      });
    });
    await runDurableObjectAlarm(jobStub(id));
    expect(wiroTask().filesDeletedAt).toBeDefined();
    const sent = h.sim.requests.filter((r) => r.target === "wiro.delete");
    expect(sent).toHaveLength(2);
    expect(sent.every((r) => JSON.parse(r.body).tasktoken === task.token)).toBe(true);
    expect((await tombstone(id))?.doneAt).toBeDefined();
  });

  it("a delete cut short right after its tombstone is finished by the job's alarm", async ({ h }) => {
    const { id, urls } = await finishedJob(h);
    // the crash: the record became a tombstone (one synchronous step), then the worker died
    await runInDurableObject(jobStub(id), async (instance, state) => {
      const job = state.storage.kv.get<JobRecord>("job")!;
      state.storage.kv.put(TOMBSTONE_KEY, tombstoneOf(job, "client", Date.now()));
      state.storage.kv.delete("job");
      jobInside(instance).store.forget();
      await state.storage.setAlarm(Date.now() + 30_000);
    });
    expect((await api(`/v1/jobs/${id}`)).status).toBe(404);
    expect(await mediaKeys(id)).not.toEqual([]);
    await runDurableObjectAlarm(jobStub(id));
    expect(await mediaKeys(id)).toEqual([]);
    expect((await download(urls[0]!)).status).toBe(404);
    expect((await indexRow(id))?.deleted_at).not.toBeNull();
    expect((await tombstone(id))?.doneAt).toBeDefined();
  });
});

describe("DELETE /v1/batches/{id}", () => {
  it("deletes every job of a finished batch, then the batch", async ({ h }) => {
    const res = await api("/v1/batches", { json: { jobs: [SEEDREAM, SEEDREAM] } });
    expect(res.status).toBe(202);
    const batchId = ((await res.json()) as { id: string }).id;
    expect((await del(`/v1/batches/${batchId}`)).status).toBe(409);
    const ids = await Promise.all([0, 1].map((i) => batchJobId(batchId, i)));
    for (const id of ids) {
      h.jobs.push(id);
      await driveJob(h, id);
    }
    expect((await del(`/v1/batches/${batchId}`, KEY_B)).status).toBe(404);
    expect((await del(`/v1/batches/${batchId}`)).status).toBe(204);
    expect((await api(`/v1/batches/${batchId}`)).status).toBe(404);
    for (const id of ids) {
      expect((await api(`/v1/jobs/${id}`)).status).toBe(404);
      expect(await mediaKeys(id)).toEqual([]);
    }
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM jobs WHERE batch_id = ? AND deleted_at IS NULL")
      .bind(batchId)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });
});
