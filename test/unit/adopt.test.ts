// A Wiro submit whose answer was lost, as pure rules: the job waits for its callback only when
// one can come, adopts only the task a callback names while it waits, and after its end takes a
// named task only to stop it.
import { describe, expect, it } from "vitest";
import { callbackNoted } from "../../src/jobs/poll/callbacks.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import {
  adoptableAfterEnd,
  adoptWhileWaiting,
  noCallbackCame,
  submitFateUnknown,
  taskIdOf,
} from "../../src/jobs/submit/adopt.ts";
import { jobRecord, ON_WIRO, T0, tick as tickAt } from "../support/builders.ts";

const tick = tickAt();

function queued(over: Partial<JobRecord> = {}): JobRecord {
  return jobRecord({
    ...ON_WIRO,
    createdAt: T0 - 20_000,
    updatedAt: T0 - 1,
    submitAttempts: 1,
    submitStartedAt: T0 - 500,
    callbackTokenHash: "hash",
    ...over,
  });
}

describe("a Wiro submit whose answer was lost", () => {
  it("waits for its callback until the run deadline; without a callback URL it ends at once", () => {
    const waiting = submitFateUnknown(queued(), tick);
    expect(waiting).toMatchObject({ status: "running", nextAt: T0 + 15 * 60_000, startedAt: T0 - 500 });
    expect(waiting.task).toBeUndefined();
    const ended = submitFateUnknown(queued({ callbackTokenHash: undefined }), tick);
    expect(ended).toMatchObject({ status: "failed", error: { code: "submit_uncertain" } });
    expect(noCallbackCame(waiting, tick)).toMatchObject({ status: "failed", error: { code: "submit_uncertain" } });
  });

  it("adopts the task its callback names, with the confirming Task/Detail due now", () => {
    const waiting = submitFateUnknown(queued(), tick);
    const adopted = callbackNoted(waiting, T0 + 60_000, "2221")!;
    expect(adopted.job).toMatchObject({
      status: "running",
      task: { taskId: "2221" },
      nextAt: T0 + 60_000,
      callbackReceived: true,
    });
    expect(adopted.job.submitStartedAt).toBeUndefined();
    expect(adopted.wakeAt).toBe(T0 + 60_000);
    // a callback that names nothing leaves it waiting for its deadline
    expect(callbackNoted(waiting, T0 + 60_000)).toBeUndefined();
    // a job that has its task never takes another from a callback body
    expect(adoptWhileWaiting({ ...waiting, task: { taskId: "1" } }, "2221", T0)).toBeUndefined();
    expect(callbackNoted({ ...waiting, task: { taskId: "1" } }, T0 + 60_000, "2221")?.job.task).toEqual({
      taskId: "1",
    });
  });

  it("after the end, a named task is taken only to be stopped", () => {
    const failed = noCallbackCame(submitFateUnknown(queued(), tick), tick);
    expect(adoptableAfterEnd(failed)).toBe(true);
    const stopping = callbackNoted(failed, T0 + 1, "2221")!;
    expect(stopping.job).toMatchObject({
      status: "failed",
      task: { taskId: "2221" },
      providerStop: { nextAt: T0 + 1 },
    });
    expect(stopping.job.error?.message).toMatch(
      /Wiro's callback then named task 2221\. Asking Wiro to stop task 2221\.$/,
    );
    expect(adoptableAfterEnd({ ...failed, status: "succeeded" })).toBe(false);
    expect(adoptableAfterEnd({ ...failed, provider: "weshop" })).toBe(false);
  });

  it("reads only a plain task id from the body", () => {
    expect(taskIdOf({ id: "2221", status: "task_postprocess_end" })).toBe("2221");
    expect(taskIdOf({ taskid: 2221 })).toBe("2221");
    for (const body of [null, "2221", {}, { id: "../x" }, { id: "a".repeat(65) }, { id: 1.5 }])
      expect(taskIdOf(body)).toBeUndefined();
  });
});
