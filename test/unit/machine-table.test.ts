// The transition table (src/jobs/machine/transitions.ts), row by row: each (status, outcome) pair is
// produced through the real machine functions and must land on the status the table names.
// A row without a driver here, or a driver without a row, fails the test.
import { describe, expect, it } from "vitest";
import { afterCopy } from "../../src/jobs/copy/copy.ts";
import { providerNotConfigured, whileConfigInvalid } from "../../src/jobs/machine/plan.ts";
import { MAX_POLL_ERRORS, MAX_QUEUE_MS } from "../../src/jobs/machine/policies.ts";
import { afterCrash } from "../../src/jobs/machine/retry.ts";
import { type JobOutcome, statusAfter, TRANSITIONS } from "../../src/jobs/machine/transitions.ts";
import { afterPoll } from "../../src/jobs/poll/poll.ts";
import type { JobRecord, JobStatus, OutputRecord } from "../../src/jobs/record.ts";
import { cancelJob } from "../../src/jobs/stop/stop.ts";
import { noCallbackCame } from "../../src/jobs/submit/adopt.ts";
import { afterSubmit, unconfirmedSubmit, waitForSlot } from "../../src/jobs/submit/submit.ts";
import type { Outcome, TaskStatus } from "../../src/providers/types.ts";
import { jobRecord, ON_WIRO, T0, tick as tickAt } from "../support/builders.ts";

const tick = tickAt();

function job(status: JobStatus, over: Partial<JobRecord> = {}): JobRecord {
  return jobRecord({
    ...ON_WIRO,
    status,
    ...(status === "queued" ? {} : { task: { taskId: "2221", token: "tok" }, startedAt: T0 - 10_000 }),
    createdAt: T0 - 20_000,
    updatedAt: T0 - 1,
    submitAttempts: status === "queued" ? 0 : 1,
    ...over,
  });
}

const pendingVideo = (index: number): OutputRecord => ({
  index,
  kind: "video",
  status: "pending",
  sourceUrl: `https://cdn.example/${index}.mp4`,
  attempts: 0,
});
const stored = { ok: true as const, key: "jobs/x/0.mp4", size: 10, sha256: "ab", contentType: "video/mp4" };
const polled = (status: TaskStatus): Outcome<TaskStatus> => ({ ok: true, value: status });
const configWait = (j: JobRecord) => {
  const d = whileConfigInvalid(j, ["SIGNING_SECRET"], tick);
  // waiting stores nothing: the job stays as it is
  expect(d.wait).toBe(true);
  return j;
};
const configEnd = (j: JobRecord) => {
  const d = whileConfigInvalid({ ...j, createdAt: T0 - MAX_QUEUE_MS, deadlineAt: T0 }, ["SIGNING_SECRET"], tick);
  if (d.wait) throw new Error("expected the job to end");
  expect(d.job.error?.code).toBe("configuration_error");
  return d.job;
};
const gaveUp = (j: JobRecord) => afterCrash({ ...j, attempts: MAX_POLL_ERRORS - 1 }, "boom", tick);
const cancel = (j: JobRecord) => cancelJob(j, false, tick);

