// A key's batches, newest first, read from the jobs index: a batch is listed once its first job
// exists (the first chunk is created in the batch's first alarm, right after the request).
import type { Cursor } from "./jobs-index.ts";

/** One page of batch ids and the cursor of the next, if any: the jobs' cursor (creation time, id), read with `decodeCursor(text, "batch")`. */
export async function listBatchIds(
  db: D1Database,
  tenant: string,
  limit: number,
  cursor?: Cursor,
): Promise<{ ids: string[]; next: Cursor | null }> {
  // batch_index holds each batch's first job time, kept by a trigger on the jobs index
  // (migrations/0009_batch_counts.sql): a page is an index range, not a GROUP BY over every job of the key
  const after = cursor ? "AND (created_at < ? OR (created_at = ? AND batch_id < ?))" : "";
  const rows = await db
    .prepare(
      `SELECT batch_id, created_at AS created FROM batch_index WHERE tenant = ? ${after} ORDER BY created_at DESC, batch_id DESC LIMIT ?`,
    )
    .bind(tenant, ...(cursor ? [cursor.createdAt, cursor.createdAt, cursor.id] : []), limit + 1)
    .all<{ batch_id: string; created: number }>();
  const page = rows.results.slice(0, limit);
  const last = page.at(-1);
  return {
    ids: page.map((r) => r.batch_id),
    next: rows.results.length > limit && last ? { createdAt: last.created, id: last.batch_id } : null,
  };
}
