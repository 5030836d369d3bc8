// What an operator sees: JSON log lines that join a request to its job with no secret in them,
// one Analytics Engine point per finished job, and GET /v1/stats from the hourly rollups.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type DataPoint, metricsSink } from "../../src/lib/metrics.ts";
import { messageId } from "../../src/webhooks/events.ts";
import { captureLogs, secretValues } from "../reliability/support.ts";
import {
  api,
  createJob,
  driveJob,
  fireDelivery,
  fireFollowUp,
  type Harness,
  HOOK_ORIGIN,
  KEY_B,
  startHarness,
  storedJob,
} from "../support/harness.ts";

const SEEDREAM = { model: "weshop/seedream", params: { textDescription: "a fox at dusk" } };
const WIRO = { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle at dawn" } };

let h: Harness;
let points: DataPoint[];
beforeEach(() => {
  h = startHarness();
  points = [];
  vi.spyOn(metricsSink, "write").mockImplementation((_, point) => void points.push(point));
});
afterEach(async () => {
  vi.mocked(metricsSink.write).mockRestore();
  await h.stop();
});

/** Drives the job to its end and runs its follow-ups until its metrics are written. */
async function finished(id: string) {
  await driveJob(h, id);
  for (let i = 0; i < 5 && !(await storedJob(id)).finishRecorded; i++) await fireFollowUp(id);
  return storedJob(id);
}

describe("log lines", () => {
  it("are JSON with the request id; the access line names the job it created, and the job's own lines carry that request id; no secret", async () => {
    const logs = captureLogs();
    let id: string;
    let callbackToken: string;
    try {
      const res = await api("/v1/jobs", { json: WIRO, headers: { "X-Request-Id": "req-join-test" } });
      expect(res.status).toBe(202);
      id = ((await res.json()) as { id: string }).id;
      await driveJob(h, id, 60_000);
      callbackToken = h.sim.tasks().at(-1)?.callbackUrl?.split("/").pop() ?? "";
      expect(callbackToken).not.toBe("");
      expect((await api(`/v1/jobs/${id}`)).status).toBe(200);
    } finally {
      logs.restore();
    }
    const lines = logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const access = lines.filter((l) => l.msg === "request");
    const created = access.find((l) => l.method === "POST" && l.path === "/v1/jobs");
    expect(created).toMatchObject({ requestId: "req-join-test", jobId: id, status: 202 });
    expect(access.find((l) => l.method === "GET" && l.path === `/v1/jobs/${id}`)).toMatchObject({ jobId: id });
    // join: the job's own lines, written by its Durable Object, carry the creating request's id
    const own = lines.filter((l) => l.msg === "job status changed" && l.jobId === id);
    expect(own.map((l) => l.to)).toEqual(expect.arrayContaining(["running", "succeeded"]));
    for (const line of own) expect(line.requestId).toBe("req-join-test");
    for (const line of lines.filter((l) => l.msg === "request")) expect(typeof line.requestId).toBe("string");
    const leaks = [...secretValues(), callbackToken].filter((secret) =>
      logs.lines.some((line) => line.includes(secret)),
    );
    expect(leaks).toEqual([]);
    expect(logs.lines.filter((line) => /[?&](sig|expires)=/.test(line))).toEqual([]);
  });
});

describe("Analytics Engine", () => {
  it("a succeeded job writes exactly one point with its model, provider, status, tenant, tag, durations and cost", async () => {
    const { id } = await createJob(SEEDREAM);
    const job = await finished(id);
    expect(job.status).toBe("succeeded");
    // more alarms after the end write nothing more
    await fireFollowUp(id);
    const mine = points.filter((p) => p.blobs[0] === "job" && p.blobs[5] === job.tenant);
    expect(mine).toHaveLength(1);
    const [point] = mine;
    expect(point!.indexes).toEqual([job.tenant]);
    expect(point!.blobs).toEqual(["job", "weshop/seedream", "weshop", "succeeded", "", job.tenant, "", "weshop_power"]);
    const [queueMs, runMs, totalMs, cost] = point!.doubles;
    expect(queueMs! + runMs!).toBe(totalMs);
    expect(totalMs).toBe(job.completedAt! - job.createdAt);
    expect(cost).toBe(job.cost?.actual?.amount);
    expect(cost).toBeGreaterThan(0);
  });

  it("a failed job's point carries its error code", async () => {
    h.sim.inject({ target: "wiro.run", kind: "error_final" });
    const { id } = await createJob(WIRO);
    const job = await finished(id);
    expect(job.status).toBe("failed");
    const mine = points.filter((p) => p.blobs[0] === "job" && p.blobs[3] === "failed");
    expect(mine).toHaveLength(1);
    expect(mine[0]!.blobs.slice(1, 5)).toEqual([WIRO.model, "wiro", "failed", "97"]);
  });

  it("a delivered webhook writes one point: event, outcome, status, attempts; never the receiver's URL", async () => {
    const { id } = await createJob({ ...SEEDREAM, webhookUrl: `${HOOK_ORIGIN}/ops?token=receiver-secret` });
    await finished(id);
    await fireDelivery(messageId(id, "job.succeeded"));
    const hooks = points.filter((p) => p.blobs[0] === "webhook");
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.blobs).toEqual(["webhook", "job.succeeded", "delivered", "200", id]);
    expect(hooks[0]!.doubles[0]).toBe(1);
    expect(JSON.stringify(hooks)).not.toContain("receiver-secret");
  });
});

