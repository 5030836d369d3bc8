// One Durable Object per job: the single source of truth for it. Its alarm drives the
// machine (submit → poll → copy), storing state before each side effect and setting the
// next alarm last, so a crash or eviction resumes from what was stored.
import { DurableObject } from "cloudflare:workers";
import { readConfig, type Config } from "../config.ts";
import { wiroCallbackToken } from "../lib/callback-token.ts";
import { sha256Hex, timingSafeEqualText } from "../lib/crypto.ts";
import { log } from "../lib/log.ts";
import { copyToR2, extensionFor } from "../media/copy.ts";
import { gateApi, LEASE_MS } from "./gate/gate-client.ts";
import { providerFor } from "../providers/index.ts";
import { MODELS, type ModelId } from "../providers/models.ts";
import { buildMessage, transitionEvents } from "../webhooks/events.ts";
import type { DeliveryReport } from "../webhooks/types.ts";
import {
  afterCopy,
  afterCrash,
  afterSubmit,
  isTerminal,
  markSubmitting,
  nextStep,
  observedRunMs,
  providerNotConfigured,
  slotGranted,
  unconfirmedSubmit,
  waitForSlot,
  whileConfigInvalid,
  type CopyOutcome,
  type Step,
  type Tick,
} from "./machine.ts";
import { FOLLOW_UPS, handOverOutbox, releaseSlot, type StepHost, writeIndex } from "./follow-up-steps.ts";
import { EARLY_TOLERANCE_MS, hasFollowUps, needsIndex, unchanged } from "./follow-ups.ts";
import { absorbStep, afterPollOrStop, cancelJob } from "./stop.ts";
import { modelStats } from "./stats/stats-client.ts";
import { DEFAULT_SPREAD, runDeadlineMs } from "./polling.ts";
import type { JobApi, NewJob } from "./job-client.ts";
import type { JobRecord, OutputRecord } from "./record.ts";

const JOB_KEY = "job";
/** Callbacks trigger at most one confirming Task/Detail per window, however many arrive. */
export const CONFIRM_WINDOW_MS = 2_000;
const MAX_MEDIA_BYTES = { video: 4 * 1024 ** 3, image: 200 * 1024 ** 2 };
/** A job holding a provider slot wakes at least this often to renew the slot's lease, however far off its next poll is. */
const LEASE_RENEW_MS = LEASE_MS / 2;

export class JobObject extends DurableObject<Env> implements JobApi {
  /** Set while an alarm runs in this instance, so an overlapping invocation waits and re-reads. */
  private running: Promise<void> | undefined;
  /** A valid callback arrived while an alarm was running; that alarm schedules the confirmation. */
  private callbackDuringAlarm = false;
  /** Readers waiting for the next change (live status, `Prefer: wait`). */
  private waiters = new Set<() => void>();
  /** The step the alarm is taking right now, with the controller a cancel aborts it by. */
  private inflight: { step: Step["kind"]; controller: AbortController } | undefined;

  // The synchronous KV API: a read-modify-write with no await inside cannot interleave with
  // another request to this object.
  private load(): JobRecord | undefined {
    return this.ctx.storage.kv.get<JobRecord>(JOB_KEY);
  }

