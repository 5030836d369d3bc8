// What a due alarm does, decided without I/O from the job and the worker's setup: wait (the
// settings are invalid), end or move the job at once (a finish that needs no provider), or take
// one step at the provider or R2. The job object reads the setup, asks here, and acts.
import { awaitingCallback, noCallbackCame } from "./adopt.ts";
import { nextStep, providerNotConfigured, unconfirmedSubmit, whileConfigInvalid, type Step, type Tick } from "./machine.ts";
import type { JobRecord } from "./record.ts";

/** How long a job with nothing to do (copying, no output pending) waits before it looks again. */
const IDLE_MS = 60_000;

/** What the worker can do for this job right now. */
export interface Setup {
  /** Names of settings that are missing or invalid: nothing can be done. */
  configProblems?: string[];
  /** The model's provider lacks these keys: nothing can be sent to it. */
  missingKeys?: string[];
  /** The provider's submit may be repeated safely (it takes an idempotency key). */
  idempotentSubmit: boolean;
}

export type Plan =
  /** Look again at `wakeAt`; the stored job stays as it is. */
  | { kind: "wait"; wakeAt: number }
  /** Store this job: decided without asking anyone. */
  | { kind: "store"; job: JobRecord }
  /** Take this step (I/O) and store what it yields. */
  | { kind: "step"; step: Exclude<Step, { kind: "idle" }> };

export function plan(job: JobRecord, setup: Setup, tick: Tick): Plan {
  // waiting for the callback of a lost submit: the alarm comes at the deadline, and nothing named the task
  if (awaitingCallback(job)) return { kind: "store", job: noCallbackCame(job, tick) };
  if (setup.configProblems) {
    // a job still waiting for a slot has no run deadline yet: whileConfigInvalid picks its limit
    const decision = whileConfigInvalid(job, setup.configProblems, tick);
    return decision.wait ? { kind: "wait", wakeAt: decision.wakeAt } : { kind: "store", job: decision.job };
  }
  const step = nextStep(job);
  if (step.kind === "idle") return { kind: "store", job: { ...job, nextAt: tick.now + IDLE_MS } };
  // copying needs R2 only: the provider's keys matter to submits and polls
  if (step.kind === "copy") return { kind: "step", step };
  if (setup.missingKeys) return { kind: "store", job: providerNotConfigured(job, setup.missingKeys, tick) };
  if (step.kind === "submit") {
    const unconfirmed = unconfirmedSubmit(job, setup.idempotentSubmit, tick);
    if (unconfirmed) return { kind: "store", job: unconfirmed };
  }
  return { kind: "step", step };
}
