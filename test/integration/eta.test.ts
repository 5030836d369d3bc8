// estimatedCompletionAt on the job a client reads: from the model's run time while queued or
// running, later for a job in line behind the provider's cap, null once the job ended.
import { env } from "cloudflare:test";
import { afterEach, beforeEach, expect, it } from "vitest";
import { gateApi } from "../../src/jobs/gate/gate-client.ts";
import { MODELS } from "../../src/providers/models.ts";
import { TEST_BINDINGS } from "../support/bindings.ts";
import { createJob, driveJob, fireAlarm, getJob, type Harness, startHarness, storedJob } from "../support/harness.ts";

const WIRO = { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle" } } as const;
const WIRO_CAP = Number(TEST_BINDINGS.WIRO_MAX_CONCURRENCY);
const others = Array.from({ length: WIRO_CAP }, (_, i) => `job_etaothertask0000${i}`);
const gate = () => gateApi(env, "wiro");
const eta = (job: Record<string, unknown>) => Date.parse(String(job.estimatedCompletionAt));

let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  for (const id of [...others, ...h.jobs]) await gate().release(id);
  await h.stop();
});

it("a new job is expected about one run time from now, a running one from its start, a finished one not at all", async () => {
  const before = Date.now();
  const { id, body } = await createJob(WIRO);
  const expected = (await storedJob(id)).expectedRunMs;
  expect(expected).toBe(MODELS[WIRO.model].expectedRunMs((await storedJob(id)).params));
  expect(eta(body)).toBeGreaterThanOrEqual(before + expected);
  expect(eta(body)).toBeLessThan(Date.now() + expected + 10_000);

  await fireAlarm(id);
  const running = await getJob(id);
  expect(running.status).toBe("running");
  const startedAt = Date.parse(String(running.startedAt));
  expect(eta(running)).toBeGreaterThanOrEqual(startedAt + expected);
  expect(eta(running)).toBeLessThan(startedAt + expected + 10_000);

  expect((await driveJob(h, id)).status).toBe("succeeded");
  expect((await getJob(id)).estimatedCompletionAt).toBeNull();
});

it("a job waiting in line behind the provider's cap is expected later than one that can start", async () => {
  const free = await createJob(WIRO);
  await fireAlarm(free.id);
  // every other slot taken; a refused stand-in leaves the line, so only the job under test waits there
  for (const other of others)
    if (!(await gate().acquire(other, { maxConcurrency: WIRO_CAP })).granted) await gate().release(other);
  const { id } = await createJob(WIRO);
  await fireAlarm(id);
  const waiting = await getJob(id);
  expect(waiting).toMatchObject({ status: "queued", queuePosition: 1 });
  // one place in line: about a run time divided over the busy slots, before its own run
  expect(eta(waiting) - eta(free.body)).toBeGreaterThan(((await storedJob(id)).expectedRunMs / WIRO_CAP) * 0.5);
});
