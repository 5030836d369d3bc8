// The gate's pace rules as a table: pushback halves the pace once per burst and holds it,
// successes after the hold add slots back, a changed setting applies at once, and free slots
// go to the head of the line.
import { describe, expect, it } from "vitest";
import {
  admit,
  afterOutcome,
  CUT_SPACING_MS,
  effectiveLimit,
  FULL_PACE,
  freeSlots,
  MAX_BACKSTOP_MS,
  OKS_PER_SLOT,
  type Pace,
  PUSHBACK_HOLD_MS,
  retryDelayMs,
  withLimit,
} from "../../src/jobs/gate/gate-pace.ts";

const T0 = 1_700_000_000_000;
const pace = (over: Partial<Pace> = {}): Pace => ({ ...FULL_PACE, limit: 8, ...over });

describe("afterOutcome", () => {
  const rows: {
    name: string;
    before: Pace;
    outcome: "ok" | "rate_limited";
    now: number;
    after: Pace;
    opened: boolean;
  }[] = [
    {
      name: "pushback at full pace halves the limit and holds it",
      before: pace(),
      outcome: "rate_limited",
      now: T0,
      after: pace({ cap: 4, cutAt: T0, holdUntil: T0 + PUSHBACK_HOLD_MS }),
      opened: false,
    },
    {
      name: "a second report within the cut spacing is the same overload: no second halving, hold extended",
      before: pace({ cap: 4, cutAt: T0, holdUntil: T0 + PUSHBACK_HOLD_MS, oks: 2 }),
      outcome: "rate_limited",
      now: T0 + CUT_SPACING_MS - 1,
      after: pace({ cap: 4, cutAt: T0, holdUntil: T0 + CUT_SPACING_MS - 1 + PUSHBACK_HOLD_MS }),
      opened: false,
    },
    {
      name: "a report after the cut spacing halves again",
      before: pace({ cap: 4, cutAt: T0, holdUntil: T0 + PUSHBACK_HOLD_MS }),
      outcome: "rate_limited",
      now: T0 + CUT_SPACING_MS,
      after: pace({ cap: 2, cutAt: T0 + CUT_SPACING_MS, holdUntil: T0 + CUT_SPACING_MS + PUSHBACK_HOLD_MS }),
      opened: false,
    },
    {
      name: "the pace never falls below one task",
      before: pace({ cap: 1, cutAt: T0, holdUntil: T0 + PUSHBACK_HOLD_MS }),
      outcome: "rate_limited",
      now: T0 + CUT_SPACING_MS,
      after: pace({ cap: 1, cutAt: T0 + CUT_SPACING_MS, holdUntil: T0 + CUT_SPACING_MS + PUSHBACK_HOLD_MS }),
      opened: false,
    },
    {
      name: "a success during the hold changes nothing",
      before: pace({ cap: 4, cutAt: T0, holdUntil: T0 + PUSHBACK_HOLD_MS }),
      outcome: "ok",
      now: T0 + PUSHBACK_HOLD_MS - 1,
      after: pace({ cap: 4, cutAt: T0, holdUntil: T0 + PUSHBACK_HOLD_MS }),
      opened: false,
    },
    {
      name: "a success after the hold is counted",
      before: pace({ cap: 4, cutAt: T0, holdUntil: T0 + PUSHBACK_HOLD_MS }),
      outcome: "ok",
      now: T0 + PUSHBACK_HOLD_MS,
      after: pace({ cap: 4, cutAt: T0, holdUntil: T0 + PUSHBACK_HOLD_MS, oks: 1 }),
      opened: false,
    },
    {
      name: "enough successes add one slot and open the line",
      before: pace({ cap: 4, holdUntil: T0, oks: OKS_PER_SLOT - 1 }),
      outcome: "ok",
      now: T0,
      after: pace({ cap: 5, holdUntil: T0, oks: 0 }),
      opened: true,
    },
    {
      name: "the slot that reaches the configured limit returns to full pace",
      before: pace({ cap: 7, holdUntil: T0, oks: OKS_PER_SLOT - 1 }),
      outcome: "ok",
      now: T0,
      after: pace({ cap: null, holdUntil: T0, oks: 0 }),
      opened: true,
    },
    {
      name: "a success at full pace changes nothing",
      before: pace(),
      outcome: "ok",
      now: T0,
      after: pace(),
      opened: false,
    },
  ];
  it.each(rows)("$name", ({ before, outcome, now, after, opened }) => {
    expect(afterOutcome(before, outcome, now)).toEqual({ pace: after, opened });
  });

  it("recovers from one cut to full pace after the hold with OKS_PER_SLOT successes per slot", () => {
    let p = afterOutcome(pace(), "rate_limited", T0).pace;
    let oks = 0;
    while (p.cap !== null) {
      p = afterOutcome(p, "ok", T0 + PUSHBACK_HOLD_MS).pace;
      oks++;
    }
    expect(oks).toBe((8 - 4) * OKS_PER_SLOT);
    expect(effectiveLimit(p)).toBe(8);
  });
});

