// One Durable Object per provider ("weshop", "wiro"): caps how many provider tasks run at once
// across all jobs, so a 1000-job batch waits in `queued` instead of flooding the provider (Wiro
// caps concurrency per account and answers code 96 beyond it). Jobs are granted in the order
// they first asked; slots are leases, so a crashed job never blocks the gate for good.
import { DurableObject } from "cloudflare:workers";
import { log } from "../../lib/log.ts";
import {
  type AcquireResult,
  type GateApi,
  type GateConfig,
  type GateSnapshot,
  LEASE_MS,
  type ProviderOutcome,
} from "./gate-client.ts";
import { LINE_TABLES, WaitingLine } from "./gate-line.ts";
import {
  admit,
  afterOutcome,
  effectiveLimit,
  FULL_PACE,
  freeSlots,
  type Pace,
  STALE_GRACE_MS,
  WAKE_ANSWER_MS,
  withLimit,
} from "./gate-pace.ts";

/** The one JobObject method the gate calls; local because providers/ knows nothing of jobs (see .dependency-cruiser.cjs). */
interface Wakeable {
  wake(): Promise<void>;
}

const PACE_KEY = "pace";

export class ProviderGate extends DurableObject<Env> implements GateApi {
  /** When the stored alarm is set for, as far as this instance knows (undefined after a restart, null when none). */
  private alarmAt: number | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Tables, not one KV array: a 1000-job line costs an indexed row per call, not a rewrite of the
    // whole line. `seq` (rowid) grows with each new waiter, so it is the order of first asking.
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS holders (job_id TEXT PRIMARY KEY, lease_until INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS holders_lease ON holders (lease_until);
      CREATE TABLE IF NOT EXISTS calls (n INTEGER NOT NULL);
      ${LINE_TABLES}
    `);
    this.line = new WaitingLine(ctx.storage.sql, ctx.storage.kv);
  }

  private readonly line: WaitingLine;

  /** Every call counted, one row: what a job costs the gate, read by the scale benchmark from the local store. */
  private counted(): void {
    if (this.ctx.storage.sql.exec("UPDATE calls SET n = n + 1 RETURNING n").toArray().length === 0)
      this.ctx.storage.sql.exec("INSERT INTO calls (n) VALUES (1)");
  }

  /** The clock; protected so tests can move time without sleeping. */
  protected now(): number {
    return Date.now();
  }

  /** Tells one job to look again now. Protected so tests can stand in for the JobObject. */
  protected wakeJob(jobId: string): Promise<void> {
    return (this.env.JOBS.get(this.env.JOBS.idFromName(jobId)) as unknown as Wakeable).wake();
  }

  // Every method below changes state only through the synchronous SQL/KV APIs, before its first
  // await, so concurrent calls never interleave a read-modify-write.

  /** Granted when the job holds a slot (its lease is renewed) or is within the free slots at the head of the line. */
  async acquire(jobId: string, config: GateConfig): Promise<AcquireResult> {
    const now = this.now();
    this.counted();
    let changed = this.setLimit(config.maxConcurrency);
    changed = this.sweep(now, jobId) || changed;
    let result: AcquireResult;
    if (this.extendLease(jobId, now)) result = this.granted(0);
    else {
      const line = this.line;
      const seq = line.seqOf(jobId);
      // the place without counting the rows ahead (gate-line.ts): an ask costs the same at place 10,000 as at 1
      const position = line.placeOf(seq);
      const admission = admit(position, freeSlots(this.pace(), this.active()), now);
      if (admission.granted) {
        line.leave(jobId);
        this.ctx.storage.sql.exec("INSERT INTO holders (job_id, lease_until) VALUES (?, ?)", jobId, now + LEASE_MS);
        result = this.granted(line.length());
      } else {
        const { retryAt } = admission;
        if (seq === undefined) line.join(jobId, retryAt);
        else line.setRetryAt(seq, retryAt);
        result = { granted: false, position, retryAt };
      }
    }
    await this.settle(changed);
    return result;
  }

  /** A grant, saying who waits behind it and whether the gate counts successes to recover from pushback. */
  private granted(behind: number): AcquireResult {
    return {
      granted: true,
      ...(behind > 0 ? { behind } : {}),
      ...(this.pace().cap !== null ? { recovering: true as const } : {}),
    };
  }

  /** Extends the lease while the task runs. False when the job holds no slot (never granted, released or expired). */
  async renew(jobId: string): Promise<boolean> {
    const now = this.now();
    this.counted();
    const changed = this.sweep(now);
    const held = this.extendLease(jobId, now);
    await this.settle(changed);
    return held;
  }

  /** Frees the job's slot or takes it out of the line; safe to call twice or for unknown jobs. */
  async release(jobId: string): Promise<void> {
    const sql = this.ctx.storage.sql;
    this.counted();
    let changed = this.sweep(this.now());
    changed = sql.exec("DELETE FROM holders WHERE job_id = ? RETURNING job_id", jobId).toArray().length > 0 || changed;
    // a waiter leaving moves everyone behind it up, possibly into a free slot
    changed = this.line.leave(jobId) || changed;
    await this.settle(changed);
  }

  /** Pushback lowers the pace, successes raise it again (rules in gate-pace.ts). */
  async report(outcome: ProviderOutcome): Promise<void> {
    const now = this.now();
    this.counted();
    const changed = this.sweep(now);
    const before = this.pace();
    const { pace, opened } = afterOutcome(before, outcome, now);
    if (pace !== before) this.savePace(pace);
    await this.settle(changed || opened);
  }

  async snapshot(): Promise<GateSnapshot> {
    const changed = this.sweep(this.now());
    const pace = this.pace();
    const holders = this.ctx.storage.sql
      .exec<{ job_id: string }>("SELECT job_id FROM holders ORDER BY job_id")
      .toArray()
      .map((r) => r.job_id);
    const waiting = this.line.length();
    await this.settle(changed);
    return { limit: pace.limit, effectiveLimit: effectiveLimit(pace), active: holders.length, waiting, holders };
  }

  /** The job that has waited longest (read only: GET /v1/stats dates it from the jobs index). */
  async oldestWaiter(): Promise<string | null> {
    return (
      this.ctx.storage.sql.exec<{ job_id: string }>("SELECT job_id FROM waiters ORDER BY seq LIMIT 1").toArray()[0]
        ?.job_id ?? null
    );
  }

  /** Expires leases and drops stale waiters even when no job calls, then wakes whoever may now go. */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    await this.settle(this.sweep(this.now()));
  }

  private pace(): Pace {
    return this.ctx.storage.kv.get<Pace>(PACE_KEY) ?? FULL_PACE;
  }

  private savePace(pace: Pace): void {
    this.ctx.storage.kv.put(PACE_KEY, pace);
  }

  /** Records the configured limit. True if it rose. */
  private setLimit(maxConcurrency: number): boolean {
    const before = this.pace();
    const { pace, opened } = withLimit(before, maxConcurrency);
    if (pace !== before) this.savePace(pace);
    return opened;
  }

  /** Renews the job's lease if it holds a slot. */
  private extendLease(jobId: string, now: number): boolean {
    return (
      this.ctx.storage.sql
        .exec("UPDATE holders SET lease_until = ? WHERE job_id = ? RETURNING job_id", now + LEASE_MS, jobId)
        .toArray().length > 0
    );
  }

  private active(): number {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM holders").one().n;
  }

  /** Lazy expiry: frees lapsed leases and drops waiters that stopped asking (except `caller`, who just did). True if anything left. */
  private sweep(now: number, caller = ""): boolean {
    const sql = this.ctx.storage.sql;
    const expired = sql
      .exec<{ job_id: string }>("DELETE FROM holders WHERE lease_until <= ? RETURNING job_id", now)
      .toArray();
    if (expired.length > 0)
      log("warn", "provider gate lease expired", { gate: this.ctx.id.name, jobIds: expired.map((r) => r.job_id) });
    const stale = this.line.dropStale(now - STALE_GRACE_MS, caller);
    return expired.length > 0 || stale > 0;
  }

  /** After a change: re-arm the alarm, then wake the waiters that now fit (state is stored first). */
  private async settle(changed: boolean): Promise<void> {
    const sql = this.ctx.storage.sql;
    // the alarm covers the next lease to lapse and the head waiter going stale: the two events
    // that can free the line when no job calls
    const lease = sql.exec<{ t: number | null }>("SELECT MIN(lease_until) AS t FROM holders").one().t;
    const head = this.line.headRetryAt();
    const due = Math.min(lease ?? Infinity, head === undefined ? Infinity : head + STALE_GRACE_MS);
    // Only ever move the alarm earlier: renewals push `due` later on every call, and an alarm
    // that comes early just sweeps and re-arms, which is cheaper than a storage write per call.
    if (Number.isFinite(due) && (this.alarmAt === undefined || this.alarmAt === null || due < this.alarmAt)) {
      this.alarmAt = due;
      await this.ctx.storage.setAlarm(due);
    }
    if (!changed) return;
    const free = freeSlots(this.pace(), this.active());
    if (free === 0) return;
    const ids = this.line.first(free);
    // Waking is how a waiter learns its slot is free; its own retryAt is only a sparse backstop.
    // A woken job is expected back within WAKE_ANSWER_MS: one that misses the wake-up is dropped
    // as stale (the alarm below covers it), the slot goes to the next, and the job itself rejoins
    // the line at its backstop, so nothing is lost and the line never stalls behind it.
    this.line.expectBy(ids, this.now() + WAKE_ANSWER_MS);
    const answerDue = (this.line.headRetryAt() ?? Infinity) + STALE_GRACE_MS;
    if (
      Number.isFinite(answerDue) &&
      (this.alarmAt === undefined || this.alarmAt === null || answerDue < this.alarmAt)
    ) {
      this.alarmAt = answerDue;
      await this.ctx.storage.setAlarm(answerDue);
    }
    const results = await Promise.allSettled(ids.map(async (id) => this.wakeJob(id)));
    const failed = results.filter((r) => r.status === "rejected").length;
    if (failed > 0)
      log("warn", "provider gate could not wake jobs", { gate: this.ctx.id.name, failed, of: ids.length });
  }
}
