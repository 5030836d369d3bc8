// Batches: validated whole, fanned out a chunk per alarm, counted live, canceled, announced.
import { runInDurableObject } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { batchJobId, FAN_OUT_CHUNK } from "../../src/batches/batch-object.ts";
import { TEST_BINDINGS } from "../support/bindings.ts";
import { batchInside, fakeObjects } from "../support/do-internals.ts";
import {
  api,
  driveJob,
  fireDelivery,
  type Harness,
  HOOK_ORIGIN,
  KEY_B,
  startHarness,
  storedJob,
} from "../support/harness.ts";
import { batchRecord, batchStub, fanOut, indexedJobIds, marked, newJobsMarked, spec } from "./batches-support.ts";

let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  await h.stop();
});

async function createBatch(body: unknown, headers: Record<string, string> = {}, key?: string) {
  const res = await api("/v1/batches", { json: body, headers, key });
  const json = (await res.json()) as Record<string, unknown> & { id: string };
  if (res.status === 202) {
    const total = (body as { jobs: unknown[] }).jobs.length;
    for (let i = 0; i < total; i++) h.jobs.push(await batchJobId(json.id, i));
  }
  return { res, json };
}

describe("POST /v1/batches", () => {
  it("one bad spec refuses the whole batch with its path, and nothing is created", async () => {
    const jobs: unknown[] = Array.from({ length: 20 }, (_, i) => spec(i));
    jobs[17] = {
      model: "weshop/seedance",
      params: { textDescription: "x", images: ["https://a.example.com/i.png"], duration: "99s" },
    };
    jobs[4] = { model: "nope", params: {} };
    const { res, json } = await createBatch({ jobs });
    expect(res.status).toBe(400);
    expect((json.errors as { path: string }[]).map((e) => e.path)).toEqual([
      "jobs[4].model",
      "jobs[17].params.duration",
    ]);
    expect(h.sim.requests).toEqual([]);
  });

  it("reports a bad batch webhookUrl and a bad job together, and nothing is created", async () => {
    const before = new Set(await indexedJobIds());
    const jobs: unknown[] = Array.from({ length: 5 }, (_, i) => marked("refused", i));
    jobs[3] = {
      model: "weshop/seedance",
      params: { textDescription: "refused", images: ["https://a.example.com/i.png"], duration: "99s" },
    };
    const paths = (json: Record<string, unknown>) => (json.errors as { path: string }[]).map((e) => e.path).sort();
    const unsafe = await createBatch(
      { jobs, webhookUrl: "https://169.254.169.254/hook" },
      { "Idempotency-Key": "refused-1" },
    );
    expect(unsafe.res.status).toBe(400);
    expect(unsafe.res.headers.get("Location")).toBeNull();
    expect(paths(unsafe.json)).toEqual(["jobs[3].params.duration", "webhookUrl"]);
    // the batch's own fields failing its schema (an unknown key, a webhookUrl too long or not a
    // string) does not stop the jobs being checked
    const schema = await createBatch({
      jobs,
      webhookUrl: `https://hooks.example.com/${"x".repeat(2048)}`,
      priority: "high",
    });
    expect(schema.res.status).toBe(400);
    expect(paths(schema.json)).toEqual(["jobs[3].params.duration", "priority", "webhookUrl"]);
    const notString = await createBatch({ jobs, webhookUrl: 42 });
    expect(notString.res.status).toBe(400);
    expect(paths(notString.json)).toEqual(["jobs[3].params.duration", "webhookUrl"]);
    // nothing reached a provider, no job exists, and the refused request claimed no Idempotency-Key
    expect(h.sim.requests.filter((r) => r.body.includes("refused"))).toEqual([]);
    expect(await newJobsMarked(before, "refused")).toEqual([]);
    const good = await createBatch({ jobs: [marked("accepted", 0)] }, { "Idempotency-Key": "refused-1" });
    expect(good.res.status).toBe(202);
    expect(good.res.headers.get("Idempotent-Replayed")).toBeNull();
    await fanOut(good.json.id);
    await driveJob(h, await batchJobId(good.json.id, 0));
  });

  it("refuses empty and oversized batches", async () => {
    expect((await createBatch({ jobs: [] })).res.status).toBe(400);
    const big = await createBatch({ jobs: Array.from({ length: 1001 }, (_, i) => spec(i)) });
    expect(big.res.status).toBe(400);
    expect((big.json.errors as { path: string }[])[0]!.path).toBe("jobs");
  });

  it("fans out a chunk per alarm, counts live, and completes when every job has ended", async () => {
    const total = FAN_OUT_CHUNK + 10;
    const { res, json } = await createBatch({ jobs: Array.from({ length: total }, (_, i) => spec(i)) });
    expect(res.status).toBe(202);
    expect(json).toMatchObject({ status: "running", total, counts: { queued: total, running: 0, succeeded: 0 } });
    expect(await fanOut(json.id)).toBe(FAN_OUT_CHUNK);
    expect(await fanOut(json.id)).toBe(total);
    const listed = (await (await api(`/v1/batches/${json.id}/jobs?limit=100`)).json()) as {
      data: { batchId: string }[];
    };
    expect(listed.data).toHaveLength(total);
    expect(listed.data.every((j) => j.batchId === json.id)).toBe(true);
    // with the provider caps (4 WeShop, 2 Wiro in tests) most jobs wait in line, and say where
    const waiting = await Promise.all(
      Array.from({ length: total }, async (_, i) => (await api(`/v1/jobs/${await batchJobId(json.id, i)}`)).json()),
    );
    expect(waiting.some((j) => (j as { queuePosition?: number }).queuePosition! > 0)).toBe(true);
    await Promise.all(Array.from({ length: total }, async (_, i) => driveJob(h, await batchJobId(json.id, i))));
    // the providers never saw more tasks at once than the caps allow
    const durations = { weshop: 0, wiro: 40_000 };
    for (const [provider, cap] of [
      ["weshop", 4],
      ["wiro", 2],
    ] as const) {
      const tasks = h.sim.tasks().filter((t) => t.provider === provider);
      const edges = tasks.flatMap((t) => {
        const duration = provider === "wiro" ? durations.wiro : t.agent === "seedance" ? 60_000 : 20_000;
        return [
          { at: t.createdAt, d: 1 },
          { at: t.createdAt + duration, d: -1 },
        ];
      });
      edges.sort((a, b) => a.at - b.at || a.d - b.d);
      let active = 0;
      let peak = 0;
      for (const e of edges) {
        active += e.d;
        peak = Math.max(peak, active);
      }
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThanOrEqual(cap);
    }
    const view = (await (await api(`/v1/batches/${json.id}`)).json()) as {
      status: string;
      counts: Record<string, number>;
      completedAt?: string;
    };
    expect(view.counts).toEqual({ queued: 0, running: 0, copying: 0, succeeded: total, failed: 0, canceled: 0 });
    expect(view.status).toBe("completed");
    expect(view.completedAt).toBeDefined();
    // exactly one provider task per job
    expect(h.sim.tasks()).toHaveLength(total);
  }, 60_000);

  it("a fan-out step that cannot reach its jobs is retried later, and every job is still created", async () => {
    const total = FAN_OUT_CHUNK + 5;
    const { json } = await createBatch({ jobs: Array.from({ length: total }, (_, i) => spec(i)) });
    const before = (await batchRecord(json.id)).created;
    expect(before).toBeLessThan(total);
    // the job objects are unreachable for one step: alarm() must not throw (the runtime gives up
    // on an alarm after a few throws) but come back later by itself
    const step = await runInDurableObject(batchStub(json.id), async (instance, state) => {
      const object = batchInside(instance);
      const real = object.env;
      const unreachable = { create: () => Promise.reject(new Error("object unreachable")) };
      object.env = { ...real, JOBS: fakeObjects(real.JOBS, () => unreachable) };
      await state.storage.deleteAlarm();
      const started = Date.now();
      try {
        await object.alarm();
      } finally {
        object.env = real;
      }
      return { started, alarm: await state.storage.getAlarm() };
    });
    expect((await batchRecord(json.id)).created).toBe(before);
    expect(step.alarm).not.toBeNull();
    expect(step.alarm!).toBeGreaterThanOrEqual(step.started + 1000);
    while ((await batchRecord(json.id)).created < total) await fanOut(json.id);
    const listed = (await (await api(`/v1/batches/${json.id}/jobs?limit=100`)).json()) as { data: unknown[] };
    expect(listed.data).toHaveLength(total);
    // cancel them all, so none of these jobs is still waiting for a provider slot in the next test
    expect((await api(`/v1/batches/${json.id}/cancel`, { method: "POST" })).status).toBe(200);
    while ((await batchRecord(json.id)).cancelProgress! < total) await fanOut(json.id);
  });

  it("is visible only to its client", async () => {
    const { json } = await createBatch({ jobs: [spec(0)] });
    expect((await api(`/v1/batches/${json.id}`, { key: KEY_B })).status).toBe(404);
    expect((await api(`/v1/batches/${json.id}/jobs`, { key: KEY_B })).status).toBe(404);
  });

  it("Idempotency-Key returns the same batch; a different body is 422", async () => {
    const body = { jobs: [spec(0), spec(1)] };
    const a = await createBatch(body, { "Idempotency-Key": "nightly-1" });
    const b = await createBatch(body, { "Idempotency-Key": "nightly-1" });
    expect(b.json.id).toBe(a.json.id);
    expect(b.res.headers.get("Idempotent-Replayed")).toBe("true");
    const c = await createBatch({ jobs: [spec(0)] }, { "Idempotency-Key": "nightly-1" });
    expect(c.res.status).toBe(422);
  });

  it("two concurrent requests with one Idempotency-Key create one batch and one provider task per job", async () => {
    const before = new Set(await indexedJobIds());
    const body = { jobs: [marked("race", 0), marked("race", 1)] };
    const headers = { "Idempotency-Key": "nightly-race" };
    const [a, b] = await Promise.all([createBatch(body, headers), createBatch(body, headers)]);
    expect([a.res.status, b.res.status]).toEqual([202, 202]);
    expect(b.json.id).toBe(a.json.id);
    expect([a.res.headers.get("Location"), b.res.headers.get("Location")]).toEqual([
      `/v1/batches/${a.json.id}`,
      `/v1/batches/${a.json.id}`,
    ]);
    expect([a.res.headers.get("Idempotent-Replayed"), b.res.headers.get("Idempotent-Replayed")].sort()).toEqual(
      ["true", null].sort(),
    );
    const id = a.json.id;
    while ((await batchRecord(id)).created < body.jobs.length) await fanOut(id);
    const jobIds = await Promise.all(body.jobs.map((_, i) => batchJobId(id, i)));
    for (const jobId of jobIds) expect((await driveJob(h, jobId)).status).toBe("succeeded");
    // the only jobs with these params are that one batch's, one per spec
    expect(await newJobsMarked(before, "race")).toEqual([...jobIds].sort());
    expect((await batchRecord(id)).total).toBe(body.jobs.length);
    // and the providers saw one task per job
    expect(h.sim.tasks().filter((t) => JSON.stringify(t.params).includes("race"))).toHaveLength(body.jobs.length);
    const view = (await (await api(`/v1/batches/${id}`)).json()) as { status: string; total: number };
    expect(view).toMatchObject({ status: "completed", total: body.jobs.length });
  });
});

