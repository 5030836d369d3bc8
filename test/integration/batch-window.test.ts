// A batch keeps at most a window of unfinished jobs: the rest are created as jobs end, so a
// large batch never floods the runtime with jobs that could only wait in the gate's line.
import { runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { batchJobId, FAN_OUT_WINDOW_MIN } from "../../src/batches/batch-object.ts";
import { it } from "../support/fixture.ts";
import { api, fireFollowUp, storedJob } from "../support/harness.ts";
import { batchRecord, batchStub, fanOut, spec } from "./batches-support.ts";

const nextAlarm = (id: string) => runInDurableObject(batchStub(id), (_, state) => state.storage.getAlarm());

it("creates no more than the window of unfinished jobs, and the rest as jobs end", async ({ h }) => {
  // the test caps (4 WeShop + 2 Wiro) are far below the window's floor, so the floor applies
  const total = FAN_OUT_WINDOW_MIN + 30;
  const res = await api("/v1/batches", { json: { jobs: Array.from({ length: total }, (_, i) => spec(i)) } });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  const ids = await Promise.all(Array.from({ length: total }, (_, i) => batchJobId(id, i)));
  h.jobs.push(...ids);

  let created = 0;
  for (let i = 0; i < 5; i++) created = await fanOut(id);
  expect(created).toBe(FAN_OUT_WINDOW_MIN);
  const listed = (await (await api(`/v1/batches/${id}/jobs?limit=100`)).json()) as {
    data: unknown[];
    nextCursor: string | null;
  };
  expect(listed.data).toHaveLength(FAN_OUT_WINDOW_MIN);
  expect(listed.nextCursor).toBeNull();
  // jobs not created yet are counted as queued: the batch still shows all of its jobs
  const view = (await (await api(`/v1/batches/${id}`)).json()) as { total: number; counts: Record<string, number> };
  expect(view.total).toBe(total);
  expect(Object.values(view.counts).reduce((a, b) => a + b, 0)).toBe(total);
  expect(view.counts.queued).toBeGreaterThanOrEqual(30);
  // the paused fan-out waits for an end (with only a sparse look of its own), it does not spin
  expect((await nextAlarm(id))!).toBeGreaterThan(Date.now() + 30_000);

  // 30 of the created jobs end (canceled by their client); each end tells the batch
  for (const job of ids.slice(0, 30)) {
    expect((await api(`/v1/jobs/${job}/cancel`, { method: "POST" })).status).toBe(200);
    await fireFollowUp(job);
  }
  expect((await batchRecord(id)).finished).toBe(30);
  // room in the window woke the fan-out at once, not at its look a minute later: that alarm was
  // moved to now (and has run, or is running, when it is gone)
  const alarm = await nextAlarm(id);
  const woken = alarm === null || alarm <= Date.now();
  expect(woken).toBe(true);
  expect(await fanOut(id)).toBe(total);
  expect((await storedJob(ids[total - 1]!)).status).toBe("queued");

  // cancel the batch so none of its jobs waits for a provider slot in a later file
  expect((await api(`/v1/batches/${id}/cancel`, { method: "POST" })).status).toBe(200);
  while ((await batchRecord(id)).cancelProgress! < total) await fanOut(id);
}, 60_000);

it("a batch of the window's size or less is created at once, as before", async ({ h }) => {
  const total = 60;
  const res = await api("/v1/batches", { json: { jobs: Array.from({ length: total }, (_, i) => spec(i)) } });
  const { id } = (await res.json()) as { id: string };
  h.jobs.push(...(await Promise.all(Array.from({ length: total }, (_, i) => batchJobId(id, i)))));
  let created = 0;
  for (let i = 0; i < 3 && created < total; i++) created = await fanOut(id);
  expect(created).toBe(total);
  expect((await api(`/v1/batches/${id}/cancel`, { method: "POST" })).status).toBe(200);
  while ((await batchRecord(id)).cancelProgress! < total) await fanOut(id);
}, 30_000);