/** How to make each outcome happen from a status; `from` is the job the function is given when it differs from the row (the provider's answer passes through copying). */
type Driver = { run: (j: JobRecord) => JobRecord; from?: JobStatus };
const drivers: { [S in keyof typeof TRANSITIONS]: Record<keyof (typeof TRANSITIONS)[S], Driver> } = {
  queued: {
    submitted: { run: (j) => afterSubmit(j, { ok: true, value: { taskId: "1" } }, false, tick) },
    no_slot: { run: (j) => waitForSlot(j, 3, T0 + 5_000, tick) },
    retry: {
      run: (j) => afterSubmit(j, { ok: false, error: { retryable: true, code: "0", message: "busy" } }, false, tick),
    },
    gave_up: { run: gaveUp },
    queue_timeout: { run: (j) => waitForSlot({ ...j, createdAt: T0 - MAX_QUEUE_MS }, 3, T0 + 5_000, tick) },
    submit_refused: {
      run: (j) =>
        afterSubmit(
          j,
          { ok: false, error: { retryable: false, code: "INSUFFICIENT_POWER", message: "no credit" } },
          false,
          tick,
        ),
    },
    submit_uncertain: { run: (j) => unconfirmedSubmit({ ...j, submitStartedAt: T0 - 5 }, false, tick) ?? j },
    submit_unconfirmed: {
      run: (j) =>
        afterSubmit(
          { ...j, callbackTokenHash: "h" },
          { ok: false, error: { retryable: true, uncertain: true, code: "timeout", message: "slow" } },
          false,
          tick,
        ),
    },
    config_waiting: { run: configWait },
    configuration_error: { run: configEnd },
    provider_not_configured: { run: (j) => providerNotConfigured(j, ["WIRO_API_KEY"], tick) },
    client_cancel: { run: cancel },
  },
  running: {
    still_running: { run: (j) => afterPoll(j, polled({ state: "running", providerStatus: "task_start" }), tick) },
    retry: { run: (j) => afterPoll(j, { ok: false, error: { retryable: true, code: "0", message: "down" } }, tick) },
    gave_up: {
      run: (j) =>
        afterPoll(
          { ...j, attempts: MAX_POLL_ERRORS - 1 },
          { ok: false, error: { retryable: true, code: "0", message: "down" } },
          tick,
        ),
    },
    poll_fatal: {
      run: (j) =>
        afterPoll(j, { ok: false, error: { retryable: false, fatal: true, code: "401", message: "refused" } }, tick),
    },
    timeout: {
      run: (j) => afterPoll({ ...j, deadlineAt: T0 }, polled({ state: "running", providerStatus: "task_start" }), tick),
    },
    provider_failed: {
      run: (j) =>
        afterPoll(
          j,
          polled({ state: "failed", providerStatus: "task_postprocess_end", code: "x", message: "bad" }),
          tick,
        ),
    },
    provider_canceled: { run: (j) => afterPoll(j, polled({ state: "canceled", providerStatus: "task_cancel" }), tick) },
    provider_succeeded: {
      run: (j) =>
        afterPoll(
          j,
          polled({
            state: "succeeded",
            providerStatus: "done",
            outputs: [{ ok: true, url: "https://cdn.example/0.mp4" }],
          }),
          tick,
        ),
    },
    config_waiting: { run: configWait },
    configuration_error: { run: configEnd },
    provider_not_configured: { run: (j) => providerNotConfigured(j, ["WIRO_API_KEY", "WIRO_API_SECRET"], tick) },
    submit_uncertain: { run: (j) => noCallbackCame({ ...j, task: undefined }, tick) },
    client_cancel: { run: cancel },
  },
  copying: {
    copy_pending: { run: (j) => afterCopy({ ...j, outputs: [pendingVideo(0), pendingVideo(1)] }, 0, stored, tick) },
    retry: {
      run: (j) =>
        afterCopy(
          { ...j, outputs: [pendingVideo(0)] },
          0,
          { ok: false, retryable: true, code: "timeout", message: "slow" },
          tick,
        ),
    },
    gave_up: { run: gaveUp },
    outputs_stored: { run: (j) => afterCopy({ ...j, outputs: [pendingVideo(0)] }, 0, stored, tick) },
    no_outputs: {
      from: "running",
      run: (j) => afterPoll(j, polled({ state: "succeeded", providerStatus: "done", outputs: [] }), tick),
    },
    results_failed: {
      from: "running",
      run: (j) =>
        afterPoll(
          j,
          polled({ state: "succeeded", providerStatus: "done", outputs: [{ ok: false, error: "nsfw" }] }),
          tick,
        ),
    },
    media_copy_failed: {
      run: (j) =>
        afterCopy(
          { ...j, outputs: [pendingVideo(0)] },
          0,
          { ok: false, retryable: false, code: "too_large", message: "big" },
          tick,
        ),
    },
    config_waiting: { run: configWait },
    configuration_error: { run: configEnd },
    client_cancel: { run: cancel },
  },
};

