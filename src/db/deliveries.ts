// The webhook delivery log (GET /v1/webhook-deliveries): one row per message, rewritten by its
// delivery object after every attempt. Rows go after 30 days (src/lifecycle/retention.ts), and
// with their job when it is deleted.
import { fromBase64Url, toBase64Url } from "../lib/crypto.ts";
import type { AttemptRecord, DeliveryState } from "../webhooks/types.ts";

export type DeliveryStatus = "pending" | "delivered" | "failed";

export function deliveryStatus(state: DeliveryState): DeliveryStatus {
  return state.deliveredAt ? "delivered" : state.gaveUpAt ? "failed" : "pending";
}

export async function recordDelivery(db: D1Database, state: DeliveryState, now: number): Promise<void> {
  const m = state.message;
  if (!m.tenant) return;
  await db
    .prepare(
      `INSERT INTO webhook_deliveries (id, tenant, webhook_id, job_id, batch_id, pipeline_id, event, url, status, attempts, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at`,
    )
    .bind(
      m.id,
      m.tenant,
      m.id,
      m.jobId.startsWith("job_") ? m.jobId : null,
      m.batchId ?? null,
      m.pipelineId ?? null,
      m.type,
      m.url,
      deliveryStatus(state),
      JSON.stringify(state.log ?? []),
      state.deliveredAt || state.gaveUpAt ? null : (state.nextAt ?? null),
      m.createdAt * 1000,
      now,
    )
    .run();
}

export interface DeliveryFilter {
  tenant: string;
  jobId?: string;
  batchId?: string;
  pipelineId?: string;
  status?: DeliveryStatus;
  limit: number;
  cursor?: { createdAt: number; id: string };
}

export interface DeliveryView {
  id: string;
  webhookId: string;
  event: string;
  url: string;
  status: DeliveryStatus;
  jobId: string | null;
  batchId: string | null;
  pipelineId: string | null;
  attempts: { at: string; httpStatus: number | null; ms: number; error?: string }[];
  nextAttemptAt: string | null;
  createdAt: string;
}

interface Row {
  id: string;
  webhook_id: string;
  job_id: string | null;
  batch_id: string | null;
  pipeline_id: string | null;
  event: string;
  url: string;
  status: DeliveryStatus;
  attempts: string;
  next_attempt_at: number | null;
  created_at: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function view(r: Row): DeliveryView {
  const attempts = (JSON.parse(r.attempts) as AttemptRecord[]).map((a) => ({
    at: iso(a.at),
    httpStatus: a.httpStatus,
    ms: a.ms,
    ...(a.error ? { error: a.error } : {}),
  }));
  return {
    id: r.id,
    webhookId: r.webhook_id,
    event: r.event,
    url: r.url,
    status: r.status,
    jobId: r.job_id,
    batchId: r.batch_id,
    pipelineId: r.pipeline_id,
    attempts,
    nextAttemptAt: r.next_attempt_at === null ? null : iso(r.next_attempt_at),
    createdAt: iso(r.created_at),
  };
}

/** Newest first, one page and the cursor of the next. */
export async function listDeliveries(
  db: D1Database,
  f: DeliveryFilter,
): Promise<{ data: DeliveryView[]; nextCursor: string | null }> {
  const where = ["tenant = ?"];
  const args: (string | number)[] = [f.tenant];
  for (const [column, value] of [
    ["job_id", f.jobId],
    ["batch_id", f.batchId],
    ["pipeline_id", f.pipelineId],
    ["status", f.status],
  ] as const)
    if (value !== undefined) {
      where.push(`${column} = ?`);
      args.push(value);
    }
  if (f.cursor) {
    where.push("(created_at < ? OR (created_at = ? AND id < ?))");
    args.push(f.cursor.createdAt, f.cursor.createdAt, f.cursor.id);
  }
  const rows = await db
    .prepare(`SELECT * FROM webhook_deliveries WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id DESC LIMIT ?`)
    .bind(...args, f.limit + 1)
    .all<Row>();
  const page = rows.results.slice(0, f.limit);
  const last = page.at(-1);
  const more = rows.results.length > f.limit && last;
  return {
    data: page.map(view),
    nextCursor: more ? toBase64Url(new TextEncoder().encode(JSON.stringify([last.created_at, last.id]))) : null,
  };
}

export function decodeDeliveryCursor(text: string): { createdAt: number; id: string } | undefined {
  const bytes = fromBase64Url(text);
  if (!bytes) return undefined;
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (Array.isArray(v) && Number.isSafeInteger(v[0]) && typeof v[1] === "string")
      return { createdAt: v[0] as number, id: v[1] };
  } catch {
    // not a cursor we made
  }
  return undefined;
}

export async function deliveryOwner(db: D1Database, id: string): Promise<string | null> {
  const row = await db
    .prepare("SELECT tenant FROM webhook_deliveries WHERE id = ?")
    .bind(id)
    .first<{ tenant: string }>();
  return row?.tenant ?? null;
}

export async function readDelivery(db: D1Database, tenant: string, id: string): Promise<DeliveryView | null> {
  const row = await db
    .prepare("SELECT * FROM webhook_deliveries WHERE id = ? AND tenant = ?")
    .bind(id, tenant)
    .first<Row>();
  return row ? view(row) : null;
}
