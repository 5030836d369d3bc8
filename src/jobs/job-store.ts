// The job's record as its Durable Object (job-object.ts) stores it, and the readers waiting for its next change.
// Synchronous KV: a read-modify-write with no await inside cannot interleave with another request.
//
// The record is kept in memory once read or written: an alarm run looks at it some ten times (the
// due check, each hand-over's guarded write, each "canceled meanwhile?" check), and reading it back
// from storage each time was a tenth of the runtime's CPU in a batch (BENCHMARKS.md, batch). Only
// this class writes the key, so the copy is never stale; a test that writes storage directly must
// call `forget`. Records are never changed in place (every change is a new object), so handing out
// the kept one is safe.
import type { DeliveryReport } from "../webhooks/types.ts";
import { isTerminal } from "./machine/transitions.ts";
import type { JobRecord } from "./record.ts";

const JOB_KEY = "job";

export class JobStore {
  /** Readers waiting for the next change (live status, `Prefer: wait`). */
  readonly waiters = new Set<() => void>();

  /** The record as last read or written here; undefined until the first read. */
  private kept: { job: JobRecord | undefined } | undefined;

  constructor(private readonly kv: DurableObjectStorage["kv"]) {}

  load(): JobRecord | undefined {
    if (!this.kept) this.kept = { job: this.kv.get<JobRecord>(JOB_KEY) };
    return this.kept.job;
  }

  /** Drops the copy in memory: the next load reads storage (for tests that write the record directly). */
  forget(): void {
    this.kept = undefined;
  }

  private put(job: JobRecord): void {
    this.kv.put(JOB_KEY, job);
    this.kept = { job };
  }

  /** Stores a change and wakes the readers waiting for one. */
  save(job: JobRecord): void {
    this.put(job);
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** A webhook's progress, reported by its delivery object (no reader waits for it); an older report is ignored. */
  putDelivery(report: DeliveryReport): void {
    const job = this.load();
    if (!job) return;
    const previous = job.deliveries?.[report.id];
    if (previous && previous.attempts > report.attempts) return;
    this.put({ ...job, deliveries: { ...job.deliveries, [report.id]: report } });
  }

  drop(): void {
    this.kv.delete(JOB_KEY);
    this.kept = { job: undefined };
  }

  /** Updates bookkeeping fields on the stored job, if it is still the state `seen` (else a newer state covers it). */
  patch(seen: JobRecord, fields: Partial<JobRecord>): JobRecord {
    const current = this.load();
    if (!current || current.updatedAt !== seen.updatedAt || current.status !== seen.status) return current ?? seen;
    const next = { ...current, ...fields };
    this.put(next);
    return next;
  }

  /** The job as stored, if a cancel ended it after `seen` was read (only a cancel ends a job outside the alarm). */
  canceledSince(seen: JobRecord): JobRecord | undefined {
    const stored = this.load();
    return stored && isTerminal(stored.status) && !isTerminal(seen.status) ? stored : undefined;
  }
}
