// The stop of a provider task as pure transitions: what a canceled job says at once, what a step
// in flight at the cancel may add, and how each stop attempt's answer is taken.
import { describe, expect, it } from "vitest";
import { MAX_POLL_ERRORS, MAX_STOP_ATTEMPTS, STOP_PATIENCE_MS } from "../../src/jobs/machine/policies.ts";
import { afterPoll } from "../../src/jobs/poll/poll.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { absorbStep, afterStop, cancelJob, deadlineStop, submitLost } from "../../src/jobs/stop/stop.ts";
import { afterSubmit, markSubmitting } from "../../src/jobs/submit/submit.ts";
import type { Outcome, StopResult } from "../../src/providers/types.ts";
import { jobRecord, ON_WIRO, T0, tick } from "../support/builders.ts";

function job(over: Partial<JobRecord> = {}): JobRecord {
  return jobRecord({
    ...ON_WIRO,
    status: "running",
    task: { taskId: "2221", token: "tok" },
    submitAttempts: 1,
    ...over,
  });
}

const pending: Outcome<StopResult> = {
  ok: true,
  value: { state: "pending", providerStatus: "task_accept", message: "Wiro cannot stop task 2221 yet" },
};
const serverError: Outcome<StopResult> = {
  ok: false,
  error: { retryable: true, code: "0", message: "Internal server error" },
};

describe("cancelJob", () => {
  it("a Wiro task that exists is to be stopped now; nothing is claimed yet", () => {
    const ended = cancelJob(job(), false, tick());
    expect(ended).toMatchObject({
      status: "canceled",
      stop: { confirmed: false },
      providerStop: { nextAt: T0, attempts: 0 },
    });
    expect(ended.error).toEqual({
      code: "canceled_by_client",
      message: "Canceled by the client. Asking Wiro to stop task 2221.",
      retryable: false,
    });
  });

  it("a WeShop run that exists cannot be stopped: it says so, with its executionId, and asks nothing", () => {
    const ended = cancelJob(
      job({ provider: "weshop", model: "weshop/seedream", task: { taskId: "exec-1" } }),
      false,
      tick(),
    );
    expect(ended.providerStop).toBeUndefined();
    expect(ended.error?.message).toMatch(
      /executionId exec-1\) and may still finish and be billed: WeShop has no cancel endpoint/,
    );
  });

  it("a submit whose answer is missing is never called 'nothing sent'", () => {
    const submitting = job({ status: "queued", task: undefined, submitStartedAt: T0 - 5 });
    for (const [over, inFlight] of [
      [{ provider: "weshop" as const, model: "weshop/seedream" as const }, false],
      [{}, false],
      [{}, true],
    ] as const) {
      const ended = cancelJob({ ...submitting, ...over }, inFlight, tick());
      expect(ended.error?.message).not.toMatch(/before the run reached/);
      expect(ended.error?.message).toMatch(/may exist|being submitted/);
    }
    expect(cancelJob({ ...submitting, submitStartedAt: undefined }, false, tick()).error?.message).toBe(
      "Canceled by the client before the run reached the provider.",
    );
  });
});

describe("absorbStep", () => {
  it("a definite refusal of the only submit means no run exists; after an earlier unconfirmed one a run may exist, and nothing is looked up", () => {
    const queued = job({ provider: "weshop", model: "weshop/seedream", status: "queued", task: undefined });
    const marked = markSubmitting(queued, tick());
    const canceled = cancelJob(marked, true, tick());
    const refused = afterSubmit(
      marked,
      { ok: false, error: { retryable: false, code: "INVALID_PARAMETER", message: "bad" } },
      true,
      tick(),
    );
    const first = absorbStep(canceled, queued, refused, tick());
    expect(first.providerStop).toBeUndefined();
    expect(first.error?.message).toBe(
      "Canceled by the client; WeShop refused the submit (INVALID_PARAMETER: bad), so no run was created.",
    );
    const again = absorbStep(canceled, { ...queued, submitStartedAt: T0 - 1000 }, refused, tick());
    expect(again.providerStop).toBeUndefined();
    expect(again.error?.message).toMatch(/a run may exist there/);
  });

  it("keeps the slot the step took and the output it stored, never the step's status", () => {
    const copying = job({
      status: "copying",
      outputs: [{ index: 0, kind: "video", status: "pending", sourceUrl: "u", attempts: 0 }],
    });
    const canceled = cancelJob(copying, false, tick());
    const stored = {
      ...copying,
      status: "succeeded" as const,
      slotHeld: true,
      outputs: [{ index: 0, kind: "video" as const, status: "stored" as const, key: "k", attempts: 0 }],
    };
    const absorbed = absorbStep(canceled, copying, stored, tick());
    expect(absorbed.status).toBe("canceled");
    expect(absorbed.slotHeld).toBe(true);
    expect(absorbed.outputs[0]).toMatchObject({ status: "stored", key: "k" });
  });

  it("a Wiro submit whose alarm was lost says a task may exist that cannot be named", () => {
    const lost = submitLost(cancelJob(job({ status: "queued", task: undefined, submitStartedAt: T0 }), true, tick()));
    expect(lost.stop?.awaitingSubmit).toBeUndefined();
    expect(lost.error?.message).toMatch(
      /a Wiro task may exist; it cannot be stopped because Wiro never said which task it is\.$/,
    );
  });
});