  private save(job: JobRecord): void {
    this.ctx.storage.kv.put(JOB_KEY, job);
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Updates bookkeeping fields on the stored job, if it is still the state `seen` (else a newer state covers it). */
  private patch(seen: JobRecord, fields: Partial<JobRecord>): JobRecord {
    const current = this.load();
    if (!current || current.updatedAt !== seen.updatedAt || current.status !== seen.status) return current ?? seen;
    const next = { ...current, ...fields };
    this.ctx.storage.kv.put(JOB_KEY, next);
    return next;
  }

  /** Creates the job once; calling again (a retried RPC) returns the stored job unchanged. */
  async create(input: NewJob): Promise<JobRecord> {
    const model = MODELS[input.model];
    const estimate = this.load() ? { factor: 1, spread: DEFAULT_SPREAD } : await this.estimate(input.model);
    // checked after the await: a concurrent create of the same job may have stored it meanwhile
    const existing = this.load();
    if (existing) return existing;
    const now = Date.now();
    const expectedRunMs = Math.round(model.expectedRunMs(input.params) * estimate.factor);
    const job: JobRecord = {
      ...input,
      provider: model.provider,
      status: "queued",
      outputs: [],
      createdAt: now,
      updatedAt: now,
      polls: 0,
      attempts: 0,
      submitAttempts: 0,
      expectedRunMs,
      runSpread: estimate.spread,
      deadlineAt: now + runDeadlineMs(expectedRunMs),
      nextAt: now,
    };
    this.save(job);
    await this.ctx.storage.setAlarm(now);
    return (await writeIndex(this.host(), job)).job;
  }

  /** The learned run time for the model; without it (statistics unreachable) the model's own prior. */
  private async estimate(model: ModelId): Promise<{ factor: number; spread: number }> {
    try {
      return await modelStats(this.env).estimate(model);
    } catch (err) {
      log("warn", "model statistics unavailable; using the prior", { model, error: err instanceof Error ? err.message : String(err) });
      return { factor: 1, spread: DEFAULT_SPREAD };
    }
  }

  /** The job if it belongs to `tenant`; other tenants see nothing. */
  async read(tenant: string): Promise<JobRecord | null> {
    const job = this.load();
    return job && job.tenant === tenant ? job : null;
  }

  /**
   * A Wiro callback with this job's token: only a signal. The job confirms with Task/Detail on
   * its own schedule (at most one confirmation per window); the callback body is never used.
   */
  async wiroCallback(token: string): Promise<boolean> {
    // hash first: between this load and the save below only storage calls may happen
    const hash = await sha256Hex(token);
    const job = this.load();
    if (!job?.callbackTokenHash) return false;
    if (!timingSafeEqualText(hash, job.callbackTokenHash)) return false;
    // an alarm mid-step would overwrite the change; it is applied when that alarm is done
    if (this.running) this.callbackDuringAlarm = true;
    else await this.confirmSoon();
    return true;
  }

  /** Marks the callback and brings the confirming Task/Detail forward (at most one per window). */
  private async confirmSoon(): Promise<void> {
    const job = this.load();
    if (!job) return;
    const now = Date.now();
    const confirmAt = job.status === "running" ? Math.max(now, (job.lastPollAt ?? 0) + CONFIRM_WINDOW_MS) : job.nextAt;
    if (job.callbackReceived && confirmAt >= job.nextAt) return;
    const updated: JobRecord = { ...job, callbackReceived: true, callbackReceivedAt: job.callbackReceivedAt ?? now, nextAt: Math.min(job.nextAt, confirmAt) };
    this.save(updated);
    if (!isTerminal(updated.status) && updated.nextAt < job.nextAt) await this.ctx.storage.setAlarm(updated.nextAt);
  }

  /** The sweeper found this job idle: make sure an alarm is set. True when one was missing. */
  async rearm(): Promise<boolean> {
    const job = this.load();
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
    const job = this.load();
    if (job?.status !== "queued") return;
    this.save({ ...job, nextAt: Math.min(job.nextAt, Date.now()) });
    await this.ctx.storage.setAlarm(Date.now());
  }

  /** Progress of an outgoing webhook, reported by its delivery object. */
  async webhookReport(report: DeliveryReport): Promise<void> {
    // a report may arrive while the alarm is mid-step; apply it after, so neither write is lost
    while (this.running) await this.running;
    const job = this.load();
    if (!job) return;
    const previous = job.deliveries?.[report.id];
    if (previous && previous.attempts > report.attempts) return;
    this.ctx.storage.kv.put(JOB_KEY, { ...job, deliveries: { ...job.deliveries, [report.id]: report } });
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
      if (this.callbackDuringAlarm) {
        this.callbackDuringAlarm = false;
        await this.confirmSoon();
      }
    }
  }

