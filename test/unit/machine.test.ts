import { describe, expect, it } from "vitest";
import { afterCopy } from "../../src/jobs/copy/copy.ts";
import { nextStep } from "../../src/jobs/machine/plan.ts";
import {
  MAX_COPY_ATTEMPTS,
  MAX_QUEUE_MS,
  MAX_SUBMIT_ATTEMPTS,
  runDeadlineMs,
} from "../../src/jobs/machine/policies.ts";
import { afterPoll } from "../../src/jobs/poll/poll.ts";
import { afterSubmit, markSubmitting, slotGranted, waitForSlot } from "../../src/jobs/submit/submit.ts";
import type { Outcome, ProviderError, TaskStatus } from "../../src/providers/types.ts";
import { jobRecord, T0, tick } from "../support/builders.ts";

const job = jobRecord;
const err = (e: Partial<ProviderError>): Outcome<never> => ({
  ok: false,
  error: { retryable: true, code: "http_503", message: "busy", ...e },
});
const status = (s: TaskStatus): Outcome<TaskStatus> => ({ ok: true, value: s });

describe("submit", () => {
  it("a confirmed submit starts running and schedules the first poll", () => {
    const j = afterSubmit(markSubmitting(job(), tick()), { ok: true, value: { taskId: "exe_1" } }, true, tick());
    expect(j.status).toBe("running");
    expect(j.task).toEqual({ taskId: "exe_1" });
    expect(j.submitStartedAt).toBeUndefined();
    expect(j.nextAt).toBeGreaterThan(T0);
    expect(nextStep(j)).toEqual({ kind: "poll" });
  });
  it("a final provider error fails the job at once with the provider's code and message", () => {
    const j = afterSubmit(job(), err({ retryable: false, code: "97", message: "Insufficient balance" }), false, tick());
    expect(j.status).toBe("failed");
    expect(j.error).toEqual({ code: "97", message: "Insufficient balance", retryable: false });
  });
  it("a retryable error retries later, honouring Retry-After, and clears the recovery point", () => {
    const marked = markSubmitting(job(), tick());
    const j = afterSubmit(marked, err({ code: "96", retryAfterMs: 20_000 }), false, tick());
    expect(j.status).toBe("queued");
    expect(j.attempts).toBe(1);
    expect(j.nextAt - T0).toBeGreaterThanOrEqual(20_000);
    expect(j.submitStartedAt).toBeUndefined();
  });
  it("gives up after the attempt cap with provider_unavailable", () => {
    let j = job();
    for (let i = 0; i < MAX_SUBMIT_ATTEMPTS; i++) j = afterSubmit(j, err({}), true, tick(T0 + i));
    expect(j.status).toBe("failed");
    expect(j.error?.code).toBe("provider_unavailable");
    expect(j.error?.message).toContain("http_503");
  });
  it("an uncertain failure is retried for an idempotent provider but stops a non-idempotent one", () => {
    const marked = markSubmitting(job(), tick());
    const weshop = afterSubmit(marked, err({ code: "timeout", uncertain: true }), true, tick());
    expect(weshop.status).toBe("queued");
    expect(weshop.submitStartedAt).toBe(T0);
    const wiro = afterSubmit(marked, err({ code: "timeout", uncertain: true }), false, tick());
    expect(wiro.status).toBe("failed");
    expect(wiro.error?.code).toBe("submit_uncertain");
  });
});

describe("waiting for a provider slot", () => {
  it("waits in line with its place, and the run deadline starts only when a slot is granted", () => {
    // two hours in line: far past the deadline the job was created with
    const waited = waitForSlot(job(), 140, T0 + 2 * 3_600_000 + 5000, tick(T0 + 2 * 3_600_000));
    expect(waited).toMatchObject({ status: "queued", queuePosition: 140 });
    const granted = slotGranted(waited, tick(T0 + 2 * 3_600_000 + 5000));
    expect(granted).toMatchObject({
      slotHeld: true,
      queuePosition: undefined,
      deadlineAt: T0 + 2 * 3_600_000 + 5000 + runDeadlineMs(20_000),
    });
    // a run submitted now is not timed out by its first poll
    const started = afterSubmit(
      markSubmitting(granted, tick(T0 + 2 * 3_600_000 + 5000)),
      { ok: true, value: { taskId: "exe_9" } },
      true,
      tick(T0 + 2 * 3_600_000 + 6000),
    );
    const polled = afterPoll(started, status({ state: "running", providerStatus: "Running" }), tick(started.nextAt));
    expect(polled.status).toBe("running");
    // renewing a slot it already holds does not move the deadline
    expect(slotGranted(granted, tick(T0 + 3 * 3_600_000)).deadlineAt).toBe(granted.deadlineAt);
  });
  it("gives up after a day in line with queue_timeout, saying nothing was sent", () => {
    const j = waitForSlot(job({ queuePosition: 3 }), 3, T0 + MAX_QUEUE_MS + 5000, tick(T0 + MAX_QUEUE_MS));
    expect(j.status).toBe("failed");
    expect(j.error).toMatchObject({ code: "queue_timeout", retryable: true });
    expect(j.error?.message).toContain("nothing was sent");
    // still named, so the job object takes it out of the gate's line
    expect(j.queuePosition).toBe(3);
  });
});

