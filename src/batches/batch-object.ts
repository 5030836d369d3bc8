// One Durable Object per batch: it creates the batch's jobs a chunk per alarm (so no single
// invocation nears the subrequest limit), no more than a window of them unfinished at a time,
// counts finished jobs, and announces completion.
import { DurableObject } from "cloudflare:workers";
import { budgetApi } from "../budgets/budget-client.ts";
import { readConfig } from "../config.ts";
import { sumEstimates } from "../costs/sums.ts";
import { jobApi } from "../jobs/job-client.ts";
import type { JobStatus } from "../jobs/record.ts";
import { errorMessage } from "../lib/error-message.ts";
import { log } from "../lib/log.ts";
import { deliveryApi } from "../webhooks/delivery-client.ts";
import type { WebhookMessage } from "../webhooks/types.ts";
import { type BatchApi, type BatchRecord, batchJobId, type NewBatch, type QuotedSpec } from "./batch-client.ts";
import { batchView } from "./batch-view.ts";

/** Jobs created (or canceled) per alarm invocation: each is one RPC, well under the subrequest limit. */
export const FAN_OUT_CHUNK = 50;
/**
 * Unfinished jobs a batch keeps at most (at least this, or twice the providers' caps together).
 * Jobs past the caps only wait in the gate's line, so creating all of a batch at once buys nothing,
 * and ten 1,000-job batches created in one burst kept the runtime so busy that Wiro submits sent
 * meanwhile got no answer within the provider timeout (a submit whose fate is unknown). Jobs not
 * created yet count as queued in the batch view; a cancel releases their estimates.
 */
export const FAN_OUT_WINDOW_MIN = 100;
/** A paused fan-out looks again after this even if no job's end woke it (a lost notice). */
const PAUSED_RECHECK_MS = 60_000;
const SPECS_PER_KEY = 50;
const FAILURES_KEY = "alarmFailures";
/** Longest wait between retries of a failed step. */
const MAX_RETRY_MS = 5 * 60_000;

export { batchJobId } from "./batch-client.ts";

/**
 * A paused fan-out goes on once this many of its jobs ended (or all that is left fits): a few at a
 * time, so new jobs are created beside the runs' hand-overs in small steps (a chunk of 50 at once
 * delayed the next runs' starts), yet not an alarm and a read of the specs per ended job.
 */
export const FAN_OUT_RESUME = 10;

function hasRoom(batch: BatchRecord, window: number): boolean {
  if (batch.status !== "running" || batch.created >= batch.total) return false;
  const room = window - (batch.created - batch.finished);
  return room >= Math.min(FAN_OUT_RESUME, batch.total - batch.created);
}

export class BatchObject extends DurableObject<Env> implements BatchApi {
  // The synchronous KV API: a read-modify-write with no await inside cannot interleave with
  // another request (60 jobs finishing at once must all be counted).
  private load(): BatchRecord | undefined {
    return this.ctx.storage.kv.get<BatchRecord>("batch");
  }

  private save(batch: BatchRecord): void {
    this.ctx.storage.kv.put("batch", batch);
  }

  async create(input: NewBatch): Promise<BatchRecord> {
    const existing = this.load();
    if (existing) return existing;
    const batch: BatchRecord = {
      id: input.id,
      tenant: input.tenant,
      total: input.specs.length,
      created: 0,
      finished: 0,
      status: "running",
      origin: input.origin,
      createdAt: Date.now(),
      ...(input.webhookUrl ? { webhookUrl: input.webhookUrl } : {}),
      ...(input.scheduleId ? { scheduleId: input.scheduleId } : {}),
      estimate: sumEstimates(input.specs.map((s) => s.estimate ?? null)),
    };
    // one transaction: the batch never exists without all its specs
    this.ctx.storage.transactionSync(() => {
      for (let i = 0; i < input.specs.length; i += SPECS_PER_KEY)
        this.ctx.storage.kv.put(`specs:${i / SPECS_PER_KEY}`, input.specs.slice(i, i + SPECS_PER_KEY));
      this.save(batch);
    });
    await this.ctx.storage.setAlarm(Date.now());
    return batch;
  }

