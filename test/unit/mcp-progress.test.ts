// What an agent reads in wait_for_job's progress notifications: one line per real change.
import { describe, expect, it } from "vitest";
import { queuedJob } from "../../src/http/openapi/examples.ts";
import { describeJob } from "../../src/mcp/tools/job-result.ts";

const at = (iso: string) => ({ ...queuedJob, estimatedCompletionAt: iso });

describe("describeJob", () => {
  it("does not repeat a line for an ETA that moved by milliseconds", () => {
    expect(describeJob(at("2026-11-21T10:00:28.120Z"))).toBe(describeJob(at("2026-11-21T10:00:28.940Z")));
    expect(describeJob(at("2026-11-21T10:00:28.120Z"))).toBe(
      `Job ${queuedJob.id}: queued, expected by 2026-11-21T10:00:30Z`,
    );
  });

  it("tells an ETA that moved by a minute", () => {
    expect(describeJob(at("2026-11-21T10:01:28.000Z"))).not.toBe(describeJob(at("2026-11-21T10:00:28.000Z")));
  });
});
