// One Durable Object per job, its single source of truth (map: README.md here). An alarm run is load → decide (machine/plan.ts)
// → act (machine/act.ts: the step's I/O, in its phase's folder) → store → hand-overs (each offering its next wake time) → the
// next alarm, set in one place (`sleepUntil`). State is stored before each side effect, so a crash resumes from what was stored.
import { DurableObject } from "cloudflare:workers";
import { type Config, readConfig } from "../config.ts";
import { withKnownActual } from "../costs/actual.ts";
import { deadlinePassed, deadlineWake, endAtDeadline } from "../lifecycle/deadline.ts";
import {
  continueErase,
  type EraseAnswer,
  type EraseHost,
  type EraseReason,
  eraseJob,
  expireOutputs,
} from "../lifecycle/job-erase.ts";
import type { Provider } from "../providers/types.ts";
import type { DeliveryReport } from "../webhooks/types.ts";
import { hasFollowUps, type StepHost, unchanged } from "./hand-overs/hand-overs.ts";
import {
  BEFORE_ERASE,
  dueWake,
  FOLLOW_UPS,
  ONGOING,
  renewSlot,
  runSteps,
  writeIndex,
} from "./hand-overs/hand-overs-io.ts";
import { withEvents } from "./hand-overs/outbox.ts";
import type { JobApi, NewJob } from "./job-client.ts";
import { jobLog } from "./job-log.ts";
import { JobStore } from "./job-store.ts";
import { type ActHost, act, readSetup } from "./machine/act.ts";
import { plan, type Step } from "./machine/plan.ts";
import { EARLY_TOLERANCE_MS } from "./machine/policies.ts";
import { isTerminal, tick } from "./machine/transitions.ts";
import { newJobRecord } from "./new-job.ts";
import { callbackNoted, tokenHash, tokenMatches } from "./poll/callbacks.ts";
import { observedRunMs } from "./poll/poll.ts";
import { learnRun, PRIOR, recentEstimate } from "./poll/run-times.ts";
import type { JobRecord } from "./record.ts";
import { absorbStep, cancelJob } from "./stop/stop.ts";
import { waitForChange } from "./wait-change.ts";

export class JobObject extends DurableObject<Env> implements JobApi {
  /** Set while an alarm runs in this instance, so an overlapping invocation waits and re-reads. */
  private running: Promise<void> | undefined;
  /** A valid callback arrived while an alarm was running (with the task id its body named); that alarm schedules the confirmation. */
  private callbackDuringAlarm: { taskId?: string } | undefined;
  /** The step the alarm is taking right now, with the controller a cancel aborts it by. */
  private inflight: { step: Step["kind"]; controller: AbortController } | undefined;

  /** The stored record (job-store.ts). */
  private readonly store = new JobStore(this.ctx.storage.kv);

  /** What the steps (machine/act.ts, hand-overs/) may use of this object. */
  private host(): StepHost & ActHost {
    return {
      env: this.env,
      patch: (seen, fields) => this.store.patch(seen, fields),
      save: (job) => this.store.save(job),
      canceledSince: (seen) => this.store.canceledSince(seen),
      renewSlot: (job) => renewSlot(this.env, job),
    };
  }

  /** Creates the job once; calling again (a retried RPC) returns the stored job unchanged. */
  async create(input: NewJob): Promise<JobRecord> {
    const estimate = this.store.load() ? PRIOR : await recentEstimate(this.env, input.model);
    // checked after the await: a concurrent create of the same job may have stored it meanwhile
    const existing = this.store.load();
    if (existing) return existing;
    const job = newJobRecord(input, estimate, Date.now());
    this.store.save(job);
    await this.ctx.storage.setAlarm(job.nextAt);
    return (await writeIndex(this.host(), job)).job;
  }

  /** The job if it belongs to `tenant`; other tenants see nothing. */
  async read(tenant: string): Promise<JobRecord | null> {
    const job = this.store.load();
    return job && job.tenant === tenant ? job : null;
  }

  /** A Wiro callback with this job's token: a signal (poll/callbacks.ts); of the body only the task id it names, for a lost submit. */
  async wiroCallback(token: string, taskId?: string): Promise<boolean> {
    // hash first: between this load and the save below only storage calls may happen
    const hash = await tokenHash(token);
    if (!tokenMatches(this.store.load(), hash)) return false;
    // an alarm mid-step would overwrite the change; it is applied when that alarm is done
    if (this.running) this.callbackDuringAlarm = { taskId: this.callbackDuringAlarm?.taskId ?? taskId };
    else await this.confirmSoon(taskId);
    return true;
  }

