// How a run is timed: from when its submit left (not from a late answer), and what the job saw
// of its end — the callback's arrival, or the window between the polls around it — for the
// statistics that place the next jobs' polls.
import { describe, expect, it } from "vitest";
import { afterPoll, observedRunMs } from "../../src/jobs/poll/poll.ts";
import { nextPollDelay, pollShape } from "../../src/jobs/poll/poll-schedule.ts";
import { afterSubmit, markSubmitting } from "../../src/jobs/submit/submit.ts";
import type { Outcome, TaskStatus } from "../../src/providers/types.ts";
import { jobRecord, ON_WIRO, T0, tick } from "../support/builders.ts";

const sent = markSubmitting(jobRecord({ status: "queued" }), tick(T0));

describe("a run's start", () => {
  it("is when its submit left: an answer that came 900 ms late does not make every poll late", () => {
    const running = afterSubmit(sent, { ok: true, value: { taskId: "exe_1" } }, true, tick(T0 + 900));
    expect(running.startedAt).toBe(T0);
    expect(running.nextAt).toBe(T0 + nextPollDelay(running.expectedRunMs, 0, 0.5, pollShape(running)));
    // the record still changed when the answer came (readers waiting for a change see it)
    expect(running.updatedAt).toBe(T0 + 900);
  });

  it("is the answer's time for a job with no submit on record", () => {
    const running = afterSubmit(jobRecord(), { ok: true, value: { taskId: "exe_1" } }, true, tick(T0 + 900));
    expect(running.startedAt).toBe(T0 + 900);
  });
});

describe("a run's end, as the job saw it", () => {
  const started = afterSubmit(sent, { ok: true, value: { taskId: "exe_1" } }, true, tick(T0));
  const done: Outcome<TaskStatus> = {
    ok: true,
    value: { state: "succeeded", providerStatus: "Success", outputs: [{ ok: true, url: "https://cdn.example/1.png" }] },
  };
  const still: Outcome<TaskStatus> = { ok: true, value: { state: "running", providerStatus: "Running" } };

  it("between the poll that saw it running and the one that saw it done", () => {
    const polled = afterPoll(started, still, tick(T0 + 1_800));
    const ended = afterPoll(polled, done, tick(T0 + 2_300));
    expect(observedRunMs(polled, ended)).toEqual({ fromMs: 1_800, toMs: 2_300 });
  });

  it("only before the first poll, when that poll already found it done", () => {
    const ended = afterPoll(started, done, tick(T0 + 2_300));
    expect(observedRunMs(started, ended)).toEqual({ fromMs: 0, toMs: 2_300 });
  });

  it("at the callback's arrival, which comes as the run ends (not halfway to the confirming poll)", () => {
    const wiro = { ...started, ...ON_WIRO, callbackTokenHash: "h", callbackReceivedAt: T0 + 2_050 };
    const confirmed = afterPoll(wiro, done, tick(T0 + 2_400));
    expect(observedRunMs(wiro, confirmed)).toEqual({ fromMs: 2_050, toMs: 2_050 });
  });

  it("is not a run time when the job ended for another reason than the run's end", () => {
    const polled = afterPoll(started, still, tick(T0 + 1_800));
    expect(observedRunMs(started, polled)).toBeUndefined();
  });
});
