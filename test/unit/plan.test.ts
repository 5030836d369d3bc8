// What a due alarm does, decided from the job and the worker's setup without any I/O: the
// finishes that need no provider (settings invalid past the job's limit, provider key missing,
// a submit whose fate is unknown) and the step to take otherwise.
import { describe, expect, it } from "vitest";
import { plan } from "../../src/jobs/machine/plan.ts";
import { CONFIG_RECHECK_MS, CONFIRM_WINDOW_MS, MAX_QUEUE_MS } from "../../src/jobs/machine/policies.ts";
import { callbackNoted } from "../../src/jobs/poll/callbacks.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { jobRecord, T0, tick } from "../support/builders.ts";

const job = jobRecord;

const running = (over: Partial<JobRecord> = {}) =>
  job({ status: "running", task: { taskId: "t1" }, startedAt: T0, slotHeld: true, ...over });
const ready = { idempotentSubmit: true };

describe("plan", () => {
  it("with invalid settings waits and looks again, storing nothing, until the job's limit", () => {
    expect(plan(running(), { configProblems: ["SIGNING_SECRET"], idempotentSubmit: false }, tick(T0 + 1000))).toEqual({
      kind: "wait",
      wakeAt: T0 + 1000 + CONFIG_RECHECK_MS,
    });
  });

  it("with invalid settings past a running job's deadline ends it with configuration_error naming the settings", () => {
    const decided = plan(
      running(),
      { configProblems: ["SIGNING_SECRET"], idempotentSubmit: false },
      tick(T0 + 15 * 60_000),
    );
    expect(decided.kind).toBe("store");
    const ended = decided.kind === "store" ? decided.job : undefined;
    expect(ended?.status).toBe("failed");
    expect(ended?.error?.code).toBe("configuration_error");
    expect(ended?.error?.message).toContain("SIGNING_SECRET");
  });

  it("gives a job still waiting for a slot the day in line, not its run deadline, before configuration_error", () => {
    const queued = job({ deadlineAt: T0 - 1 });
    expect(plan(queued, { configProblems: ["X"], idempotentSubmit: false }, tick(T0 + 60_000)).kind).toBe("wait");
    expect(plan(queued, { configProblems: ["X"], idempotentSubmit: false }, tick(T0 + MAX_QUEUE_MS)).kind).toBe(
      "store",
    );
  });

  it("ends a submit or a poll with provider_not_configured when the provider's key is missing", () => {
    for (const start of [job(), running()]) {
      const decided = plan(start, { missingKeys: ["WESHOP_API_KEY"], idempotentSubmit: false }, tick());
      expect(decided.kind === "store" && decided.job.error).toEqual({
        code: "provider_not_configured",
        message: "WESHOP_API_KEY is not set",
        retryable: false,
      });
    }
  });

  it("copies outputs even without the provider's key: copying needs R2 only", () => {
    const copying = job({
      status: "copying",
      outputs: [{ index: 0, kind: "image", status: "pending", sourceUrl: "https://x/a.png", attempts: 0 }],
    });
    expect(plan(copying, { missingKeys: ["WESHOP_API_KEY"], idempotentSubmit: false }, tick())).toEqual({
      kind: "step",
      step: { kind: "copy", index: 0 },
    });
  });

  it("never resends a submit whose fate is unknown to a provider without idempotent submits; resends it to one with them", () => {
    const unconfirmed = job({ submitStartedAt: T0 - 1000, submitAttempts: 1 });
    const refused = plan(unconfirmed, { idempotentSubmit: false }, tick());
    expect(refused.kind === "store" && refused.job.error?.code).toBe("submit_uncertain");
    expect(plan(unconfirmed, ready, tick())).toEqual({ kind: "step", step: { kind: "submit" } });
  });

  it("polls a running job, and makes a copying job with nothing pending look again later", () => {
    expect(plan(running(), ready, tick())).toEqual({ kind: "step", step: { kind: "poll" } });
    const idle = plan(job({ status: "copying" }), ready, tick());
    expect(idle.kind === "store" && idle.job.nextAt).toBeGreaterThan(T0);
    expect(idle.kind === "store" && idle.job.status).toBe("copying");
  });
});

describe("a Wiro callback", () => {
  it("brings the confirming poll forward, to no earlier than a window after the last poll", () => {
    const noted = callbackNoted(running({ lastPollAt: T0, nextAt: T0 + 60_000 }), T0 + 500)!;
    expect(noted.job.callbackReceived).toBe(true);
    expect(noted.job.callbackReceivedAt).toBe(T0 + 500);
    expect(noted.job.nextAt).toBe(T0 + CONFIRM_WINDOW_MS);
    expect(noted.wakeAt).toBe(T0 + CONFIRM_WINDOW_MS);
  });

  it("a second one in the same window changes nothing", () => {
    const first = callbackNoted(running({ lastPollAt: T0, nextAt: T0 + 60_000 }), T0 + 500)!;
    expect(callbackNoted(first.job, T0 + 900)).toBeUndefined();
  });

  it("on a finished job is noted, but wakes nothing", () => {
    const ended = job({ status: "succeeded", nextAt: Number.POSITIVE_INFINITY });
    const noted = callbackNoted(ended, T0)!;
    expect(noted.job.callbackReceived).toBe(true);
    expect(noted.wakeAt).toBeUndefined();
  });
});
