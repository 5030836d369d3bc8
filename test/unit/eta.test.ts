// estimatedCompletionAt: where a job's expected end lands, from its learned run time and its
// place in line.
import { describe, expect, it } from "vitest";
import { type EtaInput, estimateCompletion, remainingRunMs } from "../../src/jobs/poll/eta.ts";

const T0 = 1_800_000_000_000;
const running = (startedAt: number, expectedRunMs = 60_000, runSpread = 0.3): EtaInput => ({
  status: "running",
  startedAt,
  expectedRunMs,
  runSpread,
});

describe("estimateCompletion", () => {
  it("a run inside its expected time ends at start + the learned run time (plus the copy)", () => {
    const eta = estimateCompletion(running(T0), T0 + 20_000);
    expect(eta - T0).toBeGreaterThanOrEqual(60_000);
    expect(eta - T0).toBeLessThan(65_000);
    // the same instant whenever it is asked, while the run is on time
    expect(estimateCompletion(running(T0), T0 + 50_000)).toBe(eta);
  });

  it("a run past its expected time is still expected in the future, later the slower it is", () => {
    const late = estimateCompletion(running(T0), T0 + 90_000);
    const later = estimateCompletion(running(T0), T0 + 150_000);
    expect(late).toBeGreaterThan(T0 + 90_000);
    expect(later).toBeGreaterThan(T0 + 150_000);
    expect(later - (T0 + 150_000)).toBeGreaterThan(0);
  });

  it("a wider spread expects a late run to take longer still", () => {
    expect(remainingRunMs(60_000, 0.6, 90_000)).toBeGreaterThan(remainingRunMs(60_000, 0.15, 90_000));
  });

  it("a queued job counts the whole run; waiting in line adds time per place, less with more slots", () => {
    const queued: EtaInput = { status: "queued", expectedRunMs: 60_000, runSpread: 0.3 };
    const free = estimateCompletion(queued, T0);
    expect(free - T0).toBeGreaterThanOrEqual(60_000);
    const third = estimateCompletion({ ...queued, queuePosition: 3, queueSlots: 3 }, T0);
    const sixth = estimateCompletion({ ...queued, queuePosition: 6, queueSlots: 3 }, T0);
    const thirdOfTen = estimateCompletion({ ...queued, queuePosition: 3, queueSlots: 10 }, T0);
    expect(third).toBeGreaterThan(free);
    expect(sixth).toBeGreaterThan(third);
    expect(thirdOfTen).toBeLessThan(third);
    expect(thirdOfTen).toBeGreaterThan(free);
  });

  it("a copying job is expected within seconds", () => {
    const eta = estimateCompletion({ status: "copying", startedAt: T0, expectedRunMs: 60_000 }, T0 + 61_000);
    expect(eta).toBeGreaterThan(T0 + 61_000);
    expect(eta).toBeLessThan(T0 + 71_000);
  });
});
