// Ending a job while a provider task may exist (client cancel, deadline), as pure functions:
// what the job says at once, what a step that was in flight at the cancel learned, and each
// later attempt at stopping the task or finding the run. The job's error message is always
// `stop.headline` + `stop.note`, so it never claims more than is known.
// The stop requests themselves are made in stop-io.ts, a follow-up step after the end.
import type { ProviderName } from "../../providers/models.ts";
import type { Outcome, ProviderTask, StopResult } from "../../providers/types.ts";
import { backoffDelay, MAX_STOP_ATTEMPTS, STOP_PATIENCE_MS } from "../machine/policies.ts";
import { conclude, type Tick } from "../machine/transitions.ts";
import type { JobRecord, OutputRecord, StopRecord } from "../record.ts";

const NAME: Record<ProviderName, string> = { weshop: "WeShop", wiro: "Wiro" };

/** docs/providers.md: WeShop has no cancel endpoint; Wiro has Task/Cancel and Task/Kill. */
const CAN_STOP: Record<ProviderName, boolean> = { weshop: false, wiro: true };

const WIRO_TASK_UNKNOWN =
  "A submit to Wiro had been sent without a confirmed answer, so a Wiro task may exist; it cannot be stopped because Wiro never said which task it is.";
/**
 * WeShop offers no read that cannot start a run: its only lookup (GET /agent/runs/{executionId})
 * needs the id the lost answer would have carried, and sending the submit again with the job's
 * Idempotency-Key starts the run if the first never arrived. After a cancel nothing may start one.
 */
const WESHOP_RUN_UNKNOWN =
  "A submit to WeShop had been sent without a confirmed answer, so a run may exist there and may finish and be billed. WeShop offers no way to look a run up without possibly starting one, so seedrun did not ask again; WeShop has no cancel endpoint.";
/** What a submit whose answer never came leaves unknown, by provider. */
const TASK_UNKNOWN: Record<ProviderName, string> = { weshop: WESHOP_RUN_UNKNOWN, wiro: WIRO_TASK_UNKNOWN };

function weshopRunExists(task: ProviderTask): string {
  return `The run exists at WeShop (executionId ${task.taskId}) and may still finish and be billed: WeShop has no cancel endpoint, so only tracking stopped.`;
}

/** Sets the stop and rewrites the error message from it. */
function withStop(job: JobRecord, stop: StopRecord | undefined, due: JobRecord["providerStop"]): JobRecord {
  const message = stop ? `${stop.headline} ${stop.note}` : job.error?.message;
  return { ...job, stop, providerStop: due, ...(job.error && message ? { error: { ...job.error, message } } : {}) };
}

const dueNow = (tick: Tick): NonNullable<JobRecord["providerStop"]> => ({
  attempts: 0,
  tries: 0,
  nextAt: tick.now,
  since: tick.now,
});

/** The stop for a task that exists: Wiro is asked (by the follow-up alarm); WeShop cannot be. */
function stopFor(job: JobRecord, task: ProviderTask, headline: string, tick: Tick): JobRecord {
  if (!CAN_STOP[job.provider])
    return withStop({ ...job, task }, { headline, note: weshopRunExists(task), confirmed: false }, undefined);
  return withStop(
    { ...job, task },
    { headline, note: `Asking ${NAME[job.provider]} to stop task ${task.taskId}.`, confirmed: false },
    dueNow(tick),
  );
}

/**
 * The client canceled: the job ends `canceled` at once, saying what is known. A task that
 * exists is stopped by the follow-up alarm; a submit whose answer is missing is said to be
 * unknown, never sent again (WeShop's resubmit could start the run). `submitInFlight`: this object's alarm
 * is sending that submit right now, so its answer is still to come.
 */
