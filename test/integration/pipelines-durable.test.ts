// What survives: two concurrent creates with one Idempotency-Key make one pipeline; a workflow
// restarted mid-pipeline re-finds the jobs it made (deterministic ids) and starts no step twice.
import { env } from "cloudflare:test";
import { describe, expect } from "vitest";
import { it } from "../support/fixture.ts";
import { api, fireAlarm } from "../support/harness.ts";
import {
  CLIP,
  createPipeline,
  ended,
  postPipeline,
  runStep,
  STILL,
  startedJobs,
  stepOf,
  waitForPipeline,
} from "../support/pipelines.ts";

describe("Idempotency-Key", () => {
  it("two concurrent requests with one key make one pipeline and one run of its first step", async ({ h }) => {
    const body = { steps: [STILL, CLIP] };
    const headers = { "Idempotency-Key": `pipe-race-${crypto.randomUUID()}` };
    const [a, b] = await Promise.all([postPipeline(body, headers), postPipeline(body, headers)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.id).toBe(b.body.id);
    const [still] = await startedJobs(h, a.body.id, "still");
    await fireAlarm(still!);
    expect(h.sim.tasks().filter((t) => t.agent === "seedream")).toHaveLength(1);
    const other = await postPipeline({ steps: [STILL] }, headers);
    expect(other.status).toBe(422);
    await api(`/v1/pipelines/${a.body.id}/cancel`, { method: "POST" });
  });
});

describe("a restart mid-pipeline", () => {
  it("keeps the pipeline's state and starts no step twice", async ({ h }) => {
    const p = await createPipeline({ steps: [STILL, CLIP] });
    const [stillJob] = await runStep(h, p.id, "still");
    const [clipJob] = await startedJobs(h, p.id, "clip");
    await fireAlarm(clipJob!);
    // the whole workflow again from its first line: every step.do runs anew
    const instance = await env.PIPELINES.get(p.id);
    await instance.restart();
    const again = await waitForPipeline(p.id, (q) => stepOf(q, "clip").status === "running");
    expect(again.steps.map((s) => s.jobIds)).toEqual([[stillJob], [clipJob]]);
    await runStep(h, p.id, "clip");
    const done = await waitForPipeline(p.id, ended);
    expect(done.status).toBe("succeeded");
    // one run per step at the provider, however often the workflow ran its steps
    expect(
      h.sim
        .tasks()
        .map((t) => t.agent)
        .sort(),
    ).toEqual(["seedance", "seedream"]);
    const jobs = (await (await api(`/v1/jobs?pipelineId=${p.id}`)).json()) as { data: unknown[] };
    expect(jobs.data).toHaveLength(2);
  });
});
