import { describe, expect, it } from "vitest";
import { backoffDelay, RETRY_CAP_MS, runDeadlineMs } from "../../src/jobs/machine/policies.ts";
import { nextPollDelay, pollShape, TARGET_MEAN_DELAY_MS } from "../../src/jobs/poll/poll-schedule.ts";
import { jobRecord } from "../support/builders.ts";
import { seeded } from "../support/seeded.ts";

describe("backoffDelay", () => {
  it("grows exponentially and stays within the cap (full jitter at rand→1)", () => {
    expect(backoffDelay(1, 0.999)).toBeLessThanOrEqual(1000);
    expect(backoffDelay(3, 0.999)).toBeGreaterThan(3000);
    expect(backoffDelay(30, 0.999)).toBeLessThanOrEqual(RETRY_CAP_MS);
  });
  it("is spread over the whole window (full jitter)", () => {
    expect(backoffDelay(5, 0.1)).toBeLessThan(backoffDelay(5, 0.9) / 4);
  });
  it("never waits less than Retry-After", () => {
    for (const rand of [0, 0.5, 0.99]) expect(backoffDelay(1, rand, 30_000)).toBeGreaterThanOrEqual(30_000);
  });
});

/** Polls one run of `durationMs` with the schedule; returns how many polls and how late the end was seen. */
function pollRun(
  expectedMs: number,
  spread: number,
  durationMs: number,
  rand: () => number,
  contended = false,
): { polls: number; delayMs: number; closest: number } {
  let t = 0;
  let polls = 0;
  let closest = Number.POSITIVE_INFINITY;
  while (t < durationMs) {
    const wait = nextPollDelay(expectedMs, t, rand(), { spread, contended });
    closest = Math.min(closest, wait);
    t += wait;
    polls++;
  }
  return { polls, delayMs: t - durationMs, closest };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

describe("nextPollDelay", () => {
  const expected = 60_000;
  it("asks nothing while few runs end yet (first poll between expected − 3 and − 1 spreads)", () => {
    for (const spread of [0.1, 0.2, 0.3]) {
      const d = nextPollDelay(expected, 0, 0.5, { spread });
      expect(d).toBeGreaterThan(expected * Math.exp(-3 * spread));
      expect(d).toBeLessThan(expected * Math.exp(-1 * spread));
    }
  });
  it("a wider spread opens the window earlier", () => {
    expect(nextPollDelay(expected, 0, 0.5, { spread: 0.5 })).toBeLessThan(
      nextPollDelay(expected, 0, 0.5, { spread: 0.1 }),
    );
  });
  it("polls densest where runs end most and under 3 s apart around the expected time", () => {
    const early = nextPollDelay(expected, expected * Math.exp(-0.3), 0.5, { spread: 0.3 });
    const middle = nextPollDelay(expected, expected, 0.5, { spread: 0.3 });
    expect(middle).toBeLessThan(early);
    for (const rand of [0, 0.5, 0.999])
      expect(nextPollDelay(expected, expected, rand, { spread: 0.3 })).toBeLessThan(3_000);
  });
  it("jitters, so jobs started together do not poll in step", () => {
    expect(nextPollDelay(expected, expected, 0, { spread: 0.3 })).toBeLessThan(
      nextPollDelay(expected, expected, 0.999, { spread: 0.3 }),
    );
  });
  it("thins out for runs far slower than expected, up to a ceiling", () => {
    expect(nextPollDelay(expected, expected * 3, 0.5, { spread: 0.2 })).toBeGreaterThan(
      nextPollDelay(expected, expected, 0.5, { spread: 0.2 }),
    );
    expect(nextPollDelay(expected, expected * 100, 0.99)).toBeLessThanOrEqual(66_000);
    expect(nextPollDelay(expected, expected * 100, 0.99)).toBeGreaterThan(30_000);
  });
  it("sees runs end no later on average than a fixed 3 s poller, with far fewer polls when runs are consistent", () => {
    for (const [expectedMs, spread] of [
      [25_000, 0.15],
      [85_000, 0.3],
      [180_000, 0.5],
    ] as const) {
      const rand = seeded(7);
      let polls = 0;
      let fixedPolls = 0;
      let delay = 0;
      let fixedDelay = 0;
      const runs = 5000;
      for (let i = 0; i < runs; i++) {
        const duration = expectedMs * Math.exp(spread * gaussian(rand));
        const run = pollRun(expectedMs, spread, duration, rand);
        polls += run.polls;
        delay += run.delayMs;
        fixedPolls += Math.ceil(duration / 3000);
        fixedDelay += Math.ceil(duration / 3000) * 3000 - duration;
      }
      // a fixed 3 s poller sees the end about 1.5 s late on average; 3 % is the sampling noise of 5000 runs
      expect(delay / runs).toBeLessThanOrEqual((fixedDelay / runs) * 1.03);
      expect(delay / runs).toBeGreaterThan(TARGET_MEAN_DELAY_MS * 0.9);
      expect(polls).toBeLessThan(fixedPolls);
      if (spread === 0.15) expect(polls * 3).toBeLessThan(fixedPolls);
    }
  });
  it("a short run whose slot others wait for is noticed within about a twentieth of its length, never polled twice within 125 ms", () => {
    for (const [expectedMs, spread] of [
      [2_000, 0.1],
      [5_000, 0.3],
    ] as const) {
      const rand = seeded(11);
      let delay = 0;
      let alone = 0;
      let closest = Number.POSITIVE_INFINITY;
      const runs = 2000;
      for (let i = 0; i < runs; i++) {
        const duration = expectedMs * Math.exp(spread * gaussian(rand));
        const run = pollRun(expectedMs, spread, duration, rand, true);
        delay += run.delayMs;
        closest = Math.min(closest, run.closest);
        alone += pollRun(expectedMs, spread, duration, rand).delayMs;
      }
      expect(delay / runs).toBeLessThan(Math.max(125, expectedMs * 0.05) * 1.15);
      expect(delay).toBeLessThan(alone / 2);
      expect(closest).toBeGreaterThanOrEqual(112);
    }
    // a long run's notice delay is a small share already: contention changes nothing there
    expect(nextPollDelay(60_000, 55_000, 0.5, { spread: 0.3, contended: true })).toBe(
      nextPollDelay(60_000, 55_000, 0.5, { spread: 0.3 }),
    );
  });
  it("a run that takes as long as expected costs far fewer polls than a fixed 3 s poller", () => {
    let elapsed = 0;
    let polls = 0;
    while (elapsed < expected * 3) {
      elapsed += nextPollDelay(expected * 3, elapsed, 0.5, { spread: 0.15 });
      polls++;
    }
    expect(polls).toBeLessThan((expected * 3) / 3000 / 3);
  });
  it("stays sane for extreme learned shapes (very wide, very narrow, tiny expected time)", () => {
    for (const [e, spread] of [
      [7_200_000, 1.5],
      [7_200_000, 5],
      [1_000, 0.01],
      [0, 0.35],
    ] as const)
      for (const elapsed of [0, e, 10 * e + 1]) {
        const d = nextPollDelay(e, elapsed, 0.5, { spread });
        expect(d).toBeGreaterThanOrEqual(1_000);
        expect(d).toBeLessThanOrEqual(66_000);
      }
  });
  it("with a callback on its way, polls are a sparse backstop", () => {
    expect(nextPollDelay(expected, expected, 0.5, { callbackExpected: true })).toBeGreaterThanOrEqual(15_000);
  });
  it("deadline is generous but bounded", () => {
    expect(runDeadlineMs(60_000)).toBe(15 * 60_000);
    expect(runDeadlineMs(30 * 60_000)).toBe(2 * 3600_000);
  });
});

describe("pollShape", () => {
  it("a batch's job is polled as closely as one whose slot others wait for: the batch is done only when its last jobs are", () => {
    const alone = jobRecord({ status: "running", expectedRunMs: 2_000, runSpread: 0.05 });
    const inBatch = { ...alone, batchId: "batch_1" };
    const contended = { ...alone, slotContended: true };
    expect(nextPollDelay(2_000, 2_050, 0.5, pollShape(inBatch))).toBe(
      nextPollDelay(2_000, 2_050, 0.5, pollShape(contended)),
    );
    expect(nextPollDelay(2_000, 2_050, 0.5, pollShape(inBatch))).toBeLessThan(
      nextPollDelay(2_000, 2_050, 0.5, pollShape(alone)) / 3,
    );
  });
});