export function cancelJob(job: JobRecord, submitInFlight: boolean, tick: Tick): JobRecord {
  const outputs = job.outputs.map(
    (o): OutputRecord =>
      o.status === "pending" ? { ...o, status: "failed", error: "canceled before it was copied" } : o,
  );
  const end = (message: string) =>
    conclude({ ...job, outputs }, "client_cancel", tick, { code: "canceled_by_client", message, retryable: false });
  // the provider's task had already finished: only copying stops
  if (job.status === "copying")
    return end("Canceled by the client while outputs were being copied; outputs already stored stay available.");
  const headline = "Canceled by the client.";
  if (job.task) return stopFor(end(headline), job.task, headline, tick);
  if (job.submitStartedAt === undefined) return end("Canceled by the client before the run reached the provider.");
  if (submitInFlight)
    return withStop(
      end(headline),
      { headline, note: IN_FLIGHT[job.provider], confirmed: false, awaitingSubmit: true },
      undefined,
    );
  return withStop(end(headline), unknownTask(job.provider, headline), undefined);
}

/** The submit in flight at the cancel: Wiro's is let finish (its answer names the task to stop); WeShop's is aborted. */
const IN_FLIGHT: Record<ProviderName, string> = {
  weshop:
    "The run was being submitted to WeShop; the submit was abandoned, and what is known of its run follows once it has ended.",
  wiro: "The run was being submitted to Wiro; the task it creates is stopped as soon as Wiro answers.",
};

/** The stop of a submit whose answer never came: nothing can be asked, only said. */
function unknownTask(provider: ProviderName, headline: string): StopRecord {
  return {
    headline,
    note: TASK_UNKNOWN[provider],
    confirmed: false,
    ...(provider === "wiro" ? { taskUnknown: true } : {}),
  };
}

/**
 * The job's own callback named a task after the job ended while its submit's task was unknown
 * (no callback by the deadline, or a cancel): the task is adopted only to be stopped.
 */
export function adoptAfterEnd(job: JobRecord, taskId: string, tick: Tick): JobRecord {
  const headline =
    `${job.stop?.headline ?? job.error?.message ?? ""} Wiro's callback then named task ${taskId}.`.trim();
  const noted = { ...job, callbackReceived: true, callbackReceivedAt: job.callbackReceivedAt ?? tick.now };
  return stopFor(noted, { taskId }, headline, tick);
}

/**
 * Polling ended with the task's state unknown: it outlived its deadline (`timeout`), or its
 * status could not be read through the poll-error cap or past the deadline
 * (`provider_unavailable`). Either way the task may still run (and bill), so it is asked to stop.
 */
const UNKNOWN_END = new Set(["timeout", "provider_unavailable"]);

export function deadlineStop(job: JobRecord, tick: Tick): JobRecord {
  if (!job.task || !job.error || job.status !== "failed" || !UNKNOWN_END.has(job.error.code)) return job;
  return stopFor(job, job.task, `${job.error.message}.`, tick);
}

/** A stop or lookup cannot be sent because the provider's credentials are not set: taken as a refusal. */
export function stopUnconfigured(job: JobRecord, missing: string[], tick: Tick): JobRecord {
  const refused = {
    ok: false as const,
    error: { retryable: false, code: "provider_not_configured", message: `${missing.join(" and ")} not set` },
  };
  return job.task ? afterStop(job, refused, tick) : withStop(job, job.stop, undefined);
}

/**
 * A cancel was stored while a step was in flight (`before` is the job the step started from,
 * `step` what it would have stored). The cancel stands; only what matters for the provider's
 * task is taken over: a task the submit created (to be stopped), the slot or place in line the
 * step took (to be given back), polls made, an output that was stored after all.
 */
export function absorbStep(canceled: JobRecord, before: JobRecord, step: JobRecord, tick: Tick): JobRecord {
  let next: JobRecord = {
    ...canceled,
    slotHeld: canceled.slotHeld || step.slotHeld,
    queuePosition: canceled.queuePosition ?? step.queuePosition,
    polls: Math.max(canceled.polls, step.polls),
    lastPollAt: step.lastPollAt ?? canceled.lastPollAt,
    outputs: canceled.outputs.map((o) => {
      const copied = step.outputs.find((s) => s.index === o.index && s.status === "stored");
      return copied && o.status !== "stored" ? copied : o;
    }),
  };
  if (step.polls > canceled.polls && step.providerStatus) next.providerStatus = step.providerStatus;
  const stop = canceled.stop;
  const headline = stop?.headline ?? "Canceled by the client.";
  if (step.task && !canceled.task) return stopFor({ ...next, startedAt: step.startedAt }, step.task, headline, tick);
  if (!stop?.awaitingSubmit) return next;
  // the submit got no task: either its fate is unknown (or an earlier one's is), or the provider refused it
  const unconfirmed =
    step.submitStartedAt !== undefined ||
    step.error?.code === "submit_uncertain" ||
    before.submitStartedAt !== undefined;
  if (unconfirmed) return withStop(next, unknownTask(canceled.provider, headline), undefined);
  next = withStop(next, undefined, undefined);
  const none = canceled.provider === "weshop" ? "no run was created" : "no task was created";
  return {
    ...next,
    error: {
      ...next.error!,
      message: `Canceled by the client; ${NAME[canceled.provider]} refused the submit (${refusal(step)}), so ${none}.`,
    },
  };
}

