// What the fault matrix's rows share: the job spec for a fault's provider, a job brought to just
// before the step a fault is aimed at, and the backoff noted while a job is driven to its end.
import { expect } from "vitest";
import type { FaultTarget } from "../../simulator/index.ts";
import { RETRY_BASE_MS, RETRY_CAP_MS } from "../../src/jobs/machine/policies.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { TEST_BINDINGS } from "../support/bindings.ts";
import { type SEEDANCE, SEEDREAM, WIRO } from "../support/builders.ts";
import { createJob, type Harness, storedJob } from "../support/harness.ts";
import { firstStep, stepAlarm } from "./steps.ts";
import { requestsTo, TERMINAL } from "./support.ts";

export type Spec = typeof SEEDREAM | typeof WIRO | typeof SEEDANCE;
const SPEC_OF: Record<string, Spec> = { weshop: SEEDREAM, wiro: WIRO };
export const specFor = (target: FaultTarget): Spec => SPEC_OF[target.split(".")[0]!]!;
export const isSubmit = (target: FaultTarget) => target === "weshop.submit" || target === "wiro.run";
export const PROVIDER_TIMEOUT_MS = Number(TEST_BINDINGS.PROVIDER_TIMEOUT_MS);
/** Full jitter's ceiling for the n-th consecutive failure; the floor keeps retries from spinning. */
export const ceiling = (attempt: number) => Math.max(250, Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1)));

/** Creates a job and, for a poll fault, lets it reach the provider first, so the fault lands on a poll. */
export async function jobAt(_h: Harness, target: FaultTarget): Promise<string> {
  const { id } = await createJob(specFor(target));
  if (!isSubmit(target)) expect((await firstStep(id)).status).toBe("running");
  return id;
}

/**
 * A job whose next step is the one at `target`, taken by this test and not by the alarm that
 * fires by itself after creation: for a submit, every try meets a 500 until the job is parked.
 * On a busy machine the runtime may have run that first alarm and its retry before the test
 * parks the job, so the attempts made so far are read back, not assumed.
 */
export async function jobBefore(
  h: Harness,
  target: FaultTarget,
  strict = true,
): Promise<{ id: string; attempts: number }> {
  if (!isSubmit(target)) return { id: await jobAt(h, target), attempts: 0 };
  const callsBefore = requestsTo(h, target).length;
  h.sim.inject({ target, kind: "http500", times: 1000 });
  const { id } = await createJob(specFor(target));
  await firstStep(id);
  h.sim.clearFaults();
  // parked: nothing moves the job until the test steps it
  const job = await storedJob(id);
  if (strict) {
    expect(job.status).toBe("queued");
    expect(job.attempts).toBeGreaterThanOrEqual(1);
    expect(requestsTo(h, target).length - callsBefore).toBe(job.attempts);
  }
  return { id, attempts: job.attempts };
}

/** Measured figures are printed once per row, for BENCHMARKS.md and the report. */
export const figure = (text: string) => console.log(`[reliability figure] ${text}`);

interface Backoff {
  attempts: number;
  delay: number;
}

/** Drives a job to its end, noting the delay chosen after every failed attempt. */
export async function driveNotingBackoff(
  h: Harness,
  id: string,
  maxRounds = 80,
): Promise<{ job: JobRecord; backoffs: Backoff[] }> {
  const backoffs: Backoff[] = [];
  for (let i = 0; i < maxRounds; i++) {
    const job = await storedJob(id);
    if (TERMINAL.has(job.status)) return { job, backoffs };
    h.advance(15_000);
    const { job: after } = await stepAlarm(id);
    if (!TERMINAL.has(after.status) && after.attempts > 0 && after.lastProviderError)
      backoffs.push({ attempts: after.attempts, delay: after.nextAt - after.updatedAt });
  }
  throw new Error(`job ${id} did not settle`);
}
