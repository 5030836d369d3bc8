// One set of builders for tests: job specs as a client sends them, a stored job record with
// every field a pure decision reads, and the clock those decisions take.
import type { JobRecord } from "../../src/jobs/record.ts";

/** A fixed instant for pure decisions (tests of the simulator and the harness keep their own). */
export const T0 = 1_700_000_000_000;
/** The `{ now, rand }` a decision is given; rand 0.5 puts full jitter in the middle of its range. */
export const tick = (now = T0, rand = 0.5) => ({ now, rand });

/** Job specs as POST /v1/jobs takes them, one per provider and kind. */
export const SEEDREAM = { model: "weshop/seedream", params: { textDescription: "a fox" } };
export const SEEDANCE = {
  model: "weshop/seedance",
  params: { textDescription: "a wave", images: ["https://images.example.com/a.png"] },
};
export const WIRO = { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle" } };

/** The record fields that differ by provider. */
export const ON_WESHOP = { model: "weshop/seedream", provider: "weshop", expectedRunMs: 20_000 } as const;
export const ON_WIRO = {
  model: "wiro/ByteDance/text-to-video-seedance-v1",
  provider: "wiro",
  expectedRunMs: 40_000,
} as const;

/** A stored job: queued on WeShop's Seedream, created at `T0`, due now; `over` changes any field. */
export function jobRecord(over: Partial<JobRecord> = {}): JobRecord {
  return {
    id: "job_00000000000000000000",
    tenant: "t",
    ...ON_WESHOP,
    params: {},
    metadata: {},
    status: "queued",
    outputs: [],
    createdAt: T0,
    updatedAt: T0,
    polls: 0,
    attempts: 0,
    submitAttempts: 0,
    deadlineAt: T0 + 15 * 60_000,
    nextAt: T0,
    origin: "http://x",
    ...over,
  };
}
