// A cancel never waits for the job's step in flight: it answers while the step is held, the step
// is aborted where that is safe (not a Wiro Run, whose answer names the task to stop), and the job
// ends canceled with nothing overwritten by the step's late return. The RELIABILITY.md row "client
// cancel while a step hangs" measures the cancel's latency with each kind of step held.
// What happens to the provider's task afterwards: cancel-stop.test.ts.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { BatchRecord } from "../../src/batches/batch-client.ts";
import { batchJobId } from "../../src/batches/batch-object.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { firstStep, stepUntil } from "../reliability/steps.ts";
import { requestsTo, restoreProviderPace, tasksPerJob } from "../reliability/support.ts";
import { SIM_ORIGIN } from "../support/bindings.ts";
import { SEEDREAM, WIRO } from "../support/builders.ts";
import { api, createJob, fireFollowUp, type Harness, startHarness, storedJob } from "../support/harness.ts";
import { holdRequests, releaseAll, settled, stepInBackground } from "../support/in-flight.ts";
import { cancel, PATIENT, parkedBeforeSubmit } from "./cancel-support.ts";

let h: Harness;
beforeEach(async () => {
  h = startHarness();
  await restoreProviderPace();
});
afterEach(async () => {
  releaseAll();
  await h.stop();
});

const isSubmit = (url: string, method: string) => method === "POST" && url.endsWith("/agent/runs");

describe("a cancel never waits for the step in flight", () => {
  it("during a held WeShop submit: answers while it is held and aborts it (what follows: cancel-stop.test.ts)", async () => {
    const id = await parkedBeforeSubmit(h, SEEDREAM, "weshop.submit");
    const submits = requestsTo(h, "weshop.submit").length;
    const held = holdRequests(h, isSubmit);
    await stepInBackground(id, PATIENT);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    const answer = await cancel(id);
    // answered while the submit is still held, and the cancel (not a timeout) aborted it
    expect(held[0]!.released).toBe(false);
    expect(held[0]!.abortedBy()).toBe("AbortError");
    expect(answer).toMatchObject({ status: "canceled", error: { code: "canceled_by_client" } });
    expect(answer.error.message).not.toMatch(/before the run reached/);
    held[0]!.release();
    const job = await settled(id);
    expect(job.status).toBe("canceled");
    // the held submit is the only one: it is never sent again after the cancel
    expect(requestsTo(h, "weshop.submit")).toHaveLength(submits + 1);
    expect(job.slotHeld).toBeFalsy();
  });

  it("during a hung output download: answers while it is held, aborts it, and no object is left in R2", async () => {
    const { id } = await createJob(SEEDREAM);
    await stepUntil(h, id, (j) => j.status === "copying");
    const held = holdRequests(h, (url) => url.startsWith(`${SIM_ORIGIN}/files/`));
    await stepInBackground(id, PATIENT);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    const answer = await cancel(id);
    expect(held[0]!.released).toBe(false);
    expect(held[0]!.abortedBy()).toBe("AbortError");
    expect(answer.status).toBe("canceled");
    expect(answer.error.message).toMatch(/while outputs were being copied/);
    expect(answer.outputs).toEqual([
      expect.objectContaining({ status: "failed", error: "canceled before it was copied" }),
    ]);

    held[0]!.release();
    const job = await settled(id);
    expect(job.status).toBe("canceled");
    expect(job.outputs).toEqual([
      expect.objectContaining({ status: "failed", error: "canceled before it was copied" }),
    ]);
    expect((await env.MEDIA.list({ prefix: `jobs/${id}/` })).objects).toEqual([]);
  });

  it("a Wiro Run in flight is not aborted: its answer, landing after the cancel, names the task, which is stopped", async () => {
    const id = await parkedBeforeSubmit(h, WIRO, "wiro.run");
    const held = holdRequests(h, (url) => url.includes("/wiro/v1/Run/"));
    await stepInBackground(id, PATIENT);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    const answer = await cancel(id);
    expect(held[0]!.released).toBe(false);
    // aborted, the task it may create could never be named, so never stopped
    expect(held[0]!.abortedBy()).toBeUndefined();
    expect(answer.status).toBe("canceled");
    expect(answer.error.message).toMatch(/being submitted to Wiro; the task it creates is stopped/);

    held[0]!.release("answer");
    const job = await settled(id);
    // the step that ended after the cancel changed nothing but what it learned about the task
    expect(job.status).toBe("canceled");
    expect(job.error?.code).toBe("canceled_by_client");
    expect(h.sim.tasks()).toHaveLength(1);
    expect(job.task?.taskId).toBe(h.sim.tasks()[0]!.id);
    expect(job.stop?.confirmed).toBe(true);
    expect(job.providerStatus).toBe("task_cancel");
    expect(job.error?.message).toMatch(
      /^Canceled by the client\. Wiro task \d+ canceled while queued \(Task\/Detail shows task_cancel\)\.$/,
    );
    expect(h.sim.tasks()[0]!.canceledAt).toBeDefined();
  });

  it("a job canceled before anything was sent stays local: no provider call, nothing to confirm", async () => {
    const id = await parkedBeforeSubmit(h, SEEDREAM, "weshop.submit");
    const calls = h.sim.requests.length;
    const answer = await cancel(id);
    expect(answer.error.message).toBe("Canceled by the client before the run reached the provider.");
    expect(answer.provider.stopConfirmed).toBeUndefined();
    const job = await fireFollowUp(id);
    expect(job.stop).toBeUndefined();
    expect(job.providerStop).toBeUndefined();
    expect(h.sim.requests.length).toBe(calls);
  });

  it("a batch cancel does not wait for its jobs' steps in flight", async () => {
    const held = holdRequests(h, isSubmit, 2);
    const res = await api("/v1/batches", { json: { jobs: [SEEDREAM, SEEDREAM] } });
    expect(res.status).toBe(202);
    const batchId = ((await res.json()) as { id: string }).id;
    const ids = [await batchJobId(batchId, 0), await batchJobId(batchId, 1)];
    h.jobs.push(...ids);
    const batch = env.BATCHES.get(env.BATCHES.idFromName(batchId));
    const record = () => runDurableObjectAlarm(batch).then(() => runInBatch(batch));
    // both jobs are created and their first alarms are sending their submits
    await vi.waitFor(async () => {
      await record();
      expect(held).toHaveLength(2);
    });
    expect((await api(`/v1/batches/${batchId}/cancel`, { method: "POST" })).status).toBe(200);
    await vi.waitFor(async () => expect((await record()).cancelProgress).toBe(2));
    // every job was canceled while its submit was still held
    expect(held.every((x) => !x.released)).toBe(true);
    for (const id of ids) expect((await storedJob(id)).status).toBe("canceled");
    for (const x of held) x.release();
    for (const id of ids) expect((await settled(id)).status).toBe("canceled");
  });
});