  /**
   * The client cancels. Finished jobs cannot be (the caller answers 409). The cancel is stored at
   * once and never waits for the alarm: a step in flight is aborted (its alarm keeps only what
   * the step learned about the provider's task, never its status), and the follow-up alarm does
   * the rest: stopping the task at Wiro, giving back the provider slot, the index, the batch.
   */
  async cancel(tenant: string): Promise<{ job: JobRecord | null; canceled: boolean }> {
    for (;;) {
      const seen = this.load();
      if (!seen || seen.tenant !== tenant) return { job: null, canceled: false };
      if (isTerminal(seen.status)) return { job: seen, canceled: false };
      const submitInFlight = this.inflight?.step === "submit";
      const ended = cancelJob(seen, submitInFlight, { now: Date.now(), rand: Math.random() });
      const configResult = readConfig(this.env);
      const events = configResult.ok ? transitionEvents(seen, ended) : [];
      let next = ended;
      if (events.length > 0 && configResult.ok)
        next = { ...ended, outbox: [...(ended.outbox ?? []), ...(await Promise.all(events.map((e) => buildMessage(ended, e, configResult.config))))] };
      // the messages were built across an await: store only if the job is still as it was read
      if (!unchanged(this.load(), seen)) continue;
      this.save(next);
      this.inflight?.controller.abort();
      log("info", "job status changed", { jobId: next.id, from: seen.status, to: next.status, code: next.error?.code });
      await this.ctx.storage.setAlarm(Date.now());
      return { job: next, canceled: true };
    }
  }

  /** The job as stored, if a cancel ended it after `seen` was read (only a cancel ends a job outside the alarm). */
  private canceledSince(seen: JobRecord): JobRecord | undefined {
    const stored = this.load();
    return stored && isTerminal(stored.status) && !isTerminal(seen.status) ? stored : undefined;
  }

  /** Resolves with the job once it changes after `since` (its updatedAt), or at the timeout. */
  async waitForChange(tenant: string, since: number, timeoutMs: number): Promise<JobRecord | null> {
    const deadline = Date.now() + Math.min(timeoutMs, 60_000);
    for (;;) {
      const job = this.load();
      if (!job || job.tenant !== tenant) return null;
      const remaining = deadline - Date.now();
      if (job.updatedAt > since || isTerminal(job.status) || remaining <= 0) return job;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, remaining);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  private async runAlarm(): Promise<void> {
    let job = this.load();
    if (!job) return;
    if (isTerminal(job.status)) return this.followUps(job);
    // hand-overs left from the last step; their retry rides on the job's own next alarm
    job = (await handOverOutbox(this.host(), job)).job;
    if (needsIndex(job)) job = (await writeIndex(this.host(), job)).job;
    // a cancel may have come during those hand-overs
    const canceled = this.canceledSince(job);
    if (canceled) return this.followUps(canceled);
    // alarms run at least once and may come early or twice: act only when the job is due
    if (job.nextAt > Date.now() + EARLY_TOLERANCE_MS) {
      if (job.slotHeld) await this.renewSlot(job);
      // a cancel during the renewal set its own alarm for the follow-ups: do them instead
      const canceledMeanwhile = this.canceledSince(job);
      if (canceledMeanwhile) return this.followUps(canceledMeanwhile);
      await this.ctx.storage.setAlarm(this.alarmTime(job));
      return;
    }
    const configResult = readConfig(this.env);
    if (!configResult.ok) {
      // nothing can be done without configuration: look again later, until the job's deadline
      const names = configResult.problems.map((p) => p.name);
      log("error", "configuration invalid; job waits", { jobId: job.id, problems: names });
      const decision = whileConfigInvalid(job, names, { now: Date.now(), rand: Math.random() });
      if (decision.wait) return this.ctx.storage.setAlarm(decision.wakeAt);
      return this.commit(job, decision.job, undefined);
    }
    const config = configResult.config;
    const next = await this.advance(job, config);
    await this.commit(job, next, config);
  }

  /** Stores a transition and does what follows from it: webhook events, the index, learning, the next alarm. */
  private async commit(before: JobRecord, after: JobRecord, config: Config | undefined): Promise<void> {
    let next = after;
    const events = config ? transitionEvents(before, next) : [];
    if (events.length > 0 && config)
      next = { ...next, outbox: [...(next.outbox ?? []), ...(await Promise.all(events.map((e) => buildMessage(after, e, config))))] };
    // a cancel stored while the step ran stands: keep only what the step learned
    const canceled = this.canceledSince(before);
    if (canceled) {
      const absorbed = absorbStep(canceled, before, after, { now: Date.now(), rand: Math.random() });
      this.save(absorbed);
      return this.followUps(absorbed);
    }
    this.save(next);
    if (next.status !== before.status) log("info", "job status changed", { jobId: next.id, from: before.status, to: next.status, code: next.error?.code });
    const observed = observedRunMs(before, next);
    if (observed !== undefined) await this.learn(next, observed);
    if (isTerminal(next.status)) return this.followUps(next);
    // the provider's task is done once outputs are being copied: its slot goes back
    if (next.slotHeld && next.status === "copying") next = (await releaseSlot(this.host(), next)).job;
    if (needsIndex(next)) next = (await writeIndex(this.host(), next)).job;
    next = (await handOverOutbox(this.host(), next)).job;
    const canceledLater = this.canceledSince(next);
    if (canceledLater) return this.followUps(canceledLater);
    await this.ctx.storage.setAlarm(this.alarmTime(next));
  }

  /**
   * A finished job's remaining work: each follow-up step stores what it did and offers its next
   * wake time; the one alarm is set here, from the earliest.
   */
  private async followUps(ended: JobRecord): Promise<void> {
    let job = ended;
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const step of FOLLOW_UPS) {
      const done = await step(this.host(), job);
      job = done.job;
      wakeAt = Math.min(wakeAt, done.nextWakeAt);
    }
    if (Number.isFinite(wakeAt)) await this.ctx.storage.setAlarm(wakeAt);
  }

