// The job machine after a status poll: which errors end a job, and how posters and last frames
// ride along with their video without ever deciding the job's end.
import { describe, expect, it } from "vitest";
import { afterCopy } from "../../src/jobs/copy/copy.ts";
import { nextStep } from "../../src/jobs/machine/plan.ts";
import { MAX_POLL_ERRORS } from "../../src/jobs/machine/policies.ts";
import { afterPoll } from "../../src/jobs/poll/poll.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import type { Outcome, ProviderError, TaskStatus } from "../../src/providers/types.ts";

const T0 = 1_700_000_000_000;
const tick = (now = T0, rand = 0.5) => ({ now, rand });
const running: JobRecord = {
  id: "job_00000000000000000000",
  tenant: "t",
  model: "weshop/seedance",
  provider: "weshop",
  params: {},
  metadata: {},
  status: "running",
  task: { taskId: "exe_1" },
  outputs: [],
  createdAt: T0,
  updatedAt: T0,
  startedAt: T0,
  polls: 0,
  attempts: 0,
  submitAttempts: 1,
  expectedRunMs: 60_000,
  deadlineAt: T0 + 24 * 60 * 60_000,
  nextAt: T0,
  origin: "http://x",
};
const err = (e: Partial<ProviderError>): Outcome<TaskStatus> => ({
  ok: false,
  error: { retryable: true, code: "http_503", message: "busy", ...e },
});
const status = (s: TaskStatus): Outcome<TaskStatus> => ({ ok: true, value: s });

describe("poll errors", () => {
  it("an error the provider calls final is still retried: the task exists and may be running", () => {
    const j = afterPoll(running, err({ retryable: false, code: "INSUFFICIENT_POWER", message: "no power" }), tick());
    expect(j).toMatchObject({ status: "running", attempts: 1, lastProviderError: "INSUFFICIENT_POWER: no power" });
    expect(j.nextAt).toBeGreaterThan(T0);
  });

  it("refused credentials or a redirect end the job at once with their own code", () => {
    const j = afterPoll(
      running,
      err({ retryable: false, fatal: true, code: "provider_auth_failed", message: "Wiro refused the credentials" }),
      tick(),
    );
    expect(j.status).toBe("failed");
    expect(j.error).toEqual({
      code: "provider_auth_failed",
      message: "Wiro refused the credentials",
      retryable: false,
    });
  });

  it("gives up only at the poll-error cap, naming the last error", () => {
    let j = running;
    for (let i = 0; i < MAX_POLL_ERRORS - 1; i++)
      j = afterPoll(j, err({ retryable: i % 2 === 0, code: "1", message: "There is no task yet." }), tick(T0 + i));
    expect(j.status).toBe("running");
    j = afterPoll(j, err({ code: "0", message: "server error" }), tick(T0 + MAX_POLL_ERRORS));
    expect(j.status).toBe("failed");
    expect(j.error).toMatchObject({ code: "provider_unavailable", retryable: true });
    expect(j.error!.message).toContain("0: server error");
  });

  it("a good answer after errors resets the count", () => {
    const failed = afterPoll(running, err({}), tick());
    const ok = afterPoll(failed, status({ state: "running", providerStatus: "Running" }), tick(T0 + 1000));
    expect(ok).toMatchObject({ attempts: 0, lastProviderError: undefined, status: "running" });
  });

  it("a run the provider canceled ends canceled with provider_canceled and the provider's words", () => {
    const j = afterPoll(
      running,
      status({ state: "canceled", providerStatus: "Cancelled", message: "WeShop reported the run as Cancelled" }),
      tick(),
    );
    expect(j.status).toBe("canceled");
    expect(j.error).toEqual({
      code: "provider_canceled",
      message: "WeShop reported the run as Cancelled",
      retryable: true,
    });
  });
});

describe("posters and last frames", () => {
  const finished = afterPoll(
    running,
    status({
      state: "succeeded",
      providerStatus: "Success",
      outputs: [
        { ok: true, url: "https://cdn/0.mp4", poster: "https://cdn/0.jpg" },
        { ok: false, error: "WeShop reported this result as Failed" },
        { ok: true, url: "https://cdn/2.mp4", poster: "https://cdn/2.jpg", lastFrame: "https://cdn/2-last.jpg" },
      ],
    }),
    tick(),
  );
  const stored = (n: number) => ({
    ok: true as const,
    key: `jobs/x/${n}`,
    size: 3,
    sha256: "ab",
    contentType: "image/jpeg",
  });
  const gone = { ok: false as const, retryable: false, code: "output_unavailable", message: "404" };

  it("results keep their index; each good one's extras follow, pointing at it; a failed result gets none", () => {
    expect(finished.status).toBe("copying");
    expect(finished.outputs.map((o) => [o.index, o.kind, o.role, o.parent, o.status, o.sourceUrl])).toEqual([
      [0, "video", undefined, undefined, "pending", "https://cdn/0.mp4"],
      [1, "video", undefined, undefined, "failed", undefined],
      [2, "video", undefined, undefined, "pending", "https://cdn/2.mp4"],
      [3, "image", "poster", 0, "pending", "https://cdn/0.jpg"],
      [4, "image", "poster", 2, "pending", "https://cdn/2.jpg"],
      [5, "image", "last_frame", 2, "pending", "https://cdn/2-last.jpg"],
    ]);
    // the videos are copied first
    expect(nextStep(finished)).toEqual({ kind: "copy", index: 0 });
  });

  it("extras are copied before the job ends, and their failure never fails it", () => {
    let j = afterCopy(finished, 0, stored(0), tick());
    j = afterCopy(j, 2, stored(2), tick());
    j = afterCopy(j, 3, gone, tick());
    j = afterCopy(j, 4, gone, tick());
    expect(j.status).toBe("copying");
    j = afterCopy(j, 5, gone, tick());
    expect(j.status).toBe("succeeded");
    expect(j.error).toBeUndefined();
  });

  it("a video that could not be stored takes its extras with it; with every video gone the job fails keeping nothing", () => {
    let j = afterCopy(finished, 0, gone, tick());
    // video 0 is gone: its poster is not fetched, video 2 is next
    expect(j.outputs[3]).toMatchObject({ status: "failed", error: "not copied: its video could not be stored" });
    expect(nextStep(j)).toEqual({ kind: "copy", index: 2 });
    j = afterCopy(j, 2, gone, tick());
    expect(j.status).toBe("failed");
    expect(j.error).toMatchObject({ code: "media_copy_failed" });
    expect(j.outputs.filter((o) => o.status !== "failed")).toEqual([]);
  });
});
