import { describe, expect, it } from "vitest";
import { backoffDelay, DENSE_POLL_MS, nextPollDelay, RETRY_CAP_MS, runDeadlineMs } from "../../src/jobs/polling.ts";

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

describe("nextPollDelay", () => {
  const expected = 60_000;
  it("asks nothing before the window where runs finish (expected − 2 spreads)", () => {
    const d = nextPollDelay(expected, 0, 0.5, { spread: 0.2 });
    expect(d).toBeGreaterThan(expected * Math.exp(-0.4) * 0.95);
    expect(d).toBeLessThan(expected * Math.exp(-0.4) * 1.05);
  });
  it("a wider spread opens the window earlier", () => {
    expect(nextPollDelay(expected, 0, 0.5, { spread: 0.5 })).toBeLessThan(nextPollDelay(expected, 0, 0.5, { spread: 0.1 }));
  });
  it("polls every ~2.8 s inside the window, never slower than a 3 s poller", () => {
    for (const rand of [0, 0.5, 0.999]) {
      const d = nextPollDelay(expected, expected, rand, { spread: 0.3 });
      expect(d).toBeGreaterThanOrEqual(DENSE_POLL_MS * 0.9 - 1);
      expect(d).toBeLessThanOrEqual(3_100);
    }
  });
  it("thins out for runs far slower than expected, up to a ceiling", () => {
    expect(nextPollDelay(expected, expected * 3, 0.5, { spread: 0.2 })).toBeGreaterThan(nextPollDelay(expected, expected, 0.5, { spread: 0.2 }));
    expect(nextPollDelay(expected, expected * 100, 0.99)).toBeLessThanOrEqual(66_000);
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
  it("with a callback on its way, polls are a sparse backstop", () => {
    expect(nextPollDelay(expected, expected, 0.5, { callbackExpected: true })).toBeGreaterThanOrEqual(15_000);
  });
  it("deadline is generous but bounded", () => {
    expect(runDeadlineMs(60_000)).toBe(15 * 60_000);
    expect(runDeadlineMs(30 * 60_000)).toBe(2 * 3600_000);
  });
});