describe("cancel and webhook", () => {
  it("cancel stops the fan-out and cancels the jobs already created", async () => {
    const total = FAN_OUT_CHUNK * 3;
    const { json } = await createBatch({ jobs: Array.from({ length: total }, (_, i) => spec(i)) });
    await fanOut(json.id);
    const res = await api(`/v1/batches/${json.id}/cancel`, { method: "POST" });
    expect(res.status).toBe(200);
    // a chunk the batch's own alarm was creating when the cancel came still lands; nothing after it
    const createdAtCancel = (await batchRecord(json.id)).created;
    for (let i = 0; i < 6; i++) await fanOut(json.id);
    const created = (await batchRecord(json.id)).created;
    expect(created).toBeLessThanOrEqual(createdAtCancel + FAN_OUT_CHUNK);
    expect(created).toBeLessThan(total);
    for (let i = 0; i < created; i++) expect((await storedJob(await batchJobId(json.id, i))).status).toBe("canceled");
    const view = (await (await api(`/v1/batches/${json.id}`)).json()) as {
      status: string;
      counts: Record<string, number>;
    };
    expect(view.status).toBe("canceled");
    expect(view.counts.canceled).toBe(total);
    expect((await api(`/v1/batches/${json.id}/cancel`, { method: "POST" })).status).toBe(409);
  }, 30_000);

  it("announces batch.completed to the batch webhook, signed", async () => {
    const { json } = await createBatch({ jobs: [spec(0), spec(3)], webhookUrl: `${HOOK_ORIGIN}/batches` });
    await fanOut(json.id);
    for (let i = 0; i < 2; i++) await driveJob(h, await batchJobId(json.id, i));
    await fanOut(json.id); // the completion alarm hands over the webhook
    await fireDelivery(`msg_${json.id.slice(6)}_completed`);
    const delivery = h.webhooks.find((w) => w.url.endsWith("/batches"))!;
    const event = new Webhook(TEST_BINDINGS.WEBHOOK_SECRET).verify(delivery.body, delivery.headers) as {
      type: string;
      data: { id: string; status: string };
    };
    expect(event).toMatchObject({ type: "batch.completed", data: { id: json.id, status: "completed" } });
  });
});
