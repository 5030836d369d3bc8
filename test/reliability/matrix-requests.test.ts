// The fault matrix of RELIABILITY.md, one describe per row, each titled with the row's fault, in
// five files (matrix-*.test.ts; what they share is in matrix-support.ts). Every row asserts the
// expected behaviour and, where the row has one, its figure.
// This file: requests that come twice, late or forged: callbacks, one Idempotency-Key at once, cron ticks.
import {
  createExecutionContext,
  createScheduledController,
  env,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { BatchRecord } from "../../src/batches/batch-client.ts";
import { batchJobId } from "../../src/batches/batch-object.ts";
import worker from "../../src/index.ts";
import { CONFIRM_WINDOW_MS } from "../../src/jobs/machine/policies.ts";
import { scheduledBatchId } from "../../src/schedules/schedules.ts";
import { SIM_ORIGIN } from "../support/bindings.ts";
import { SEEDREAM, WIRO } from "../support/builders.ts";
import { api, createJob, type Harness, startHarness, storedJob } from "../support/harness.ts";
import { drive, driveCounting, firstStep, runDue, stepAlarm } from "./steps.ts";
import { cancelOpenJobs, checkStored, requestsTo, restoreProviderPace, tasksPerJob } from "./support.ts";

let h: Harness;
beforeEach(async () => {
  h = startHarness();
  await restoreProviderPace();
});
afterEach(async () => {
  await cancelOpenJobs(h);
  await h.stop();
});

describe("duplicate, late or replayed callbacks", () => {
  const post = (url: string, body = "{}") =>
    exports.default.fetch(new Request(url, { method: "POST", body, headers: { "Content-Type": "application/json" } }));
  const details = () => requestsTo(h, "wiro.detail").length;

  it("bursts before and after the end: at most one confirmation per window; R2 writes = outputs", async () => {
    const { id } = await createJob(WIRO);
    await firstStep(id);
    const callbackUrl = h.sim.tasks()[0]!.callbackUrl!;
    // a burst while the task still runs: the alarm it brings forward confirms once
    expect((await Promise.all(Array.from({ length: 10 }, () => post(callbackUrl)))).map((r) => r.status)).toEqual(
      Array(10).fill(200),
    );
    const confirmed = await runDue(id);
    expect(confirmed.status).toBe("running");
    expect(details()).toBe(1);
    // another burst right after that poll: the next confirmation waits for the window
    await Promise.all(Array.from({ length: 10 }, () => post(callbackUrl)));
    const waiting = await storedJob(id);
    expect(waiting.nextAt).toBeGreaterThanOrEqual(confirmed.lastPollAt! + CONFIRM_WINDOW_MS);
    // even an alarm that comes early does not confirm inside the window
    await runDue(id);
    expect(details()).toBe(1);
    // the task ends: Wiro's own callback plus duplicates, then the job runs to its end
    h.advance(60_000);
    await Promise.all([h.sim.tick(), ...Array.from({ length: 20 }, () => post(callbackUrl))]);
    const puts = vi.spyOn(env.MEDIA, "put");
    try {
      const { job } = await driveCounting(h, id, 0);
      expect(job.status).toBe("succeeded");
      expect(details()).toBe(2);
      const object = await env.MEDIA.head(job.outputs[0]!.key!);
      // late and replayed callbacks after the end change nothing
      expect((await Promise.all(Array.from({ length: 5 }, () => post(callbackUrl)))).map((r) => r.status)).toEqual(
        Array(5).fill(200),
      );
      await h.sim.tick();
      await runDue(id);
      await stepAlarm(id);
      expect(details()).toBe(2);
      expect(puts).toHaveBeenCalledTimes(job.outputs.length);
      expect(requestsTo(h, "media")).toHaveLength(job.outputs.length);
      expect((await env.MEDIA.head(job.outputs[0]!.key!))?.etag).toBe(object?.etag);
      expect(await checkStored(h, [job])).toEqual({ objects: 1, stored: 1, bad: [] });
    } finally {
      puts.mockRestore();
    }
  });
});

describe("forged callback (wrong token, foreign URLs in body)", () => {
  const post = (url: string, body: string) =>
    exports.default.fetch(new Request(url, { method: "POST", body, headers: { "Content-Type": "application/json" } }));

  it("404, body ignored: 0 provider calls, 0 fetches of body URLs, jobs untouched", async () => {
    const a = (await createJob(WIRO)).id;
    const b = (await createJob(WIRO)).id;
    const c = (await createJob(SEEDREAM)).id;
    for (const id of [a, b, c]) await firstStep(id);
    const token = (id: string) =>
      h.sim
        .tasks()
        .find((t) => t.callbackUrl?.includes(id))!
        .callbackUrl!.split("/")
        .pop()!;
    const [ta, tb] = [token(a), token(b)];
    const flipped = ta.slice(0, -1) + (ta.endsWith("A") ? "B" : "A");
    const foreign = `${SIM_ORIGIN}/files/big/4096.mp4`;
    const body = JSON.stringify({
      status: "task_postprocess_end",
      pexit: "0",
      outputs: [{ url: foreign }, { url: "https://evil.example.com/x.mp4" }],
      tasklist: [{ outputs: [{ url: foreign }] }],
    });
    const forged = [
      `/callbacks/wiro/${a}/${tb}`, // another job's token
      `/callbacks/wiro/${a}/${flipped}`, // one character off
      `/callbacks/wiro/${a}/${"A".repeat(43)}`,
      `/callbacks/wiro/${c}/${ta}`, // a WeShop job has no callback
      `/callbacks/wiro/job_${"q".repeat(20)}/${ta}`, // unknown job
      `/callbacks/wiro/${a}/${ta}/extra`,
      `/callbacks/wiro/${a}`,
    ];
    const before = await Promise.all([a, b, c].map((id) => storedJob(id)));
    const requests = h.sim.requests.length;
    for (const path of forged) {
      const res = await post(`https://seedrun.test${path}`, body);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    }
    expect(h.sim.requests.length).toBe(requests);
    expect(await Promise.all([a, b, c].map((id) => storedJob(id)))).toEqual(before);
    // and later, when the jobs run to their end, nothing from the forged bodies is fetched
    const jobs = await Promise.all([a, b, c].map((id) => drive(h, id)));
    expect(jobs.map((j) => j.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(h.sim.requests.filter((r) => r.path.startsWith("/files/big/"))).toEqual([]);
    expect(h.outbound).toEqual([]);
    expect(jobs.flatMap((j) => j.outputs.map((o) => o.sourceUrl))).not.toContain(foreign);
  });
});

describe("concurrent requests with one Idempotency-Key / same key, new body", () => {
  const post = (json: unknown, key: string) => api("/v1/jobs", { json, headers: { "Idempotency-Key": key } });

  it("8 at once with one key: one job, the provider called once", async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(SEEDREAM, "race-1")));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(202));
    const ids = new Set(await Promise.all(answers.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    expect(answers.filter((r) => r.headers.get("Idempotent-Replayed") !== "true")).toHaveLength(1);
    const [id] = [...ids];
    expect((await drive(h, id!)).status).toBe("succeeded");
    expect(requestsTo(h, "weshop.submit")).toHaveLength(1);
    expect(h.sim.tasks()).toHaveLength(1);
  });

  it("6 at once, one key, two bodies: one job for the body that won, 422 for every other", async () => {
    const other = { ...SEEDREAM, params: { textDescription: "a wolf" } };
    const bodies = Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? SEEDREAM : other));
    const answers = await Promise.all(bodies.map((b) => post(b, "race-2")));
    const winner = bodies[answers.findIndex((r) => r.status === 202)]!;
    for (const [i, res] of answers.entries()) {
      if (bodies[i] === winner) expect(res.status).toBe(202);
      else {
        expect(res.status).toBe(422);
        expect(((await res.json()) as { code: string }).code).toBe("idempotency_key_reused");
      }
    }
    const ids = new Set(h.jobs);
    expect(ids.size).toBe(1);
    await drive(h, [...ids][0]!);
    expect(h.sim.tasks()).toHaveLength(1);
  });

  it("4 batches at once with one key: one batch", async () => {
    const body = { jobs: [SEEDREAM] };
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => api("/v1/batches", { json: body, headers: { "Idempotency-Key": "race-3" } })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(4).fill(202));
    const ids = new Set(await Promise.all(answers.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    const batchId = [...ids][0]!;
    // its one job is created once, and ended with the test
    const batch = env.BATCHES.get(env.BATCHES.idFromName(batchId));
    await runInDurableObject(batch, async (instance, state) => {
      await state.storage.deleteAlarm();
      await instance.alarm();
    });
    expect((await runInDurableObject(batch, (_, state) => state.storage.kv.get<BatchRecord>("batch")!)).created).toBe(
      1,
    );
    h.jobs.push(await batchJobId(batchId, 0));
  });
});