function refusal(step: JobRecord): string {
  return step.lastProviderError ?? (step.error ? `${step.error.code}: ${step.error.message}` : "no task in its answer");
}

/**
 * The alarm that was sending the submit at the cancel ended without storing its answer (the
 * object was evicted); or a job stored by an earlier version still has a WeShop lookup pending,
 * which is no longer made (it could start the run): either way the task is unknown.
 */
export function submitLost(job: JobRecord): JobRecord {
  if (!job.stop?.awaitingSubmit && !(job.stop?.resolve && !job.task)) return job;
  return withStop(job, unknownTask(job.provider, job.stop.headline), undefined);
}

function later(
  job: JobRecord,
  attempts: number,
  tries: number,
  tick: Tick,
  retryAfterMs?: number,
): NonNullable<JobRecord["providerStop"]> {
  const delay = backoffDelay(attempts + tries, tick.rand, retryAfterMs);
  return { attempts, tries, nextAt: tick.now + delay, since: job.providerStop?.since ?? tick.now };
}

/**
 * One attempt at stopping the task was made. Confirmed (the provider's status shows it no longer
 * runs) ends the stop; a task the provider cannot stop yet is asked again with backoff for up to
 * STOP_PATIENCE_MS; errors are retried MAX_STOP_ATTEMPTS times. A task left running keeps billing
 * and holds a place in the account's concurrency.
 */
export function afterStop(job: JobRecord, outcome: Outcome<StopResult>, tick: Tick): JobRecord {
  const stop: StopRecord = job.stop ?? { headline: job.error?.message ?? "", note: "", confirmed: false };
  const name = NAME[job.provider];
  const note = (text: string, confirmed = false): StopRecord => ({ headline: stop.headline, note: text, confirmed });
  const attempts = job.providerStop?.attempts ?? 0;
  const tries = job.providerStop?.tries ?? 0;
  if (outcome.ok) {
    const result = outcome.value;
    if (result.state === "stopped")
      return withStop({ ...job, providerStatus: result.providerStatus }, note(`${result.message}.`, true), undefined);
    if (result.state === "unsupported") return withStop(job, note(`${result.message}.`), undefined);
    const status = result.providerStatus ? { providerStatus: result.providerStatus } : {};
    const since = job.providerStop?.since ?? tick.now;
    if (tick.now - since < STOP_PATIENCE_MS)
      return withStop(
        { ...job, ...status },
        note(`${result.message}; asking again.`),
        later(job, attempts, tries + 1, tick),
      );
    const minutes = Math.round((tick.now - since) / 60_000);
    return withStop(
      { ...job, ...status },
      note(
        `Tracking stopped, but after ${minutes} minutes of asking: ${result.message}; the task may still run and be billed.`,
      ),
      undefined,
    );
  }
  const { error } = outcome;
  const failed = `${error.code}: ${error.message}`;
  if (error.retryable && attempts + 1 < MAX_STOP_ATTEMPTS)
    return withStop(
      job,
      note(`${name} did not confirm the stop yet (${failed}); asking again.`),
      later(job, attempts + 1, tries, tick, error.retryAfterMs),
    );
  return withStop(
    job,
    note(
      `Tracking stopped, but ${name} did not confirm the stop after ${attempts + 1} tries (${failed}); the task may still run and be billed.`,
    ),
    undefined,
  );
}