  /** Marks the callback and brings the confirming Task/Detail (or the stop of a task named after the end) forward. */
  private async confirmSoon(taskId?: string): Promise<void> {
    const job = this.store.load();
    const noted = job && callbackNoted(job, Date.now(), taskId);
    if (!noted) return;
    this.store.save(noted.job);
    if (noted.wakeAt !== undefined) await this.ctx.storage.setAlarm(noted.wakeAt);
  }

  /** The sweeper found this job idle: make sure an alarm is set. True when one was missing. */
  async rearm(): Promise<boolean> {
    const job = this.store.load();
    if (!job || (isTerminal(job.status) && !hasFollowUps(job))) return false;
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm !== null && alarm > Date.now() - 60_000) {
      // an alarm is set and not long overdue; refresh the index so the job stops looking idle
      await writeIndex(this.host(), { ...job, indexedAt: undefined });
      return false;
    }
    await this.ctx.storage.setAlarm(Date.now());
    return true;
  }

  /** A provider slot may be free: look again now instead of at the next retry time. */
  async wake(): Promise<void> {
    const job = this.store.load();
    if (job?.status !== "queued") return;
    this.store.save({ ...job, nextAt: Math.min(job.nextAt, Date.now()) });
    await this.ctx.storage.setAlarm(Date.now());
  }

  /** Progress of an outgoing webhook, reported by its delivery object. */
  async webhookReport(report: DeliveryReport): Promise<void> {
    // a report may arrive while the alarm is mid-step; apply it after, so neither write is lost
    while (this.running) await this.running;
    this.store.putDelivery(report);
  }

  /**
   * The client cancels (finished jobs cannot be: 409). Stored at once, never waiting for the alarm: a step in flight is aborted
   * (its alarm keeps only what it learned about the task), and the follow-up alarm stops the Wiro task, frees the slot, tells index and batch.
   */
  async cancel(tenant: string): Promise<{ job: JobRecord | null; canceled: boolean }> {
    for (;;) {
      const seen = this.store.load();
      if (!seen || seen.tenant !== tenant) return { job: null, canceled: false };
      if (isTerminal(seen.status)) return { job: seen, canceled: false };
      const ended = withKnownActual(cancelJob(seen, this.inflight?.step === "submit", tick()));
      const configResult = readConfig(this.env);
      const next = await withEvents(seen, ended, configResult.ok ? configResult.config : undefined);
      // the messages were built across an await: store only if the job is still as it was read
      if (!unchanged(this.store.load(), seen)) continue;
      this.store.save(next);
      this.inflight?.controller.abort();
      jobLog(next).info("job status changed", { from: seen.status, to: next.status, code: next.error?.code });
      await this.ctx.storage.setAlarm(Date.now());
      return { job: next, canceled: true };
    }
  }

  /** DELETE (finished jobs only) and job retention: a tombstone replaces the record, the alarm finishes what a crash cuts short. */
  async erase(tenant: string, reason: EraseReason): Promise<EraseAnswer> {
    return this.exclusive(() => eraseJob(this.eraseHost(), tenant, reason));
  }

  async expireOutputs(tenant: string): Promise<boolean> {
    return this.exclusive(() => expireOutputs(this.eraseHost(), tenant));
  }

  private eraseHost(): EraseHost {
    const store = this.store;
    return {
      env: this.env,
      storage: this.ctx.storage,
      load: () => store.load(),
      save: (j) => store.save(j),
      drop: () => store.drop(),
      handOver: async (job) => void (await runSteps(this.host(), BEFORE_ERASE, job)),
    };
  }

  /** Resolves with the job once it changes after `since` (its updatedAt), or at the timeout. */
  async waitForChange(tenant: string, since: number, timeoutMs: number): Promise<JobRecord | null> {
    return waitForChange(() => this.store.load(), this.store.waiters, tenant, since, timeoutMs);
  }

  override async alarm(): Promise<void> {
    return this.exclusive(() => this.runAlarm());
  }

  /** Runs `work` alone: two alarm invocations never overlap (a cancel does not wait: see `canceledSince`). */
  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.running) await this.running;
    const run = work();
    this.running = run.then(
      () => undefined,
      () => undefined,
    );
    try {
      return await run;
    } finally {
      this.running = undefined;
      const callback = this.callbackDuringAlarm;
      if (callback) {
        this.callbackDuringAlarm = undefined;
        await this.confirmSoon(callback.taskId);
      }
    }
  }

  private async runAlarm(): Promise<void> {
    const stored = this.store.load();
    if (!stored) return continueErase(this.eraseHost());
    if (isTerminal(stored.status)) return this.afterEnd(stored);
    if (deadlinePassed(stored, Date.now()))
      return this.commit(stored, endAtDeadline(stored, tick()), readSetup(this.env, stored.id, stored.model).config);
    // hand-overs left from the last step
    const { job, wakeAt } = await runSteps(this.host(), ONGOING, stored);
    // a cancel may have come during those hand-overs
    const canceled = this.store.canceledSince(job);
    if (canceled) return this.afterEnd(canceled);
    // alarms run at least once and may come early or twice: act only when the job is due
    if (job.nextAt > Date.now() + EARLY_TOLERANCE_MS) {
      if (job.slotHeld) await renewSlot(this.env, job);
      // a cancel during the renewal set its own alarm for the follow-ups: do them instead
      const canceledMeanwhile = this.store.canceledSince(job);
      if (canceledMeanwhile) return this.afterEnd(canceledMeanwhile);
      return this.sleepUntil(Math.min(wakeAt, dueWake(job)));
    }
    const { config, provider, setup } = readSetup(this.env, job.id, job.model);
    const decision = plan(job, setup, tick());
    // nothing can be done without configuration: the stored job stays, looked at again later
    if (decision.kind === "wait") return this.sleepUntil(Math.min(wakeAt, decision.wakeAt));
    // a step is planned only with valid settings, so `config` is set for it
    const next = decision.kind === "store" ? decision.job : await this.advance(job, decision.step, config!, provider);
    await this.commit(job, next, config);
  }

  /** The step's I/O, abortable by a cancel while it runs. */
  private async advance(
    job: JobRecord,
    step: Exclude<Step, { kind: "idle" }>,
    config: Config,
    provider: Provider | undefined,
  ): Promise<JobRecord> {
    const controller = new AbortController();
    this.inflight = { step: step.kind, controller };
    try {
      return await act(this.host(), job, step, config, provider, controller.signal);
    } finally {
      this.inflight = undefined;
    }
  }

  /** Stores a transition and does what follows from it: webhook events, learning, the hand-overs, the next alarm. */
  private async commit(before: JobRecord, after: JobRecord, config: Config | undefined): Promise<void> {
    // the cost the provider reported, or 0 for a job that ended without reaching it
    const next = await withEvents(before, withKnownActual(after), config);
    // a cancel stored while the step ran stands: keep only what the step learned
    const canceled = this.store.canceledSince(before);
    if (canceled) {
      const absorbed = absorbStep(canceled, before, after, tick());
      this.store.save(absorbed);
      return this.afterEnd(absorbed);
    }
    this.store.save(next);
    if (next.status !== before.status)
      jobLog(next).info("job status changed", { from: before.status, to: next.status, code: next.error?.code });
    const observed = observedRunMs(before, next);
    // learned beside the hand-overs, not before them: a run that just ended frees its provider slot
    // there, and the next job's run should not wait for a statistics write (learnRun never throws)
    const learning = observed !== undefined ? learnRun(this.env, next, observed) : undefined;
    try {
      if (isTerminal(next.status)) return await this.afterEnd(next);
      const handedOver = await runSteps(this.host(), ONGOING, next);
      const canceledLater = this.store.canceledSince(handedOver.job);
      if (canceledLater) return await this.afterEnd(canceledLater);
      await this.sleepUntil(Math.min(handedOver.wakeAt, dueWake(handedOver.job)));
    } finally {
      await learning;
    }
  }

  /** A finished job's remaining work; it wakes again only while a step has some left. */
  private async afterEnd(ended: JobRecord): Promise<void> {
    const { wakeAt } = await runSteps(this.host(), FOLLOW_UPS, ended);
    await this.sleepUntil(wakeAt);
  }

  /** The one place an alarm run sets the next alarm; nothing left to do (Infinity) sets none. */
  private async sleepUntil(wake: number): Promise<void> {
    // an unfinished job also wakes at its caller's deadline
    const wakeAt = Math.min(wake, deadlineWake(this.store.load()));
    if (Number.isFinite(wakeAt)) await this.ctx.storage.setAlarm(wakeAt);
  }
}
