// Client schedules (rows in D1, src/db/schedules.ts), and the cron tick that starts each due one exactly once per due time.

import { batchApi } from "../batches/batch-client.ts";
import { deferSchedule, dueSchedules, recordScheduledRun, type ScheduleRow } from "../db/schedules.ts";
import { nextRunAfter } from "../lib/cron.ts";
import { derivedId } from "../lib/crypto.ts";
import { errorMessage } from "../lib/error-message.ts";
import { log } from "../lib/log.ts";
import { withDefaultWebhook } from "../lifecycle/default-webhook.ts";
import type { BatchSpec } from "../schemas/batch-spec.ts";
import { mergeTags } from "../schemas/lifecycle-fields.ts";
import type { ScheduleView } from "../schemas/schedule-view.ts";
import { admitScheduledRun, releaseRun } from "./budget-check.ts";

const DUE_PER_TICK = 50;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The row's `batch` column: the validated batch, with the schedule's own `tags` beside it (they have no column). */
type StoredBatch = BatchSpec & { scheduleTags?: string[] };

export function storedBatch(batch: BatchSpec, tags: string[] | undefined): string {
  return JSON.stringify({ ...batch, ...(tags?.length ? { scheduleTags: tags } : {}) } satisfies StoredBatch);
}

export function readStoredBatch(json: string): { batch: BatchSpec; tags?: string[] } {
  const { scheduleTags, ...batch } = JSON.parse(json) as StoredBatch;
  return { batch, ...(scheduleTags?.length ? { tags: scheduleTags } : {}) };
}

/** What one run starts: the batch, each job carrying the schedule's tags after its own. */
function runBatch(json: string): BatchSpec {
  const { batch, tags } = readStoredBatch(json);
  if (!tags) return batch;
  return { ...batch, jobs: batch.jobs.map((job) => ({ ...job, tags: mergeTags(job.tags, tags)! })) };
}

export function scheduleView(row: ScheduleRow): ScheduleView {
  const { batch, tags } = readStoredBatch(row.batch);
  return {
    id: row.id,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    enabled: row.enabled === 1,
    batch,
    ...(tags ? { tags } : {}),
    nextRunAt: iso(row.next_run_at),
    lastRunAt: iso(row.last_run_at),
    lastBatchId: row.last_batch_id,
    lastSkip: row.last_skip_at && row.last_skip_code ? { at: iso(row.last_skip_at)!, code: row.last_skip_code } : null,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

/** The batch id of one due run: derived, so a tick delivered twice starts the same batch. */
export function scheduledBatchId(scheduleId: string, dueAt: number): Promise<string> {
  return derivedId("batch", `${scheduleId}@${dueAt}`);
}

/**
 * The next run after a PATCH: unchanged unless the cron, zone or enabled flag changed; then
 * counted from now, and never at or before the last run, so a re-enabled or re-timed schedule
 * never lands on a due time that has already started (or a missed one in the past).
 */
export function nextRunAfterPatch(before: ScheduleRow, after: ScheduleRow, now: number): number | null {
  const timingChanged =
    after.cron !== before.cron || after.timezone !== before.timezone || after.enabled !== before.enabled;
  if (!timingChanged) return before.next_run_at;
  if (after.enabled !== 1) return null;
  return nextRunAfter(after.cron, after.timezone, Math.max(now, before.last_run_at ?? 0));
}

/** How long a schedule whose start failed waits before it is tried again, so others due get their turn. */
export const FAILED_START_RETRY_MS = 60_000;

/**
 * Starts every due schedule once for its due time. A late or repeated tick finds the same due
 * time: the batch id is derived from it (so creating it again is a no-op) and the schedule only
 * moves on when its stored due time still matches. After downtime a missed run starts once and
 * the next due time is counted from now, not from the missed one.
 *
 * A schedule whose batch cannot be started is logged and its due time pushed FAILED_START_RETRY_MS
 * past now: it stays enabled and due, is tried again on a later tick, and meanwhile does not hold
 * one of the DUE_PER_TICK places at the head of the queue on every tick.
 */
export async function runDueSchedules(env: Env, now: number): Promise<string[]> {
  const due = await dueSchedules(env.DB, now, DUE_PER_TICK);
  const started: string[] = [];
  for (const row of due) {
    const dueAt = row.next_run_at!;
    const batchId = await scheduledBatchId(row.id, dueAt);
    let called = false;
    let jobs = 0;
    try {
      const spec = runBatch(row.batch);
      jobs = spec.jobs.length;
      // over budget: nothing starts; the skip is recorded and the schedule moves on
      const due = {
        scheduleId: row.id,
        tenant: row.tenant,
        name: row.name,
        dueAt,
        nextRunAt: nextRunAfter(row.cron, row.timezone, Math.max(now, dueAt)),
      };
      const specs = await admitScheduledRun(env, due, batchId, spec, now);
      if (!specs) continue;
      called = true;
      await batchApi(env, batchId).create({
        id: batchId,
        tenant: row.tenant,
        // a schedule's deadline counts from each run
        specs: await withDefaultWebhook(
          env.DB,
          row.tenant,
          spec.deadlineAfterMs
            ? specs.map((s) => ({ ...s, deadline: s.deadline ?? now + spec.deadlineAfterMs! }))
            : specs,
        ),
        ...(spec.webhookUrl ? { webhookUrl: spec.webhookUrl } : {}),
        scheduleId: row.id,
        origin: row.origin,
      });
    } catch (err) {
      // the create may have landed even though the call failed: then record the run as started,
      // since deferring would change the due time and so derive a second batch for this run
      const exists = called ? await batchExists(env, batchId, row.tenant) : false;
      if (exists === "unknown") {
        // cannot tell whether it landed: keep the due time, so the next tick derives the same
        // batch id and a create that did land is a no-op rather than a second batch
        log("warn", "scheduled run uncertain; retried next tick", { scheduleId: row.id, error: errorMessage(err) });
        continue;
      }
      if (!exists) {
        await releaseRun(env, row.tenant, batchId, jobs);
        await deferFailedStart(env, row, now, err);
        continue;
      }
    }
    try {
      const next = nextRunAfter(row.cron, row.timezone, Math.max(now, dueAt));
      if (await recordScheduledRun(env.DB, row.id, dueAt, { at: now, batchId, next })) started.push(batchId);
    } catch (err) {
      // the batch exists; the schedule stays at this due time, so the next tick re-finds the same batch and records it
      log("error", "scheduled run not recorded", {
        scheduleId: row.id,
        dueAt: iso(dueAt),
        batchId,
        error: errorMessage(err),
      });
    }
  }
  return started;
}

async function batchExists(env: Env, batchId: string, tenant: string): Promise<boolean | "unknown"> {
  try {
    return (await batchApi(env, batchId).read(tenant)) !== null;
  } catch {
    return "unknown";
  }
}

async function deferFailedStart(env: Env, row: ScheduleRow, now: number, err: unknown): Promise<void> {
  const dueAt = row.next_run_at!;
  const retryAt = now + FAILED_START_RETRY_MS;
  log("error", "scheduled run failed", {
    scheduleId: row.id,
    tenant: row.tenant,
    dueAt: iso(dueAt),
    retryAt: iso(retryAt),
    error: errorMessage(err),
  });
  try {
    await deferSchedule(env.DB, row.id, dueAt, retryAt, now);
  } catch (deferErr) {
    log("error", "scheduled run not deferred", { scheduleId: row.id, error: errorMessage(deferErr) });
  }
}