describe("redeploy / cron tick delivered twice or late", () => {
  beforeEach(async () => {
    await env.DB.exec("DELETE FROM schedules");
  });

  /** The worker's scheduled handler, with an env that records which batches get created. */
  async function tick(batches: string[], scheduledTime = Date.now()) {
    const recording = new Proxy(env, {
      get(target, prop, receiver) {
        if (prop !== "BATCHES") return Reflect.get(target, prop, receiver);
        return {
          idFromName: (name: string) => {
            batches.push(name);
            return target.BATCHES.idFromName(name);
          },
          get: (id: DurableObjectId) => target.BATCHES.get(id),
        };
      },
    }) as unknown as Env;
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ scheduledTime, cron: "* * * * *" }), recording, ctx);
    await waitOnExecutionContext(ctx);
  }

  it("each due time starts one batch however often the tick comes; the jobs finish", async () => {
    const res = await api("/v1/schedules", {
      json: { name: "nightly", cron: "*/5 * * * *", batch: { jobs: [SEEDREAM, WIRO] } },
    });
    expect(res.status).toBe(201);
    const schedule = (await res.json()) as { id: string };
    const setDue = (at: number) =>
      env.DB.prepare("UPDATE schedules SET next_run_at = ? WHERE id = ?").bind(at, schedule.id).run();
    const batches: string[] = [];

    // due time 1: the tick is delivered three times at once (a redeploy re-sends it)
    const first = Date.now() - 60_000;
    await setDue(first);
    await Promise.all([tick(batches), tick(batches), tick(batches)]);
    // due time 2, three hours late: it runs once, not once per missed slot, and twice-delivered changes nothing
    const second = Date.now() - 3 * 3600_000;
    await setDue(second);
    await tick(batches, second);
    await tick(batches, second);
    await tick(batches);

    const expected = [await scheduledBatchId(schedule.id, first), await scheduledBatchId(schedule.id, second)];
    // 0 double batches
    expect(new Set(batches)).toEqual(new Set(expected));
    const view = (await (await api(`/v1/schedules/${schedule.id}`)).json()) as {
      lastBatchId: string;
      nextRunAt: string;
    };
    expect(view.lastBatchId).toBe(expected[1]);
    expect(Date.parse(view.nextRunAt)).toBeGreaterThan(Date.now());

    // 0 stuck jobs: every job of both batches is fanned out and finishes
    for (const batchId of expected) {
      await runInDurableObject(env.BATCHES.get(env.BATCHES.idFromName(batchId)), async (instance, state) => {
        await state.storage.deleteAlarm();
        await instance.alarm();
      });
      const batch = await runInDurableObject(
        env.BATCHES.get(env.BATCHES.idFromName(batchId)),
        (_, state) => state.storage.kv.get<BatchRecord>("batch")!,
      );
      expect(batch.created).toBe(2);
      for (let i = 0; i < 2; i++) h.jobs.push(await batchJobId(batchId, i));
    }
    const jobs = await Promise.all(h.jobs.map((id) => drive(h, id)));
    expect(jobs.map((j) => j.status)).toEqual(Array(4).fill("succeeded"));
    for (const batchId of expected) {
      const batch = (await (await api(`/v1/batches/${batchId}`)).json()) as {
        status: string;
        counts: Record<string, number>;
      };
      expect(batch.status).toBe("completed");
      expect(batch.counts.succeeded).toBe(2);
    }
    expect(h.sim.tasks()).toHaveLength(4);
    for (const count of (await tasksPerJob(h)).values()) expect(count).toBe(1);
  });
});