  async read(tenant: string): Promise<BatchRecord | null> {
    const batch = this.load();
    return batch && batch.tenant === tenant ? batch : null;
  }

  async erase(tenant: string): Promise<boolean> {
    const batch = this.load();
    if (!batch || batch.tenant !== tenant) return false;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    return true;
  }

  async cancel(tenant: string): Promise<{ batch: BatchRecord | null; canceled: boolean }> {
    const batch = this.load();
    if (!batch || batch.tenant !== tenant) return { batch: null, canceled: false };
    if (batch.status !== "running") return { batch, canceled: false };
    const canceled: BatchRecord = { ...batch, status: "canceled", canceledAt: Date.now(), cancelProgress: 0 };
    this.save(canceled);
    await this.ctx.storage.setAlarm(Date.now());
    await this.releaseUncreated(canceled);
    return { batch: canceled, canceled: true };
  }

  /** Called by each job when it ends; counted once per job. */
  async jobFinished(jobId: string, status: JobStatus): Promise<void> {
    const key = `done:${jobId}`;
    const batch = this.load();
    if (!batch || this.ctx.storage.kv.get(key)) return;
    let next: BatchRecord = { ...batch, finished: batch.finished + 1 };
    if (next.status === "running" && next.finished >= next.total)
      next = { ...next, status: "completed", completedAt: Date.now() };
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.kv.put(key, status);
      this.save(next);
    });
    // an end also frees room in the window of a fan-out that is waiting for it
    if (
      next.status !== batch.status ||
      (next.status === "canceled" && next.finished >= next.created) ||
      hasRoom(next, this.window())
    )
      await this.ctx.storage.setAlarm(Date.now());
  }

  /**
   * A failed step (a job object that could not be reached, say) is retried here with backoff
   * instead of throwing: the runtime gives up on an alarm after a few failed retries, and a batch
   * whose alarm is gone would never create the rest of its jobs.
   */
  override async alarm(): Promise<void> {
    try {
      await this.step();
      this.ctx.storage.kv.delete(FAILURES_KEY);
    } catch (err) {
      const failures = (this.ctx.storage.kv.get<number>(FAILURES_KEY) ?? 0) + 1;
      this.ctx.storage.kv.put(FAILURES_KEY, failures);
      const delay = Math.min(MAX_RETRY_MS, 1000 * 2 ** Math.min(failures, 20));
      log("warn", "batch step failed; retrying", {
        batchId: this.load()?.id,
        failures,
        retryInMs: delay,
        error: errorMessage(err),
      });
      await this.ctx.storage.setAlarm(Date.now() + delay);
    }
  }

  /** How many of this batch's jobs may be unfinished at once (read each time: a changed cap applies). */
  private window(): number {
    const config = readConfig(this.env);
    const caps = config.ok ? config.config.maxConcurrency.weshop + config.config.maxConcurrency.wiro : 0;
    return Math.max(FAN_OUT_WINDOW_MIN, 2 * caps);
  }

  private async step(): Promise<void> {
    let batch = this.load();
    if (!batch) return;
    const window = this.window();
    if (hasRoom(batch, window)) batch = await this.createChunk(batch, window);
    else if (batch.status === "canceled" && (batch.cancelProgress ?? 0) < batch.created)
      batch = await this.cancelChunk(batch);
    if (
      batch.status === "canceled" &&
      !batch.completedAt &&
      (batch.cancelProgress ?? 0) >= batch.created &&
      batch.finished >= batch.created
    ) {
      batch = { ...batch, completedAt: Date.now() };
      this.save(batch);
    }
    if (batch.completedAt && batch.webhookUrl && !batch.webhookSent) batch = await this.announce(batch);
    const more = hasRoom(batch, window) || (batch.status === "canceled" && (batch.cancelProgress ?? 0) < batch.created);
    if (more) await this.ctx.storage.setAlarm(Date.now());
    else if (batch.status === "running" && batch.created < batch.total)
      await this.ctx.storage.setAlarm(Date.now() + PAUSED_RECHECK_MS);
  }

  private async createChunk(batch: BatchRecord, window: number): Promise<BatchRecord> {
    const start = batch.created;
    const end = Math.min(batch.total, start + FAN_OUT_CHUNK, batch.finished + window);
    const specs: QuotedSpec[] = [];
    for (let key = Math.floor(start / SPECS_PER_KEY); key * SPECS_PER_KEY < end; key++)
      specs.push(...(this.ctx.storage.kv.get<QuotedSpec[]>(`specs:${key}`) ?? []));
    const offset = Math.floor(start / SPECS_PER_KEY) * SPECS_PER_KEY;
    // creation is idempotent per job id, so a chunk interrupted half-way is simply run again
    await Promise.all(
      Array.from({ length: end - start }, async (_, i) => {
        const index = start + i;
        const spec = specs[index - offset]!;
        const id = await batchJobId(batch.id, index);
        const from = batch.scheduleId ? { scheduleId: batch.scheduleId } : {};
        await jobApi(this.env, id).create({
          id,
          tenant: batch.tenant,
          ...spec,
          batchId: batch.id,
          ...from,
          origin: batch.origin,
        });
      }),
    );
    // a cancel may have landed while the jobs were being created
    const current = this.load()!;
    const next = { ...current, created: Math.max(current.created, end) };
    this.save(next);
    return next;
  }

  /** Jobs a cancel keeps from ever being created give their reserved estimates back; one missed is settled by nobody, so it is logged. */
  private async releaseUncreated(batch: BatchRecord): Promise<void> {
    try {
      const ids = await Promise.all(
        Array.from({ length: batch.total - batch.created }, (_, i) => batchJobId(batch.id, batch.created + i)),
      );
      if (ids.length > 0) await budgetApi(this.env, batch.tenant).release(ids);
    } catch (err) {
      log("warn", "budget release after batch cancel failed", { batchId: batch.id, error: errorMessage(err) });
    }
  }

  private async cancelChunk(batch: BatchRecord): Promise<BatchRecord> {
    const start = batch.cancelProgress ?? 0;
    const end = Math.min(batch.created, start + FAN_OUT_CHUNK);
    await Promise.all(
      Array.from({ length: end - start }, async (_, i) => {
        const id = await batchJobId(batch.id, start + i);
        await jobApi(this.env, id).cancel(batch.tenant);
      }),
    );
    const current = this.load()!;
    const next = { ...current, cancelProgress: Math.max(current.cancelProgress ?? 0, end) };
    this.save(next);
    return next;
  }

  private async announce(batch: BatchRecord): Promise<BatchRecord> {
    const config = readConfig(this.env);
    if (!config.ok || !config.config.webhookSecret) return batch;
    const now = Date.now();
    const message: WebhookMessage = {
      id: `msg_${batch.id.slice(6)}_completed`,
      jobId: batch.id,
      url: batch.webhookUrl!,
      type: "batch.completed",
      body: JSON.stringify({
        type: "batch.completed",
        timestamp: new Date(now).toISOString(),
        data: await batchView(this.env, batch),
      }),
      createdAt: Math.floor(now / 1000),
      tenant: batch.tenant,
      batchId: batch.id,
    };
    try {
      await deliveryApi(this.env, message.id).enqueue(message);
    } catch (err) {
      log("warn", "batch webhook enqueue failed", { batchId: batch.id, error: errorMessage(err) });
      await this.ctx.storage.setAlarm(now + 5_000);
      return batch;
    }
    const next = { ...this.load()!, webhookSent: true };
    this.save(next);
    return next;
  }
}