describe("GET /v1/stats", () => {
  it("counts the caller's finished jobs of the last 24 h by status and code, with run times, cost and the providers' lines", async () => {
    const before = (await (await api("/v1/stats")).json()) as Stats;
    const a = await finished((await createJob(SEEDREAM)).id);
    const b = await finished((await createJob(SEEDREAM)).id);
    h.sim.inject({ target: "weshop.submit", kind: "error_final" });
    const c = await finished((await createJob(SEEDREAM)).id);
    expect([a.status, b.status, c.status]).toEqual(["succeeded", "succeeded", "failed"]);

    const res = await api("/v1/stats");
    expect(res.status).toBe(200);
    const stats = (await res.json()) as Stats;
    expect(stats.window).toBe("24h");
    expect(stats.jobs.byStatus.succeeded).toBe((before.jobs.byStatus.succeeded ?? 0) + 2);
    expect(stats.jobs.byStatus.failed).toBe((before.jobs.byStatus.failed ?? 0) + 1);
    expect(stats.jobs.byErrorCode.INSUFFICIENT_POWER).toBe((before.jobs.byErrorCode.INSUFFICIENT_POWER ?? 0) + 1);
    const run = stats.jobs.runMs["weshop/seedream"]!;
    expect(run.p50).toBeLessThanOrEqual(run.p95);
    expect(run.p95).toBeGreaterThanOrEqual(
      Math.round(Math.max(a.completedAt! - a.startedAt!, b.completedAt! - b.startedAt!) * 0.999),
    );
    const power = (s: Stats) => s.cost.find((x) => x.unit === "weshop_power")?.amount ?? 0;
    expect(power(stats) - power(before)).toBeCloseTo(
      a.cost!.actual!.amount + b.cost!.actual!.amount + (c.cost?.actual?.amount ?? 0),
    );
    expect(stats.jobs.perHour).toHaveLength(24);
    expect(stats.jobs.perHour.at(-1)!.succeeded).toBeGreaterThanOrEqual(2);
    expect(stats.providers.map((p) => p.name)).toEqual(["weshop", "wiro"]);
    expect(stats.providers[0]).toMatchObject({ running: 0, waiting: 0, oldestWaitingSeconds: null });
    expect(stats.providers[0]!.cap).toBeGreaterThan(0);

    // another key sees none of it
    const other = (await (await api("/v1/stats", { key: KEY_B })).json()) as Stats;
    expect(other.jobs.byStatus.succeeded ?? 0).toBe(0);
  });
});

interface Stats {
  providers: { name: string; running: number; cap: number; waiting: number; oldestWaitingSeconds: number | null }[];
  window: string;
  jobs: {
    byStatus: Record<string, number>;
    byErrorCode: Record<string, number>;
    runMs: Record<string, { p50: number; p95: number }>;
    perHour: { start: string; succeeded: number; failed: number; canceled: number }[];
  };
  cost: { unit: string; amount: number }[];
}
