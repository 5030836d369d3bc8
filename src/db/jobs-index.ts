// The D1 projection of jobs: written by each JobObject, read for listing and sweeping.

import { priceKey } from "../costs/price-key.ts";
import { toMicro, unitOf } from "../costs/units.ts";
import type { JobRecord, JobStatus } from "../jobs/record.ts";
import { fromBase64Url, toBase64Url } from "../lib/crypto.ts";

export async function indexJob(db: D1Database, job: JobRecord, now = Date.now()): Promise<void> {
  // a late write from an older state never overwrites a newer one; seen_at is the object's heartbeat
  await db
    .prepare(
      `INSERT INTO jobs (id, tenant, model, status, batch_id, created_at, updated_at, seen_at, schedule_id, cost_unit, cost_estimate, cost_actual, price_key, pipeline_id, pipeline_step)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, seen_at = excluded.seen_at,
         cost_actual = COALESCE(excluded.cost_actual, jobs.cost_actual)
       WHERE excluded.updated_at >= jobs.updated_at`,
    )
    .bind(...jobRow(job, now))
    .run();
  // tags once, with the first index write (a repeat is ignored): listing by tag and usage per tag
  if (job.tags?.length && job.indexedAt === undefined)
    await db.batch(
      job.tags.map((tag) =>
        db
          .prepare("INSERT OR IGNORE INTO job_tags (job_id, tenant, tag, created_at) VALUES (?, ?, ?, ?)")
          .bind(job.id, job.tenant, tag, job.createdAt),
      ),
    );
}

function jobRow(job: JobRecord, now: number): (string | number | null)[] {
  const estimate = job.cost?.estimate;
  const actual = job.cost?.actual;
  return [
    job.id,
    job.tenant,
    job.model,
    job.status,
    job.batchId ?? null,
    job.createdAt,
    job.updatedAt,
    now,
    job.scheduleId ?? null,
  ].concat([
    unitOf(job.provider),
    estimate ? toMicro(estimate.amount) : null,
    actual ? toMicro(actual.amount) : null,
    priceKey(job.params),
    job.pipelineId ?? null,
    job.pipelineStep ?? null,
  ]);
}

export interface ListFilter {
  tenant: string;
  status?: JobStatus;
  model?: string;
  batchId?: string;
  tag?: string;
  pipelineId?: string;
  limit: number;
  cursor?: Cursor;
}

export interface Cursor {
  createdAt: number;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify([cursor.createdAt, cursor.id])));
}

export function decodeCursor(text: string, prefix = "job"): Cursor | undefined {
  const bytes = fromBase64Url(text);
  if (!bytes) return undefined;
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === "string" &&
      new RegExp(`^${prefix}_\\w{1,40}$`).test(value[1])
    )
      return { createdAt: value[0] as number, id: value[1] };
  } catch {
    // not a cursor we made
  }
  return undefined;
}

/** Newest first; returns the ids of one page and the cursor of the next, if any. */
export async function listJobIds(db: D1Database, filter: ListFilter): Promise<{ ids: string[]; next: Cursor | null }> {
  // a deleted job leaves every listing (its row stays for usage totals)
  const where = ["tenant = ?", "deleted_at IS NULL"];
  const args: (string | number)[] = [filter.tenant];
  if (filter.tag) {
    where.push("id IN (SELECT job_id FROM job_tags WHERE tenant = ? AND tag = ?)");
    args.push(filter.tenant, filter.tag);
  }
  if (filter.status) {
    where.push("status = ?");
    args.push(filter.status);
  }
  if (filter.model) {
    where.push("model = ?");
    args.push(filter.model);
  }
  if (filter.batchId) {
    where.push("batch_id = ?");
    args.push(filter.batchId);
  }
  if (filter.pipelineId) {
    where.push("pipeline_id = ?");
    args.push(filter.pipelineId);
  }
  if (filter.cursor) {
    where.push("(created_at < ? OR (created_at = ? AND id < ?))");
    args.push(filter.cursor.createdAt, filter.cursor.createdAt, filter.cursor.id);
  }
  const rows = await db
    .prepare(`SELECT id, created_at FROM jobs WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id DESC LIMIT ?`)
    .bind(...args, filter.limit + 1)
    .all<{ id: string; created_at: number }>();
  const page = rows.results.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    ids: page.map((r) => r.id),
    next: rows.results.length > filter.limit && last ? { createdAt: last.created_at, id: last.id } : null,
  };
}

/** Jobs not finished whose object has not written its index entry for `idleMs`: candidates for the sweeper. */
export async function idleUnfinishedJobs(
  db: D1Database,
  idleMs: number,
  now: number,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .prepare(
      `SELECT id FROM jobs WHERE status IN ('queued', 'running', 'copying') AND seen_at < ? ORDER BY seen_at LIMIT ?`,
    )
    .bind(now - idleMs, limit)
    .all<{ id: string }>();
  return rows.results.map((r) => r.id);
}

/** How many indexed jobs of a batch are in each status (jobs not created yet are not counted). */
export async function batchStatusCounts(
  db: D1Database,
  batchId: string,
  tenant: string,
): Promise<{ status: JobStatus; n: number }[]> {
  const rows = await db
    // kept by triggers as index rows change (migrations/0009_batch_counts.sql): O(statuses), not O(jobs)
    .prepare("SELECT status, n FROM batch_counts WHERE batch_id = ? AND tenant = ? AND n > 0")
    .bind(batchId, tenant)
    .all<{ status: JobStatus; n: number }>();
  return rows.results;
}
