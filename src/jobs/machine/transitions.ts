// The job's status changes as data: status × outcome → status, and the two ways a decision
// applies a row: a job that goes on (`moved`) and one that ends (`conclude`). Also the one clock
// (`tick`) every decision is given.
import { type JobError, type JobRecord, type JobStatus, TERMINAL } from "../record.ts";

/**
 * Every status change a job makes, as data: status × outcome → status. The decisions in
 * submit/, poll/, copy/, stop/ and machine/ take each new status from here (`statusAfter`), so a
 * pair missing from the table is a bug that throws instead of a silent move;
 * test/unit/machine-table.test.ts drives every row through the real functions.
 */
export const TRANSITIONS = {
  queued: {
    submitted: "running",
    no_slot: "queued",
    retry: "queued",
    gave_up: "failed",
    queue_timeout: "failed",
    submit_refused: "failed",
    submit_uncertain: "failed",
    // a lost Wiro submit whose callback may still name its task (submit/adopt.ts)
    submit_unconfirmed: "running",
    config_waiting: "queued",
    configuration_error: "failed",
    provider_not_configured: "failed",
    client_cancel: "canceled",
  },
  running: {
    still_running: "running",
    retry: "running",
    gave_up: "failed",
    poll_fatal: "failed",
    timeout: "failed",
    provider_failed: "failed",
    provider_canceled: "canceled",
    provider_succeeded: "copying",
    // no callback named the task of a lost submit by the deadline
    submit_uncertain: "failed",
    config_waiting: "running",
    configuration_error: "failed",
    provider_not_configured: "failed",
    client_cancel: "canceled",
  },
  copying: {
    copy_pending: "copying",
    retry: "copying",
    gave_up: "failed",
    outputs_stored: "succeeded",
    no_outputs: "failed",
    results_failed: "failed",
    media_copy_failed: "failed",
    config_waiting: "copying",
    configuration_error: "failed",
    client_cancel: "canceled",
  },
} as const satisfies Record<"queued" | "running" | "copying", Record<string, JobStatus>>;

type Table = typeof TRANSITIONS;
export type ActiveStatus = keyof Table;
export type JobOutcome = { [S in ActiveStatus]: keyof Table[S] }[ActiveStatus];

/** The status `outcome` leads to from `from`; throws for a pair the table does not allow. */
export function statusAfter(from: JobStatus, outcome: JobOutcome): JobStatus {
  const row = (TRANSITIONS as Partial<Record<JobStatus, Partial<Record<JobOutcome, JobStatus>>>>)[from];
  const to = row?.[outcome];
  if (to === undefined) throw new Error(`no transition from ${from} on ${outcome}`);
  return to;
}

export interface Tick {
  now: number;
  /** Uniform random in [0, 1), passed in so transitions stay deterministic under test. */
  rand: number;
}

/** The real clock and dice, for the I/O side; tests pass their own Tick. */
export const tick = (): Tick => ({ now: Date.now(), rand: Math.random() });

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL.has(status);
}

export function finish(
  job: JobRecord,
  status: "succeeded" | "failed" | "canceled",
  tick: Tick,
  error?: JobError,
): JobRecord {
  return {
    ...job,
    status,
    ...(error ? { error } : {}),
    completedAt: tick.now,
    updatedAt: tick.now,
    nextAt: Number.POSITIVE_INFINITY,
    submitStartedAt: undefined,
  };
}

/** Ends the job on `outcome`, the end status taken from the table. */
export function conclude(job: JobRecord, outcome: JobOutcome, tick: Tick, error?: JobError): JobRecord {
  const status = statusAfter(job.status, outcome);
  if (status !== "succeeded" && status !== "failed" && status !== "canceled")
    throw new Error(`${outcome} from ${job.status} does not end the job`);
  return finish(job, status, tick, error);
}

/** The status `outcome` keeps or sets for a job that goes on. */
export function moved(job: JobRecord, outcome: JobOutcome): JobStatus {
  return statusAfter(job.status, outcome);
}
