// Client schedules in D1, and the cron tick that starts each due one exactly once per due time.
import { Cron } from "croner";
import type { Env } from "../env.ts";
import type { BatchSpec } from "../api/batches.ts";
import { derivedId } from "../lib/crypto.ts";
import { log } from "../lib/log.ts";
import { batchApi } from "./batch-object.ts";

const DUE_PER_TICK = 50;

export interface ScheduleRow {
  id: string;
  tenant: string;
  name: string;
  cron: string;
  timezone: string;
  batch: string;
  origin: string;
  enabled: number;
  next_run_at: number | null;
  last_run_at: number | null;
  last_batch_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface ScheduleView {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  batch: BatchSpec;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastBatchId: string | null;
  createdAt: string;
  updatedAt: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function scheduleView(row: ScheduleRow): ScheduleView {
  return {
    id: row.id,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    enabled: row.enabled === 1,
    batch: JSON.parse(row.batch) as BatchSpec,
    nextRunAt: iso(row.next_run_at),
    lastRunAt: iso(row.last_run_at),
    lastBatchId: row.last_batch_id,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

/** A parser for a 5-field expression in a time zone; throws with a readable message when invalid. */
export function cronFor(expression: string, timezone: string): Cron {
  if (expression.trim().split(/\s+/).length !== 5) throw new Error("must have 5 fields: minute hour day-of-month month day-of-week");
  // legacyMode: day-of-month and day-of-week combine with OR, as in classic cron
  return new Cron(expression, { timezone, mode: "5-part", legacyMode: true, paused: true });
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The first run strictly after `after` (ms), or null when the expression never fires again. */
export function nextRunAfter(expression: string, timezone: string, after: number): number | null {
  return cronFor(expression, timezone).nextRun(new Date(after))?.getTime() ?? null;
}

/** The batch id of one due run: derived, so a tick delivered twice starts the same batch. */
export function scheduledBatchId(scheduleId: string, dueAt: number): Promise<string> {
  return derivedId("batch", `${scheduleId}@${dueAt}`);
}

/**
 * Starts every due schedule once for its due time. A late or repeated tick finds the same due
 * time: the batch id is derived from it (so creating it again is a no-op) and the schedule only
 * moves on when its stored due time still matches. After downtime a missed run starts once and
 * the next due time is counted from now, not from the missed one.
 */
export async function runDueSchedules(env: Env, now: number): Promise<string[]> {
  const due = await env.DB.prepare("SELECT * FROM schedules WHERE enabled = 1 AND next_run_at <= ? ORDER BY next_run_at LIMIT ?")
    .bind(now, DUE_PER_TICK)
    .all<ScheduleRow>();
  const started: string[] = [];
  for (const row of due.results) {
    const dueAt = row.next_run_at!;
    try {
      const batchId = await scheduledBatchId(row.id, dueAt);
      const spec = JSON.parse(row.batch) as BatchSpec;
      await batchApi(env, batchId).create({
        id: batchId,
        tenant: row.tenant,
        specs: spec.jobs,
        ...(spec.webhookUrl ? { webhookUrl: spec.webhookUrl } : {}),
        scheduleId: row.id,
        origin: row.origin,
      });
      const next = nextRunAfter(row.cron, row.timezone, Math.max(now, dueAt));
      const moved = await env.DB.prepare(
        "UPDATE schedules SET last_run_at = ?, last_batch_id = ?, next_run_at = ?, updated_at = ? WHERE id = ? AND next_run_at = ?",
      )
        .bind(now, batchId, next, now, row.id, dueAt)
        .run();
      if (moved.meta.changes === 1) started.push(batchId);
    } catch (err) {
      // this schedule stays due and is tried again on the next tick
      log("error", "scheduled run failed", { scheduleId: row.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return started;
}
