import { describe, expect, it } from "vitest";
import { backoffDelay, nextPollDelay, RETRY_CAP_MS, runDeadlineMs } from "../../src/jobs/polling.ts";

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
  it("first poll waits for half the expected run time", () => {
    const d = nextPollDelay(expected, 0, 0.5);
    expect(d).toBeGreaterThan(expected * 0.4);
    expect(d).toBeLessThan(expected * 0.6);
  });
  it("polls densely around the expected finish", () => {
    expect(nextPollDelay(expected, expected, 0.5)).toBeLessThanOrEqual(expected / 10);
  });
  it("thins out for runs far slower than expected, up to a ceiling", () => {
    const late = nextPollDelay(expected, expected * 3, 0.5);
    expect(late).toBeGreaterThan(nextPollDelay(expected, expected, 0.5));
    expect(nextPollDelay(expected, expected * 100, 0.99)).toBeLessThanOrEqual(60_000 * 1.15);
  });
  it("a schedule over a slow run asks far less often than a fixed 3 s poller", () => {
    let elapsed = 0;
    let polls = 0;
    while (elapsed < 5 * expected) {
      elapsed += nextPollDelay(expected, elapsed, 0.5);
      polls++;
    }
    expect(polls).toBeLessThan((5 * expected) / 3000 / 3);
  });
  it("deadline is generous but bounded", () => {
    expect(runDeadlineMs(60_000)).toBe(15 * 60_000);
    expect(runDeadlineMs(30 * 60_000)).toBe(2 * 3600_000);
  });
});
