// Transient provider answers never end a job; a definite end (WeShop Cancelled) or refused
// credentials do, with a reason. Through the public API against the in-process simulator.
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FaultKind, type FaultTarget, wiroSignature } from "../../simulator/index.ts";
import { gateApi } from "../../src/jobs/gate/gate-client.ts";
import { weshopRunKey } from "../../src/providers/weshop-run.ts";
import { drive, firstStep, stepAlarm } from "../reliability/steps.ts";
import { cancelOpenJobs, layerFetch, requestsTo, restoreProviderPace } from "../reliability/support.ts";
import { SIM_ORIGIN, TEST_BINDINGS } from "../support/bindings.ts";
import { SEEDREAM, WIRO } from "../support/builders.ts";
import { jobInside } from "../support/do-internals.ts";
import { createJob, fireFollowUp, getJob, type Harness, jobStub, startHarness } from "../support/harness.ts";

let h: Harness;
beforeEach(async () => {
  h = startHarness();
  await restoreProviderPace();
});
afterEach(async () => {
  await cancelOpenJobs(h);
  await h.stop();
  await restoreProviderPace();
});

/** A job that has its provider task and is parked: the test takes each of its steps. */
async function runningJob(spec: typeof SEEDREAM | typeof WIRO): Promise<string> {
  const { id } = await createJob(spec);
  expect((await firstStep(id)).status).toBe("running");
  return id;
}

describe("one transient answer on a status poll", () => {
  it.each([
    ["weshop.poll", "concurrency_limit", SEEDREAM, /^40005: Concurrency limit reached/],
    ["weshop.poll", "system_error", SEEDREAM, /^50001: System error/],
    ["wiro.detail", "server_error", WIRO, /^0: An unexpected error occurred/],
    ["wiro.detail", "no_task_yet", WIRO, /^1: There is no task yet\./],
    ["wiro.detail", "http429", WIRO, /^0: Too many requests/],
  ] as [FaultTarget, FaultKind, typeof SEEDREAM | typeof WIRO, RegExp][])(
    "%s answering %s: the job keeps polling and succeeds with exactly one provider task",
    async (target, kind, spec, said) => {
      const id = await runningJob(spec);
      h.sim.inject({ target, kind });
      const polls = requestsTo(h, target).length;
      h.advance(1_000);
      const { job: met } = await stepAlarm(id);
      expect(requestsTo(h, target).length).toBe(polls + 1);
      // the answer was met and noted, and the job goes on
      expect(met).toMatchObject({ status: "running", attempts: 1 });
      expect(met.lastProviderError).toMatch(said);
      const job = await drive(h, id);
      expect(job.status).toBe("succeeded");
      expect(h.sim.tasks()).toHaveLength(1);
      const view = await getJob(id);
      expect(view.status).toBe("succeeded");
      expect(view.outputs.every((o) => o.status === "stored")).toBe(true);
    },
  );

  it("an answer that refuses for good on a poll (WeShop retryable:false) is retried too: the task exists and may be running", async () => {
    const id = await runningJob(SEEDREAM);
    h.sim.inject({ target: "weshop.poll", kind: "error_final" });
    h.advance(1_000);
    expect((await stepAlarm(id)).job).toMatchObject({
      status: "running",
      attempts: 1,
      lastProviderError: expect.stringMatching(/^INSUFFICIENT_POWER:/),
    });
    expect((await drive(h, id)).status).toBe("succeeded");
    expect(h.sim.tasks()).toHaveLength(1);
  });
});

describe("WeShop 40005 on submit is pushback", () => {
  it.each(["concurrency_limit", "system_error"] as const)(
    "%s with HTTP 200 on submit: retried with the same idempotency key; one task",
    async (kind) => {
      // the job retries on its own after a short backoff and the runtime may fire that alarm before
      // the test parks the job: such an early retry meets the same answer, so the job is still queued
      h.sim.inject({ target: "weshop.submit", kind, times: 20 });
      const { id } = await createJob(SEEDREAM);
      const first = await firstStep(id);
      h.sim.clearFaults();
      const refused = requestsTo(h, "weshop.submit").length;
      expect(first.status).toBe("queued");
      expect(first.attempts).toBe(refused);
      const pace = await gateApi(env, "weshop").snapshot();
      // only the concurrency limit asks the gate to slow down
      if (kind === "concurrency_limit")
        expect(pace.effectiveLimit).toBeLessThan(Number(TEST_BINDINGS.WESHOP_MAX_CONCURRENCY));
      else expect(pace.effectiveLimit).toBe(Number(TEST_BINDINGS.WESHOP_MAX_CONCURRENCY));
      const job = await drive(h, id);
      expect(job.status).toBe("succeeded");
      expect(h.sim.tasks()).toHaveLength(1);
      const key = await weshopRunKey(id);
      // the refused submits and the one that took, all under the job's one key
      const submits = requestsTo(h, "weshop.submit");
      expect(submits).toHaveLength(refused + 1);
      expect(new Set(submits.map((r) => r.headers["idempotency-key"]))).toEqual(new Set([key]));
    },
  );
});

