// What a due alarm does, decided without I/O from the job and the worker's setup: wait (the
// settings are invalid), end or move the job at once (a finish that needs no provider), or take
// one step at the provider or R2 (taken by act.ts). The job object reads the setup, asks here, and acts.
import type { JobRecord } from "../record.ts";
import { awaitingCallback, noCallbackCame } from "../submit/adopt.ts";
import { unconfirmedSubmit } from "../submit/submit.ts";
import { CONFIG_RECHECK_MS, MAX_QUEUE_MS, NOTHING_PENDING_RECHECK_MS } from "./policies.ts";
import { conclude, type Tick } from "./transitions.ts";

export type Step = { kind: "submit" } | { kind: "poll" } | { kind: "copy"; index: number } | { kind: "idle" };

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
  if (step.kind === "idle") return { kind: "store", job: { ...job, nextAt: tick.now + NOTHING_PENDING_RECHECK_MS } };
  // copying needs R2 only: the provider's keys matter to submits and polls
  if (step.kind === "copy") return { kind: "step", step };
  if (setup.missingKeys) return { kind: "store", job: providerNotConfigured(job, setup.missingKeys, tick) };
  if (step.kind === "submit") {
    const unconfirmed = unconfirmedSubmit(job, setup.idempotentSubmit, tick);
    if (unconfirmed) return { kind: "store", job: unconfirmed };
  }
  return { kind: "step", step };
}

export function nextStep(job: JobRecord): Step {
  switch (job.status) {
    case "queued":
      return { kind: "submit" };
    case "running":
      return { kind: "poll" };
    case "copying": {
      const pending = job.outputs.find((o) => o.status === "pending");
      return pending ? { kind: "copy", index: pending.index } : { kind: "idle" };
    }
    default:
      return { kind: "idle" };
  }
}

/**
 * The worker's settings are invalid, so nothing can be done: wait and look again, until the
 * job's limit, then end with `configuration_error`. A job still waiting for a slot has no run
 * deadline yet: its limit is the time it may wait in line.
 */
export function whileConfigInvalid(
  job: JobRecord,
  problems: string[],
  tick: Tick,
): { wait: true; wakeAt: number } | { wait: false; job: JobRecord } {
  const limit = job.status === "queued" && !job.slotHeld ? job.createdAt + MAX_QUEUE_MS : job.deadlineAt;
  if (tick.now < limit) return { wait: true, wakeAt: tick.now + CONFIG_RECHECK_MS };
  return {
    wait: false,
    job: conclude(job, "configuration_error", tick, {
      code: "configuration_error",
      message: `The worker's configuration stayed invalid (${problems.join(", ")}) for longer than this job could wait`,
      retryable: true,
    }),
  };
}

/** The model's provider has no credentials set: nothing can be sent, now or later. */
export function providerNotConfigured(job: JobRecord, missing: string[], tick: Tick): JobRecord {
  return conclude(job, "provider_not_configured", tick, {
    code: "provider_not_configured",
    message: `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set`,
    retryable: false,
  });
}
