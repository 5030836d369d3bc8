// The pipelines clients read, in D1: one row per pipeline and one per step. The PipelineWorkflow
// writes them from its steps (each write is idempotent, so a replayed step changes nothing); the
// routes read them and record a cancel.

import { fromMicro } from "../costs/units.ts";
import type { CostAmount, CostUnit } from "../jobs/record.ts";
import type { PipelineSpec } from "../schemas/pipeline-spec.ts";
import type { Cursor } from "./jobs-index.ts";

export type PipelineStatus = "running" | "succeeded" | "failed" | "canceled";
export type StepStatus = "waiting" | "running" | "succeeded" | "failed" | "canceled" | "skipped";

export interface PipelineRecord {
  id: string;
  tenant: string;
  status: PipelineStatus;
  spec: PipelineSpec;
  estimate: CostAmount[];
  origin: string;
  createdAt: number;
  completedAt?: number;
}

export interface StepRecord {
  idx: number;
  id: string;
  model: string;
  status: StepStatus;
  jobIds: string[];
  error?: string;
}

interface PipelineRow {
  id: string;
  tenant: string;
  status: PipelineStatus;
  spec: string;
  estimate: string;
  origin: string;
  created_at: number;
  completed_at: number | null;
}

const fromRow = (r: PipelineRow): PipelineRecord => ({
  id: r.id,
  tenant: r.tenant,
  status: r.status,
  spec: JSON.parse(r.spec) as PipelineSpec,
  estimate: JSON.parse(r.estimate) as CostAmount[],
  origin: r.origin,
  createdAt: r.created_at,
  ...(r.completed_at !== null ? { completedAt: r.completed_at } : {}),
});

/** Creates the pipeline and its waiting steps at once; a second insert of the same id changes nothing. */
export async function insertPipeline(db: D1Database, p: PipelineRecord): Promise<void> {
  const rows = [
    db
      .prepare(
        "INSERT OR IGNORE INTO pipelines (id, tenant, status, spec, metadata, tags, estimate, origin, created_at) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?)",
      )
      .bind(
        p.id,
        p.tenant,
        JSON.stringify(p.spec),
        JSON.stringify(p.spec.metadata),
        JSON.stringify(p.spec.tags),
        JSON.stringify(p.estimate),
        p.origin,
        p.createdAt,
      ),
    ...p.spec.steps.map((s, idx) =>
      db
        .prepare(
          "INSERT OR IGNORE INTO pipeline_steps (pipeline_id, idx, step_id, model, status) VALUES (?, ?, ?, ?, 'waiting')",
        )
        .bind(p.id, idx, s.id, s.model),
    ),
  ];
  await db.batch(rows);
}

export async function readPipeline(db: D1Database, id: string, tenant?: string): Promise<PipelineRecord | null> {
  const row = await db.prepare("SELECT * FROM pipelines WHERE id = ?").bind(id).first<PipelineRow>();
  if (!row || (tenant !== undefined && row.tenant !== tenant)) return null;
  return fromRow(row);
}

export async function readSteps(db: D1Database, id: string): Promise<StepRecord[]> {
  const rows = await db
    .prepare(
      "SELECT idx, step_id, model, status, job_ids, error FROM pipeline_steps WHERE pipeline_id = ? ORDER BY idx",
    )
    .bind(id)
    .all<{ idx: number; step_id: string; model: string; status: StepStatus; job_ids: string; error: string | null }>();
  return rows.results.map((r) => ({
    idx: r.idx,
    id: r.step_id,
    model: r.model,
    status: r.status,
    jobIds: JSON.parse(r.job_ids) as string[],
    ...(r.error !== null ? { error: r.error } : {}),
  }));
}

/** A step's new status (and its jobs, once created). A step ended never goes back to running. */
export async function setStep(
  db: D1Database,
  id: string,
  idx: number,
  status: StepStatus,
  fields: { jobIds?: string[]; error?: string } = {},
): Promise<void> {
  await db
    .prepare(
      `UPDATE pipeline_steps SET status = ?, job_ids = COALESCE(?, job_ids), error = COALESCE(?, error)
       WHERE pipeline_id = ? AND idx = ? AND (? NOT IN ('waiting', 'running') OR status IN ('waiting', 'running', 'skipped'))`,
    )
    .bind(status, fields.jobIds ? JSON.stringify(fields.jobIds) : null, fields.error ?? null, id, idx, status)
    .run();
}