describe("afterStop", () => {
  const stopping = cancelJob(job(), false, tick());

  it("a task Wiro cannot stop yet is asked again with backoff, until the patience runs out", () => {
    const again = afterStop(stopping, pending, tick(T0 + 1000));
    expect(again.providerStop).toMatchObject({ attempts: 0, tries: 1, since: T0 });
    expect(again.providerStop!.nextAt).toBeGreaterThan(T0 + 1000);
    expect(again.providerStatus).toBe("task_accept");
    expect(again.error?.message).toBe("Canceled by the client. Wiro cannot stop task 2221 yet; asking again.");
    const tired = afterStop(again, pending, tick(T0 + STOP_PATIENCE_MS));
    expect(tired.providerStop).toBeUndefined();
    expect(tired.stop?.confirmed).toBe(false);
    expect(tired.error?.message).toMatch(
      /^Canceled by the client\. Tracking stopped, but after 30 minutes of asking: .* the task may still run and be billed\.$/,
    );
  });

  it("errors are retried MAX_STOP_ATTEMPTS times, then the job says the stop was not confirmed", () => {
    let current = stopping;
    for (let i = 1; i < MAX_STOP_ATTEMPTS; i++) {
      current = afterStop(current, serverError, tick(T0 + i));
      expect(current.providerStop?.attempts).toBe(i);
    }
    current = afterStop(current, serverError, tick(T0 + 99));
    expect(current.providerStop).toBeUndefined();
    expect(current.error?.message).toBe(
      `Canceled by the client. Tracking stopped, but Wiro did not confirm the stop after ${MAX_STOP_ATTEMPTS} tries (0: Internal server error); the task may still run and be billed.`,
    );
  });

  it("a confirmed stop ends the stop and records the provider's status", () => {
    const done = afterStop(
      stopping,
      {
        ok: true,
        value: {
          state: "stopped",
          ended: false,
          providerStatus: "task_cancel",
          message: "Wiro task 2221 killed (Task/Detail shows task_cancel)",
        },
      },
      tick(),
    );
    expect(done).toMatchObject({ providerStatus: "task_cancel", stop: { confirmed: true }, providerStop: undefined });
    expect(done.error?.message).toBe("Canceled by the client. Wiro task 2221 killed (Task/Detail shows task_cancel).");
  });
});

describe("a WeShop submit without an answer, canceled", () => {
  it("is never looked up (a resubmit could start the run): nothing is due at WeShop, and the job says a run may exist", () => {
    const ended = cancelJob(
      job({ provider: "weshop", model: "weshop/seedream", status: "queued", task: undefined, submitStartedAt: T0 }),
      false,
      tick(),
    );
    expect(ended.providerStop).toBeUndefined();
    expect(ended.stop?.resolve).toBeUndefined();
    expect(ended.error?.message).toMatch(
      /^Canceled by the client\. A submit to WeShop had been sent without a confirmed answer, so a run may exist there/,
    );
  });

  it("a lookup stored by an earlier version is dropped, not made", () => {
    const old = job({
      provider: "weshop",
      model: "weshop/seedream",
      status: "canceled",
      task: undefined,
      stop: { headline: "Canceled by the client.", note: "looking it up", confirmed: false, resolve: true },
      providerStop: { attempts: 0, tries: 0, nextAt: T0 },
    });
    const lost = submitLost({ ...old, error: { code: "canceled_by_client", message: "x", retryable: false } });
    expect(lost.providerStop).toBeUndefined();
    expect(lost.error?.message).toMatch(/did not ask again/);
  });
});

describe("deadlineStop", () => {
  it("a task whose status stayed unreadable through the poll-error cap is asked to stop: it may still run and bill", () => {
    const down: Outcome<never> = {
      ok: false,
      error: { retryable: true, code: "network_error", message: "could not reach the provider" },
    };
    let polled = job({ attempts: MAX_POLL_ERRORS - 1 });
    polled = afterPoll(polled, down, tick());
    expect(polled).toMatchObject({ status: "failed", error: { code: "provider_unavailable" } });
    const stopping = deadlineStop(polled, tick());
    expect(stopping.providerStop).toMatchObject({ nextAt: T0, attempts: 0 });
    expect(stopping.error?.message).toMatch(
      /^Gave up after \d+ failed attempts; .*\. Asking Wiro to stop task 2221\.$/,
    );
  });

  it("a task the provider itself reported as failed is not asked to stop", () => {
    const failed = afterPoll(
      job(),
      { ok: true, value: { state: "failed", providerStatus: "task_error", code: "run_failed", message: "boom" } },
      tick(),
    );
    expect(deadlineStop(failed, tick())).toBe(failed);
  });
});