function runInBatch(stub: DurableObjectStub): Promise<BatchRecord> {
  return runInDurableObject(stub, (_, state) => state.storage.kv.get<BatchRecord>("batch")!);
}

const ROUNDS = 3;
const figure = (text: string) => console.log(`[reliability figure] ${text}`);

interface Case {
  name: string;
  /** Brings a new job to just before the step that will hang, parked. */
  prepare(): Promise<string>;
  hangs(url: string, method: string): boolean;
  /** The cancel aborts the held request (every step but a Wiro Run, whose answer names the task to stop). */
  aborted: boolean;
  check(job: JobRecord): Promise<void> | void;
}

const CASES: Case[] = [
  {
    name: "WeShop submit",
    prepare: () => parkedBeforeSubmit(h, SEEDREAM, "weshop.submit"),
    hangs: (url, method) => method === "POST" && url.endsWith("/agent/runs"),
    aborted: true,
    check: async (job) => {
      // the aborted submit is never sent again (that could start a run after the cancel): the
      // job says a run may exist; at most the one held submit reached WeShop
      expect(job.error?.message).toMatch(/a run may exist there .* did not ask again/);
      expect(job.task).toBeUndefined();
      expect((await tasksPerJob(h)).get(job.id) ?? 0).toBeLessThanOrEqual(1);
    },
  },
  {
    name: "Wiro Run",
    prepare: () => parkedBeforeSubmit(h, WIRO, "wiro.run"),
    hangs: (url) => url.includes("/wiro/v1/Run/"),
    aborted: false,
    check: (job) => {
      expect(job.stop?.confirmed).toBe(true);
      expect(h.sim.tasks().filter((t) => t.id === job.task?.taskId && t.canceledAt !== undefined)).toHaveLength(1);
    },
  },
  {
    name: "Wiro Task/Detail poll",
    prepare: async () => {
      const { id } = await createJob(WIRO);
      expect((await firstStep(id)).status).toBe("running");
      return id;
    },
    hangs: (url) => url.endsWith("/Task/Detail"),
    aborted: true,
    check: (job) => {
      expect(job.stop?.confirmed).toBe(true);
      expect(job.providerStatus).toBe("task_cancel");
    },
  },
  {
    name: "output download",
    prepare: async () => {
      const { id } = await createJob(SEEDREAM);
      await stepUntil(h, id, (j) => j.status === "copying");
      return id;
    },
    hangs: (url) => url.startsWith(`${SIM_ORIGIN}/files/`),
    aborted: true,
    check: async (job) => {
      expect(job.outputs.every((o) => o.status === "failed")).toBe(true);
      expect((await env.MEDIA.list({ prefix: `jobs/${job.id}/` })).objects).toEqual([]);
    },
  },
];

describe("client cancel while a step hangs", () => {
  const latencies = new Map<string, number[]>();
  afterAll(() => {
    for (const [name, ms] of latencies) {
      const sorted = [...ms].sort((a, b) => a - b);
      figure(
        `cancel during a hung ${name}: answered in median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms over ${ms.length} cancels, each while the step was still held`,
      );
    }
  });

  it.each(CASES.map((c) => [c.name, c] as const))(
    "%s hung: the cancel answers while it is held; the job ends canceled, nothing overwritten",
    async (name, c) => {
      for (let round = 0; round < ROUNDS; round++) {
        const id = await c.prepare();
        const held = holdRequests(h, c.hangs);
        await stepInBackground(id, PATIENT);
        await vi.waitFor(() => expect(held).toHaveLength(1));
        const started = performance.now();
        const res = await api(`/v1/jobs/${id}/cancel`, { method: "POST" });
        const ms = performance.now() - started;
        latencies.set(name, [...(latencies.get(name) ?? []), ms]);
        expect(res.status).toBe(200);
        expect(((await res.json()) as { status: string }).status).toBe("canceled");
        // answered while the step is still in flight
        expect(held[0]!.released).toBe(false);
        expect(held[0]!.abortedBy()).toBe(c.aborted ? "AbortError" : undefined);
        held[0]!.release(c.aborted ? "forward" : "answer");
        const job = await settled(id);
        expect(job.status).toBe("canceled");
        expect(job.error?.code).toBe("canceled_by_client");
        expect(job.error?.message).not.toMatch(/before the run reached/);
        await c.check(job);
      }
    },
  );
});