/** Marks a running pipeline canceled and its waiting steps skipped; false if it had already ended. */
export async function markCanceled(db: D1Database, id: string, tenant: string): Promise<boolean> {
  const [pipeline] = await db.batch([
    db
      .prepare("UPDATE pipelines SET status = 'canceled' WHERE id = ? AND tenant = ? AND status = 'running'")
      .bind(id, tenant),
    db
      .prepare(
        "UPDATE pipeline_steps SET status = 'skipped', error = 'the pipeline was canceled' WHERE pipeline_id = ? AND status = 'waiting' AND EXISTS (SELECT 1 FROM pipelines WHERE id = ? AND status = 'canceled')",
      )
      .bind(id, id),
  ]);
  return (pipeline?.meta.changes ?? 0) > 0;
}

/** The pipeline ended: its status (a cancel stays a cancel) and when. */
export async function finishPipeline(db: D1Database, id: string, status: PipelineStatus, at: number): Promise<void> {
  await db
    .prepare(
      "UPDATE pipelines SET status = CASE WHEN status = 'canceled' THEN 'canceled' ELSE ? END, completed_at = COALESCE(completed_at, ?) WHERE id = ?",
    )
    .bind(status, at, id)
    .run();
}

/** Newest first, a page at a time. */
export async function listPipelines(
  db: D1Database,
  tenant: string,
  limit: number,
  cursor?: Cursor,
): Promise<{ records: PipelineRecord[]; next: Cursor | null }> {
  const where = cursor ? "AND (created_at < ? OR (created_at = ? AND id < ?))" : "";
  const args = cursor ? [cursor.createdAt, cursor.createdAt, cursor.id] : [];
  const rows = await db
    .prepare(`SELECT * FROM pipelines WHERE tenant = ? ${where} ORDER BY created_at DESC, id DESC LIMIT ?`)
    .bind(tenant, ...args, limit + 1)
    .all<PipelineRow>();
  const page = rows.results.slice(0, limit);
  const last = page.at(-1);
  return {
    records: page.map(fromRow),
    next: rows.results.length > limit && last ? { createdAt: last.created_at, id: last.id } : null,
  };
}

/** A pipeline's known actual costs per unit, from its jobs in the index. */
export async function pipelineActuals(db: D1Database, tenant: string, pipelineId: string): Promise<CostAmount[]> {
  const rows = await db
    .prepare(
      "SELECT cost_unit AS unit, SUM(cost_actual) AS micro FROM jobs WHERE tenant = ? AND pipeline_id = ? AND cost_actual IS NOT NULL GROUP BY cost_unit ORDER BY cost_unit",
    )
    .bind(tenant, pipelineId)
    .all<{ unit: CostUnit; micro: number }>();
  return rows.results.map((r) => ({ unit: r.unit, amount: fromMicro(r.micro) }));
}

/** Every job id the pipeline ever created, from the jobs index (its steps' lists may miss a job a step created just before a crash). */
export async function pipelineJobIdsIndexed(db: D1Database, tenant: string, pipelineId: string): Promise<string[]> {
  const rows = await db
    .prepare("SELECT id FROM jobs WHERE tenant = ? AND pipeline_id = ? AND deleted_at IS NULL")
    .bind(tenant, pipelineId)
    .all<{ id: string }>();
  return rows.results.map((r) => r.id);
}

/** Removes the pipeline and its steps (DELETE /v1/pipelines/{id}, once its jobs are erased). */
export async function deletePipeline(db: D1Database, id: string, tenant: string): Promise<void> {
  await db.batch([
    db
      .prepare(
        "DELETE FROM pipeline_steps WHERE pipeline_id = ? AND EXISTS (SELECT 1 FROM pipelines WHERE id = ? AND tenant = ?)",
      )
      .bind(id, id, tenant),
    db.prepare("DELETE FROM pipelines WHERE id = ? AND tenant = ?").bind(id, tenant),
  ]);
}