describe("withLimit", () => {
  const rows: { name: string; before: Pace; setting: number; after: Pace; opened: boolean }[] = [
    { name: "the same setting changes nothing", before: pace(), setting: 8, after: pace(), opened: false },
    { name: "a higher setting opens slots", before: pace(), setting: 10, after: pace({ limit: 10 }), opened: true },
    { name: "a lower setting closes slots", before: pace(), setting: 3, after: pace({ limit: 3 }), opened: false },
    {
      name: "a fractional setting rounds down",
      before: pace(),
      setting: 2.9,
      after: pace({ limit: 2 }),
      opened: false,
    },
    {
      name: "a bad setting falls back to one task",
      before: pace(),
      setting: Number.NaN,
      after: pace({ limit: 1 }),
      opened: false,
    },
    { name: "zero falls back to one task", before: pace(), setting: 0, after: pace({ limit: 1 }), opened: false },
    {
      name: "a cut below the new limit is kept",
      before: pace({ cap: 2 }),
      setting: 4,
      after: pace({ limit: 4, cap: 2 }),
      opened: false,
    },
    {
      name: "a cut at or above the new limit is dropped",
      before: pace({ cap: 4 }),
      setting: 4,
      after: pace({ limit: 4, cap: null }),
      opened: false,
    },
  ];
  it.each(rows)("$name", ({ before, setting, after, opened }) => {
    expect(withLimit(before, setting)).toEqual({ pace: after, opened });
  });
});

describe("rationing grants", () => {
  it.each([
    { name: "the head of the line gets a free slot", position: 1, free: 1, granted: true },
    { name: "waiters within the free slots are granted", position: 3, free: 3, granted: true },
    { name: "a waiter behind the free slots waits", position: 4, free: 3, granted: false },
    { name: "nobody is granted when no slot is free", position: 1, free: 0, granted: false },
  ])("$name", ({ position, free, granted }) => {
    const got = admit(position, free, T0);
    expect(got.granted).toBe(granted);
    if (!got.granted) expect(got.retryAt).toBe(T0 + retryDelayMs(position));
  });

  it("asks far-back waiters to come back later (a backstop: the gate wakes them), at most MAX_BACKSTOP_MS", () => {
    expect(retryDelayMs(1)).toBeLessThan(retryDelayMs(50));
    expect(retryDelayMs(100_000)).toBe(MAX_BACKSTOP_MS);
  });

  it.each([
    { name: "free slots are the pace minus the holders", p: pace(), active: 3, free: 5 },
    { name: "a cut counts against the lowered pace", p: pace({ cap: 2 }), active: 1, free: 1 },
    { name: "holders above a cut are not revoked: no slot is free", p: pace({ cap: 2 }), active: 6, free: 0 },
  ])("$name", ({ p, active, free }) => {
    expect(freeSlots(p, active)).toBe(free);
  });
});