/**
 * What the product promises, written apart from the table so a change to it is a decision made
 * twice: the status each row leads to and, for a job that ends, the error the client sees.
 */
const promised: Record<string, string> = {
  "queued.submitted": "running",
  "queued.no_slot": "queued",
  "queued.retry": "queued",
  "queued.gave_up": "failed/provider_unavailable",
  "queued.queue_timeout": "failed/queue_timeout",
  "queued.submit_refused": "failed/INSUFFICIENT_POWER",
  "queued.submit_uncertain": "failed/submit_uncertain",
  "queued.submit_unconfirmed": "running",
  "queued.config_waiting": "queued",
  "queued.configuration_error": "failed/configuration_error",
  "queued.provider_not_configured": "failed/provider_not_configured",
  "queued.client_cancel": "canceled/canceled_by_client",
  "running.still_running": "running",
  "running.retry": "running",
  "running.gave_up": "failed/provider_unavailable",
  "running.poll_fatal": "failed/401",
  "running.timeout": "failed/timeout",
  "running.provider_failed": "failed/x",
  "running.provider_canceled": "canceled/provider_canceled",
  "running.provider_succeeded": "copying",
  "running.config_waiting": "running",
  "running.configuration_error": "failed/configuration_error",
  "running.provider_not_configured": "failed/provider_not_configured",
  "running.submit_uncertain": "failed/submit_uncertain",
  "running.client_cancel": "canceled/canceled_by_client",
  "copying.copy_pending": "copying",
  "copying.retry": "copying",
  "copying.gave_up": "failed/provider_unavailable",
  "copying.outputs_stored": "succeeded",
  "copying.no_outputs": "failed/no_outputs",
  "copying.results_failed": "failed/run_failed",
  "copying.media_copy_failed": "failed/media_copy_failed",
  "copying.config_waiting": "copying",
  "copying.configuration_error": "failed/configuration_error",
  "copying.client_cancel": "canceled/canceled_by_client",
};

const rows = Object.entries(TRANSITIONS).flatMap(([from, row]) =>
  Object.entries(row).map(([outcome, to]) => ({
    from: from as keyof typeof TRANSITIONS,
    outcome,
    to: to as JobStatus,
  })),
);

describe("the transition table", () => {
  it.each(rows)("$from + $outcome → $to", ({ from, outcome, to }) => {
    const driver = (drivers[from] as Record<string, Driver | undefined>)[outcome];
    expect(driver, `no driver for ${from} + ${outcome}`).toBeDefined();
    const start = job(driver!.from ?? from);
    const result = driver!.run(start);
    const ends = to === "succeeded" || to === "failed" || to === "canceled";
    expect(to).toBe(promised[`${from}.${outcome}`]?.split("/")[0]);
    expect(ends && to !== "succeeded" ? `${result.status}/${result.error?.code}` : result.status).toBe(
      promised[`${from}.${outcome}`],
    );
    // a job that goes on is due again; one that ends is never woken for its steps again
    expect(Number.isFinite(result.nextAt)).toBe(!ends);
  });

  it("promises nothing the table lacks", () => {
    expect(Object.keys(promised).sort()).toEqual(rows.map((r) => `${r.from}.${r.outcome}`).sort());
  });

  it("has a driver for no outcome the table lacks", () => {
    for (const [from, row] of Object.entries(drivers))
      for (const outcome of Object.keys(row))
        expect(statusAfter(from as JobStatus, outcome as JobOutcome)).toBeTruthy();
  });

  it("refuses a move the table does not list: an ended job never changes status", () => {
    for (const end of ["succeeded", "failed", "canceled"] as const)
      expect(() => statusAfter(end, "retry")).toThrow(/no transition/);
    expect(() => statusAfter("copying", "submitted")).toThrow(/no transition/);
  });
});
