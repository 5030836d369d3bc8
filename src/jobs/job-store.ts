// The job's record as its Durable Object (job-object.ts) stores it, and the readers waiting for its next change.
// Synchronous KV: a read-modify-write with no await inside cannot interleave with another request.
import type { DeliveryReport } from "../webhooks/types.ts";
import { isTerminal } from "./machine/transitions.ts";
import type { JobRecord } from "./record.ts";

const JOB_KEY = "job";

export class JobStore {
  /** Readers waiting for the next change (live status, `Prefer: wait`). */
  readonly waiters = new Set<() => void>();

  constructor(private readonly kv: DurableObjectStorage["kv"]) {}

  load(): JobRecord | undefined {
    return this.kv.get<JobRecord>(JOB_KEY);
  }

  /** Stores a change and wakes the readers waiting for one. */
  save(job: JobRecord): void {
    this.kv.put(JOB_KEY, job);
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
    this.kv.put(JOB_KEY, { ...job, deliveries: { ...job.deliveries, [report.id]: report } });
  }

  drop(): void {
    this.kv.delete(JOB_KEY);
  }

  /** Updates bookkeeping fields on the stored job, if it is still the state `seen` (else a newer state covers it). */
  patch(seen: JobRecord, fields: Partial<JobRecord>): JobRecord {
    const current = this.load();
    if (!current || current.updatedAt !== seen.updatedAt || current.status !== seen.status) return current ?? seen;
    const next = { ...current, ...fields };
    this.kv.put(JOB_KEY, next);
    return next;
  }

  /** The job as stored, if a cancel ended it after `seen` was read (only a cancel ends a job outside the alarm). */
  canceledSince(seen: JobRecord): JobRecord | undefined {
    const stored = this.load();
    return stored && isTerminal(stored.status) && !isTerminal(seen.status) ? stored : undefined;
  }
}