describe("poll", () => {
  const running = job({ status: "running", task: { taskId: "exe_1" }, startedAt: T0 });
  it("counts polls and keeps running with the provider status", () => {
    const j = afterPoll(running, status({ state: "running", providerStatus: "Segmenting" }), tick(T0 + 5000));
    expect(j.polls).toBe(1);
    expect(j.providerStatus).toBe("Segmenting");
    expect(j.status).toBe("running");
  });
  it("fails with timeout once the deadline passes", () => {
    const j = afterPoll(running, status({ state: "running", providerStatus: "Running" }), tick(running.deadlineAt + 1));
    expect(j.status).toBe("failed");
    expect(j.error?.code).toBe("timeout");
  });
  it("a finished run moves to copying with one record per provider result, failed ones kept with reason", () => {
    const j = afterPoll(
      running,
      status({
        state: "succeeded",
        providerStatus: "Success",
        outputs: [
          { ok: true, url: "https://cdn/0.png" },
          { ok: false, error: "nope" },
        ],
      }),
      tick(),
    );
    expect(j.status).toBe("copying");
    expect(j.outputs.map((o) => o.status)).toEqual(["pending", "failed"]);
    expect(nextStep(j)).toEqual({ kind: "copy", index: 0 });
  });
  it("a finished run with no outputs fails with no_outputs", () => {
    const j = afterPoll(running, status({ state: "succeeded", providerStatus: "Success", outputs: [] }), tick());
    expect(j.status).toBe("failed");
    expect(j.error?.code).toBe("no_outputs");
  });
  it("a finished run whose every result failed at the provider fails with run_failed and the provider's reason", () => {
    const j = afterPoll(
      running,
      status({
        state: "succeeded",
        providerStatus: "Success",
        outputs: [
          { ok: false, error: "WeShop reported this result as Failed" },
          { ok: false, error: "x" },
        ],
      }),
      tick(),
    );
    expect(j.status).toBe("failed");
    expect(j.error).toEqual({
      code: "run_failed",
      message: "Every result failed at the provider: WeShop reported this result as Failed",
      retryable: false,
    });
  });
  it("a failed run fails the job with the provider's reason", () => {
    const j = afterPoll(
      running,
      status({ state: "failed", providerStatus: "Failed", code: "run_failed", message: "m" }),
      tick(),
    );
    expect(j.error).toEqual({ code: "run_failed", message: "m", retryable: false });
  });
});

describe("copy", () => {
  const copying = job({
    status: "copying",
    outputs: [
      { index: 0, kind: "image", status: "pending", sourceUrl: "https://a", attempts: 0 },
      { index: 1, kind: "image", status: "pending", sourceUrl: "https://b", attempts: 0 },
    ],
  });
  const stored = { ok: true as const, key: "jobs/x/0.jpg", size: 3, sha256: "ab", contentType: "image/jpeg" };
  it("stores outputs one by one and succeeds when none is pending", () => {
    const one = afterCopy(copying, 0, stored, tick());
    expect(one.status).toBe("copying");
    const two = afterCopy(one, 1, { ...stored, key: "jobs/x/1.jpg" }, tick());
    expect(two.status).toBe("succeeded");
    expect(two.completedAt).toBe(T0);
  });
  it("retries a retryable copy failure, then marks the output failed; the job still succeeds with the other", () => {
    let j = afterCopy(copying, 0, stored, tick());
    for (let i = 0; i < MAX_COPY_ATTEMPTS; i++)
      j = afterCopy(j, 1, { ok: false, retryable: true, code: "truncated", message: "short" }, tick());
    expect(j.outputs[1]).toMatchObject({ status: "failed", attempts: MAX_COPY_ATTEMPTS });
    expect(j.status).toBe("succeeded");
  });
  it("fails the job when no output could be stored", () => {
    let j = afterCopy(copying, 0, { ok: false, retryable: false, code: "output_unavailable", message: "404" }, tick());
    j = afterCopy(j, 1, { ok: false, retryable: false, code: "output_unavailable", message: "404" }, tick());
    expect(j.status).toBe("failed");
    expect(j.error?.code).toBe("media_copy_failed");
    expect(j.error?.message).toContain("output_unavailable");
  });
});