  /** What the follow-up steps may use of this object. */
  private host(): StepHost {
    return { env: this.env, patch: (seen, fields) => this.patch(seen, fields), renewSlot: (job) => this.renewSlot(job) };
  }

  /** When to wake next: when the job is due, or earlier to renew a held slot's lease. */
  private alarmTime(job: JobRecord): number {
    return job.slotHeld ? Math.min(job.nextAt, Date.now() + LEASE_RENEW_MS) : job.nextAt;
  }

  /** Keeps the slot's lease alive while the task runs; losing it only loosens the cap, so failures are logged, not fatal. */
  private async renewSlot(job: JobRecord): Promise<void> {
    const held = await gateApi(this.env, job.provider)
      .renew(job.id)
      .catch(() => true);
    if (!held) log("warn", "provider slot lease had lapsed", { jobId: job.id });
  }

  /** Feeds a finished run's duration to the model's statistics; they only tune polling, so a failure is logged and dropped. */
  private async learn(job: JobRecord, observedMs: number): Promise<void> {
    try {
      await modelStats(this.env).observe(job.model, observedMs, MODELS[job.model].expectedRunMs(job.params));
    } catch (err) {
      log("warn", "model statistics update failed", { jobId: job.id, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async advance(job: JobRecord, config: Config): Promise<JobRecord> {
    const step = nextStep(job);
    const controller = new AbortController();
    this.inflight = { step: step.kind, controller };
    try {
      return await this.takeStep(job, step, config, controller.signal);
    } finally {
      this.inflight = undefined;
    }
  }

  /** The job's next step; `signal` aborts its provider request or copy when the job is canceled. */
  private async takeStep(job: JobRecord, step: Step, config: Config, signal: AbortSignal): Promise<JobRecord> {
    const tick = (): Tick => ({ now: Date.now(), rand: Math.random() });
    try {
      if (step.kind === "copy") {
        const output = job.outputs.find((o) => o.index === step.index)!;
        return afterCopy(job, step.index, await this.copy(job, output, config, signal), tick());
      }
      if (step.kind === "idle") return { ...job, nextAt: Date.now() + 60_000 };
      const lookup = providerFor(MODELS[job.model], config, fetch);
      if (!lookup.ok) return providerNotConfigured(job, lookup.missing, tick());
      const { provider } = lookup;
      const gate = gateApi(this.env, provider.name);
      if (step.kind === "poll") {
        if (job.slotHeld) await this.renewSlot(job);
        // past its deadline, or unreadable for good, the task may still be running (and billing): the follow-ups stop it
        return afterPollOrStop(job, await provider.poll(job.task!, { signal }), tick());
      }
      const unconfirmed = unconfirmedSubmit(job, provider.idempotentSubmit, tick());
      if (unconfirmed) return unconfirmed;
      // asked even when a slot is held: it renews that lease, or, if a long wait let it lapse,
      // puts the job back in line instead of submitting past the cap
      const grant = await gate.acquire(job.id, { maxConcurrency: config.maxConcurrency[provider.name] });
      if (!grant.granted)
        return waitForSlot({ ...job, slotHeld: false, queueSlots: config.maxConcurrency[provider.name] }, grant.position, grant.retryAt, tick());
      let marked = markSubmitting(slotGranted(job, tick()), tick());
      let callbackUrl: string | undefined;
      if (provider.name === "wiro" && config.publicBaseUrl) {
        // derived, so the worker refuses a forged callback before it reaches this object
        const token = await wiroCallbackToken(config.signingSecret, job.id);
        callbackUrl = `${config.publicBaseUrl}/callbacks/wiro/${job.id}/${token}`;
        marked = { ...marked, callbackTokenHash: await sha256Hex(token) };
      }
      // canceled while the slot was being granted: nothing is sent; the slot goes back
      if (this.canceledSince(job)) return { ...job, slotHeld: true };
      this.save(marked);
      // A WeShop submit is aborted by a cancel: its run is then found again by the same
      // Idempotency-Key. A Wiro Run is not: aborted, the task it may create could never be
      // named, so never stopped; its answer (within the provider timeout) names the task to stop.
      const outcome = await provider.submit({ jobId: job.id, params: job.params, callbackUrl, signal: provider.idempotentSubmit ? signal : undefined });
      const pushedBack = !outcome.ok && outcome.error.pushback === true;
      // the provider's own pace tells the gate to slow down, or that it may speed up again
      if (outcome.ok || pushedBack) await gate.report(pushedBack ? "rate_limited" : "ok").catch(() => undefined);
      // a pushed-back job keeps its slot for its retry: the lowered pace holds back new grants only
      return afterSubmit(marked, outcome, provider.idempotentSubmit, tick());
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log("error", "unexpected error in job alarm", { jobId: job.id, step: step.kind, error: message });
      return afterCrash(job, message, tick());
    }
  }

  private async copy(job: JobRecord, output: OutputRecord, config: Config, signal: AbortSignal): Promise<CopyOutcome> {
    const ext = output.sourceContentType ? extensionFor(output.sourceContentType) : guessExtension(output.sourceUrl ?? "", output.kind, job.params);
    const key = `jobs/${job.id}/${output.index}.${ext}`;
    const result = await copyToR2({
      bucket: this.env.MEDIA,
      url: output.sourceUrl ?? "",
      key,
      expectedSize: output.sourceSize,
      contentTypeHint: output.sourceContentType,
      maxBytes: MAX_MEDIA_BYTES[output.kind],
      timeoutMs: config.mediaTimeoutMs,
      urlPolicy: { allowLoopbackHttp: config.devMode },
      signal,
    });
    if (!result.ok) return result;
    return { ok: true, key, size: result.size, sha256: result.sha256, contentType: result.contentType };
  }
}

const KNOWN_EXTENSIONS = new Set(["mp4", "webm", "mov", "png", "jpg", "jpeg", "webp"]);

function guessExtension(url: string, kind: "video" | "image", params: Record<string, unknown>): string {
  let path = "";
  try {
    path = new URL(url).pathname;
  } catch {
    // fall through to the model's default
  }
  const ext = /\.([a-z0-9]{2,5})$/i.exec(path)?.[1]?.toLowerCase();
  if (ext && KNOWN_EXTENSIONS.has(ext)) return ext === "jpeg" ? "jpg" : ext;
  if (kind === "video") return "mp4";
  return params.outputFormat === "png" ? "png" : "jpg";
}