describe("definite ends", () => {
  it.each(["Cancelled", "Canceled"])(
    "a WeShop run reported %s ends the job canceled with provider_canceled and WeShop's word",
    async (word) => {
      const id = await runningJob(SEEDREAM);
      // the simulator never cancels a run by itself; some WeShop material shows this state
      layerFetch(async (request, next) => {
        const res = await next();
        if (!request.url.includes("/agent/runs/")) return res;
        const answer = (await res.json()) as { data: { executions: { status: string; result: unknown[] }[] } };
        for (const execution of answer.data.executions) Object.assign(execution, { status: word, result: [] });
        return new Response(JSON.stringify(answer), { status: res.status, headers: res.headers });
      });
      const job = await drive(h, id);
      expect(job.status).toBe("canceled");
      expect(job.error).toEqual({
        code: "provider_canceled",
        message: `WeShop reported the run as ${word}`,
        retryable: true,
      });
      expect((await getJob(id)).provider).toMatchObject({ status: word });
      expect((await env.MEDIA.list({ prefix: `jobs/${id}/` })).objects).toEqual([]);
    },
  );
});

describe("a status that stays unreadable through the poll-error cap", () => {
  it("fails the job and then stops the Wiro task, which may still be running and billing", async () => {
    const id = await runningJob(WIRO);
    let down = true;
    layerFetch(async (request, next) =>
      down && request.url.endsWith("/Task/Detail") ? new Response("upstream down", { status: 502 }) : next(),
    );
    // small steps: the task is still queued at Wiro when the job gives up on it
    const failed = await drive(h, id, 50);
    expect(failed).toMatchObject({ status: "failed", error: { code: "provider_unavailable" } });
    expect(failed.stop?.confirmed).toBe(false);
    down = false;
    const job = await fireFollowUp(id);
    expect(requestsTo(h, "wiro.cancel").map((r) => JSON.parse(r.body) as unknown)).toEqual([
      { taskid: job.task!.taskId },
    ]);
    expect(job.stop?.confirmed).toBe(true);
    expect(h.sim.tasks()[0]!.canceledAt).toBeDefined();
    expect(job.error?.message).toMatch(
      /^Gave up after \d+ failed attempts; .*\. Wiro task \d+ canceled while queued \(Task\/Detail shows task_cancel\)\.$/,
    );
  });
});

describe("a Wiro task canceled outside seedrun", () => {
  it("ends the job canceled with provider_canceled once Task/Detail shows task_cancel", async () => {
    const id = await runningJob(WIRO);
    // someone cancels the queued task with the same project's key (e.g. from Wiro's dashboard or CLI)
    const nonce = "1234567";
    const res = await h.sim.fetch(
      new Request(`${SIM_ORIGIN}/wiro/v1/Task/Cancel`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-api-key": TEST_BINDINGS.WIRO_API_KEY,
          "x-nonce": nonce,
          "x-signature": await wiroSignature(TEST_BINDINGS.WIRO_API_KEY, TEST_BINDINGS.WIRO_API_SECRET, nonce),
        },
        body: JSON.stringify({ taskid: h.sim.tasks()[0]!.id }),
      }),
    );
    expect(((await res.json()) as { result: boolean }).result).toBe(true);
    const job = await drive(h, id);
    expect(job.status).toBe("canceled");
    expect(job.error).toMatchObject({ code: "provider_canceled", retryable: true });
    expect(job.providerStatus).toBe("task_cancel");
  });
});

/** Runs this job's object with other Wiro credentials from now on (a fresh env object, so no cached settings). */
async function withWiroCredentials(id: string, credentials: Record<string, string | undefined>): Promise<void> {
  await runInDurableObject(jobStub(id), (instance) => {
    const holder = jobInside(instance);
    holder.env = { ...holder.env, ...credentials };
  });
}

describe("Wiro refusing the credentials", () => {
  it("on a poll: the job fails at once with provider_auth_failed and Wiro's reason, asking nothing more", async () => {
    const id = await runningJob(WIRO);
    await withWiroCredentials(id, { WIRO_API_SECRET: "not-the-project-secret" });
    const polls = requestsTo(h, "wiro.detail").length;
    const job = await drive(h, id);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "provider_auth_failed", retryable: false });
    expect(job.error!.message).toContain("HTTP 401");
    expect(job.error!.message).toContain("Project authorization is not valid.");
    expect(requestsTo(h, "wiro.detail").length).toBe(polls + 1);
    // the secret itself is never repeated
    expect(JSON.stringify(await getJob(id))).not.toContain("not-the-project-secret");
  });

  it("on submit, a signature-based project called without WIRO_API_SECRET: 401, the job says the secret is needed", async () => {
    const id = `job_${"s".repeat(20)}`;
    await withWiroCredentials(id, { WIRO_API_SECRET: undefined });
    h.jobs.push(id);
    await jobStub(id).create({
      id,
      tenant: "t",
      model: "wiro/ByteDance/text-to-video-seedance-v1",
      params: { prompt: "a bicycle" },
      metadata: {},
      origin: "https://seedrun.test",
    });
    const job = await drive(h, id);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "provider_auth_failed", retryable: false });
    expect(job.error!.message).toContain("Project requires signature authentication");
    expect(job.error!.message).toContain("WIRO_API_SECRET");
    expect(requestsTo(h, "wiro.run")).toHaveLength(1);
    expect(requestsTo(h, "wiro.run")[0]!.headers["x-signature"]).toBeUndefined();
    expect(h.sim.tasks()).toHaveLength(0);
  });
});
