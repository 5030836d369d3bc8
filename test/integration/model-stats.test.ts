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

/** `runs` runs, each found done by its first poll, placed by `pollAt` from the run time learned so far. */
async function firstPollsFindDone(model: string, prior: number, runs: number, pollAt: (learnedMs: number) => number) {
  for (let i = 0; i < runs; i++) {
    const { factor } = await modelStats(env).estimate(model);
    await modelStats(env).observe(model, { fromMs: 0, toMs: pollAt(prior * factor) }, prior);
  }
}

it("a model whose runs finish in a fraction of the prior gets a proportionally earlier first poll", async () => {
  const model = "weshop/seedance";
  const params = { textDescription: "p", images: ["https://images.example.com/a.png"] };
  const prior = MODELS[model].expectedRunMs(params);
  const before = await createJob({ model, params });
  expect((await storedJob(before.id)).expectedRunMs).toBe(prior);

  // a job created before the runs below ended: what counts is what was learned by its submit
  const waiting = await createJob({ model, params });
  // what finished jobs report: runs take a quarter of the prior guess
  for (let i = 0; i < 5; i++) {
    const end = (prior / 4) * (i % 2 ? 1.1 : 0.9);
    await modelStats(env).observe(model, { fromMs: end, toMs: end }, prior);
  }
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

/** Feeds `n` runs seen through poll windows `widthMs` wide at varying places around each end. */
async function observeThroughWindows(model: string, ends: (i: number) => number, widthMs: number, n = 40) {
  const prior = 20_000;
  for (let i = 0; i < n; i++) {
    // where in its window the end fell: spread evenly over the window, in a scrambled order
    const phase = ((i * 0.618) % 1) * widthMs;
    const fromMs = ends(i) - phase;
    await modelStats(env).observe(model, { fromMs, toMs: fromMs + widthMs }, prior);
  }
}

it("runs of one length seen through coarse poll windows are learned as tight: the windows' own scatter is left out", async () => {
  // every run takes 20 s; the polls around its end are 8 s apart, so the windows' middles scatter ±4 s
  await observeThroughWindows("weshop/seedream", () => 20_000, 8_000);
  const tight = await modelStats(env).estimate("weshop/seedream");
  expect(tight.factor).toBeGreaterThan(0.95);
  expect(tight.factor).toBeLessThan(1.05);
  // the middles alone scatter with σ ≈ 0.11: counted as the runs' spread, polls would start far too early
  expect(tight.spread).toBeLessThan(0.07);

  // runs that do scatter (σ 0.3 in log), seen through the same windows, keep their spread
  const z = [-1.2, 0.4, 1.5, -0.3, 0.9, -1.7, 0.1, 0.6, -0.8, 1.1];
  await observeThroughWindows("weshop/seedance", (i) => 20_000 * Math.exp(0.3 * z[i % z.length]!), 8_000);
  expect((await modelStats(env).estimate("weshop/seedance")).spread).toBeGreaterThan(0.2);
});

it("runs that became faster are learned even when every poll comes after their end", async () => {
  const model = "weshop/seedream";
  const prior = 20_000;
  const seen = (ms: number) => modelStats(env).observe(model, { fromMs: ms - 1_000, toMs: ms }, prior);
  for (let i = 0; i < 10; i++) await seen(20_000);
  const before = (await modelStats(env).estimate(model)).factor;
  // runs now take 5 s, and each first poll comes just after the expected end, finding the run done
  await firstPollsFindDone(model, prior, 60, (learned) => Math.max(5_000, learned * 1.1));
  const after = (await modelStats(env).estimate(model)).factor;
  expect(after).toBeLessThan(before / 2);
});

it("short runs polled well after their end (an unhurried job's schedule) do not push the estimate up", async () => {
  const model = "wiro/ByteDance/text-to-video-seedance-v1";
  const prior = 20_000;
  for (let i = 0; i < 10; i++) await modelStats(env).observe(model, { fromMs: 2_000, toMs: 2_000 }, prior);
  // every first poll comes 1.5 s after the expected end and finds the 2 s run done
  await firstPollsFindDone(model, prior, 40, (learned) => learned + 1_500);
  expect((await modelStats(env).estimate(model)).factor * prior).toBeLessThan(2_100);
});

it("near-fixed runs a poll finds just done (what a tight schedule aims at) keep the spread tight and the estimate in place", async () => {
  const model = "weshop/seedream";
  const prior = 20_000;
  const observe = (fromMs: number, toMs: number) => modelStats(env).observe(model, { fromMs, toMs }, prior);
  // 2 s runs, seen through narrow windows
  for (let i = 0; i < 20; i++) await observe(1_950, 2_050);
  // then every third run's first poll comes 150 ms after its end and finds it done
  for (let i = 0; i < 30; i++) await (i % 3 === 0 ? observe(0, 2_150) : observe(1_950, 2_050));
  const { factor, spread } = await modelStats(env).estimate(model);
  // counted as half the poll time in full, such runs pulled the estimate down and the spread up to about 0.3
  expect(spread).toBeLessThan(0.1);
  expect(factor * prior).toBeGreaterThan(1_850);
});

it("runs far shorter than a too-long estimate, found done by polls before its expected end, bring it down within a few runs", async () => {
  const model = "weshop/seedance";
  const prior = 20_000;
  for (let i = 0; i < 10; i++) await modelStats(env).observe(model, { fromMs: 19_500, toMs: 20_500 }, prior);
  // runs now take 2 s; each first poll comes at 70 % of the learned time and finds the run done
  await firstPollsFindDone(model, prior, 12, (learned) => 0.7 * learned);
  expect((await modelStats(env).estimate(model)).factor * prior).toBeLessThan(prior / 4);
});
