// The poll schedule follows how long a model's runs really take.
import { env } from "cloudflare:test";
import { afterEach, beforeEach, expect, it } from "vitest";
import { modelStats } from "../../src/jobs/stats/stats-client.ts";
import { MODELS } from "../../src/providers/models.ts";
import { createJob, driveJob, fireAlarm, type Harness, startHarness, storedJob } from "../support/harness.ts";

let h: Harness;
beforeEach(() => {
  h = startHarness({ seedance: 60_000, seedream: 20_000, wiro: 40_000 });
});
afterEach(async () => {
  await h.stop();
});

it("a model whose runs finish in a fraction of the prior gets a proportionally earlier first poll", async () => {
  const model = "weshop/seedance";
  const params = { textDescription: "p", images: ["https://images.example.com/a.png"] };
  const prior = MODELS[model].expectedRunMs(params);
  const before = await createJob({ model, params });
  expect((await storedJob(before.id)).expectedRunMs).toBe(prior);

  // a job created before the runs below ended: what counts is what was learned by its submit
  const waiting = await createJob({ model, params });
  // what finished jobs report: runs take a quarter of the prior guess
  for (let i = 0; i < 5; i++) await modelStats(env).observe(model, (prior / 4) * (i % 2 ? 1.1 : 0.9), prior);
  await fireAlarm(waiting.id);
  const job = await storedJob(waiting.id);
  expect(job.status).toBe("running");
  expect(job.expectedRunMs / prior).toBeGreaterThan(0.22);
  expect(job.expectedRunMs / prior).toBeLessThan(0.28);
  // the first poll comes near the learned end, long before the prior's
  expect(job.nextAt - job.startedAt!).toBeLessThan(prior / 2);
  // runs that agree with each other narrow the poll window below the default spread
  expect(job.runSpread).toBeLessThan(0.35);
});

it("finished jobs feed the statistics", async () => {
  const model = "weshop/seedream";
  expect(await modelStats(env).estimate(model)).toEqual({ factor: 1, spread: 0.35 });
  for (let i = 0; i < 3; i++) {
    const { id } = await createJob({ model, params: { textDescription: `run ${i}` } });
    expect((await driveJob(h, id)).status).toBe("succeeded");
  }
  expect((await modelStats(env).estimate(model)).factor).not.toBe(1);
});
