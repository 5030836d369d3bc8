// The schedules table: every statement the routes and the cron tick run against it.

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
  /** The latest due run that started nothing (over budget), and its code. */
  last_skip_at?: number | null;
  last_skip_code?: string | null;
  created_at: number;
  updated_at: number;
}

export function readSchedule(db: D1Database, id: string, tenant: string): Promise<ScheduleRow | null> {
  return db.prepare("SELECT * FROM schedules WHERE id = ? AND tenant = ?").bind(id, tenant).first<ScheduleRow>();
}

export async function listSchedules(db: D1Database, tenant: string): Promise<ScheduleRow[]> {
  const rows = await db
    .prepare("SELECT * FROM schedules WHERE tenant = ? ORDER BY created_at DESC, id DESC")
    .bind(tenant)
    .all<ScheduleRow>();
  return rows.results;
}

/**
 * Inserts the row unless its tenant already has `max` schedules. The cap is checked by the insert
 * itself: one statement, so concurrent creates cannot all see room for one more (a count followed
 * by an insert let 20 racing creates pass 100). False when the cap refused it.
 */
export async function insertScheduleUnderCap(db: D1Database, row: ScheduleRow, max: number): Promise<boolean> {
  const inserted = await db
    .prepare(
      "INSERT INTO schedules (id, tenant, name, cron, timezone, batch, origin, enabled, next_run_at, last_run_at, last_batch_id, created_at, updated_at) " +
        "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM schedules WHERE tenant = ?) < ?",
    )
    .bind(
      row.id,
      row.tenant,
      row.name,
      row.cron,
      row.timezone,
      row.batch,
      row.origin,
      row.enabled,
      row.next_run_at,
      row.last_run_at,
      row.last_batch_id,
      row.created_at,
      row.updated_at,
      row.tenant,
      max,
    )
    .run();
  return inserted.meta.changes === 1;
}

export async function deleteSchedule(db: D1Database, id: string): Promise<void> {
  await db.prepare("DELETE FROM schedules WHERE id = ?").bind(id).run();
}

/**
 * Writes a patched row only if the stored one is still the one it was computed from: same
 * updated_at and the same run fields the tick moves. False when the row changed (or vanished)
 * meanwhile; the caller reads again and recomputes.
 */
export async function updateScheduleIfUnchanged(
  db: D1Database,
  before: ScheduleRow,
  after: ScheduleRow,
): Promise<boolean> {
  const result = await db
    .prepare(
      "UPDATE schedules SET name = ?, cron = ?, timezone = ?, batch = ?, enabled = ?, next_run_at = ?, updated_at = ? " +
        "WHERE id = ? AND updated_at = ? AND next_run_at IS ? AND last_run_at IS ? AND last_batch_id IS ?",
    )
    .bind(
      after.name,
      after.cron,
      after.timezone,
      after.batch,
      after.enabled,
      after.next_run_at,
      after.updated_at,
      before.id,
      before.updated_at,
      before.next_run_at,
      before.last_run_at,
      before.last_batch_id,
    )
    .run();
  return result.meta.changes === 1;
}

/** Enabled schedules due at `now`, oldest due first. */
export async function dueSchedules(db: D1Database, now: number, limit: number): Promise<ScheduleRow[]> {
  const due = await db
    .prepare("SELECT * FROM schedules WHERE enabled = 1 AND next_run_at <= ? ORDER BY next_run_at LIMIT ?")
    .bind(now, limit)
    .all<ScheduleRow>();
  return due.results;
}

/** Records a started run, only if the schedule is still at that due time. True when it moved. */
export async function recordScheduledRun(
  db: D1Database,
  id: string,
  dueAt: number,
  run: { at: number; batchId: string; next: number | null },
): Promise<boolean> {
  const moved = await db
    .prepare(
      "UPDATE schedules SET last_run_at = ?, last_batch_id = ?, next_run_at = ?, updated_at = ? WHERE id = ? AND next_run_at = ?",
    )
    .bind(run.at, run.batchId, run.next, run.at, id, dueAt)
    .run();
  return moved.meta.changes === 1;
}

/** Moves a due time later, guarded like a run: a PATCH or another tick that moved the schedule meanwhile wins. */
export async function deferSchedule(
  db: D1Database,
  id: string,
  dueAt: number,
  retryAt: number,
  now: number,
): Promise<void> {
  await db
    .prepare("UPDATE schedules SET next_run_at = ?, updated_at = ? WHERE id = ? AND next_run_at = ?")
    .bind(retryAt, now, id, dueAt)
    .run();
}
