// The tenants and api_keys tables (migrations/0005_keys.sql): every statement run against them.

export interface TenantRow {
  id: string;
  name: string;
  created_at: number;
  disabled_at: number | null;
}

export interface KeyRow {
  id: string;
  tenant: string;
  name: string;
  hash: string;
  prefix: string;
  scopes: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** A key found by its hash, with its tenant's state: the one read each request with a created key makes. */
export type KeyLookup = Pick<
  KeyRow,
  "id" | "tenant" | "name" | "scopes" | "expires_at" | "last_used_at" | "revoked_at"
> & { disabled_at: number | null };

export function findKeyByHash(db: D1Database, hash: string): Promise<KeyLookup | null> {
  return db
    .prepare(
      "SELECT k.id, k.tenant, k.name, k.scopes, k.expires_at, k.last_used_at, k.revoked_at, t.disabled_at " +
        "FROM api_keys k JOIN tenants t ON t.id = k.tenant WHERE k.hash = ?",
    )
    .bind(hash)
    .first<KeyLookup>();
}

/** When the tenant was disabled (null: it is not, or has no row yet). */
export async function tenantDisabledAt(db: D1Database, tenant: string): Promise<number | null> {
  const row = await db
    .prepare("SELECT disabled_at FROM tenants WHERE id = ?")
    .bind(tenant)
    .first<{ disabled_at: number | null }>();
  return row?.disabled_at ?? null;
}

/** Records `lastUsedAt` (to the minute) unless another request already did this minute. */
export async function touchKey(db: D1Database, id: string, minute: number): Promise<void> {
  await db
    .prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")
    .bind(minute, id, minute)
    .run();
}

export async function insertKey(db: D1Database, row: KeyRow, tenantName: string): Promise<void> {
  // the tenant of an API_KEYS entry gets its row with its first created key
  await db.batch([
    db
      .prepare("INSERT OR IGNORE INTO tenants (id, name, created_at, disabled_at) VALUES (?, ?, ?, NULL)")
      .bind(row.tenant, tenantName, row.created_at),
    db
      .prepare(
        "INSERT INTO api_keys (id, tenant, name, hash, prefix, scopes, created_at, expires_at, last_used_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
      )
      .bind(row.id, row.tenant, row.name, row.hash, row.prefix, row.scopes, row.created_at, row.expires_at),
  ]);
}

export async function listKeys(db: D1Database, tenant: string): Promise<KeyRow[]> {
  const rows = await db
    .prepare("SELECT * FROM api_keys WHERE tenant = ? AND revoked_at IS NULL ORDER BY created_at DESC, id DESC")
    .bind(tenant)
    .all<KeyRow>();
  return rows.results;
}

export function readKey(db: D1Database, tenant: string, id: string): Promise<KeyRow | null> {
  return db
    .prepare("SELECT * FROM api_keys WHERE id = ? AND tenant = ? AND revoked_at IS NULL")
    .bind(id, tenant)
    .first<KeyRow>();
}

/** True when the key existed and was live. */
export async function revokeKey(db: D1Database, tenant: string, id: string, now: number): Promise<boolean> {
  const result = await db
    .prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND tenant = ? AND revoked_at IS NULL")
    .bind(now, id, tenant)
    .run();
  return result.meta.changes > 0;
}

export async function insertTenant(db: D1Database, row: TenantRow): Promise<void> {
  await db
    .prepare("INSERT INTO tenants (id, name, created_at, disabled_at) VALUES (?, ?, ?, NULL)")
    .bind(row.id, row.name, row.created_at)
    .run();
}

export async function listTenants(db: D1Database): Promise<TenantRow[]> {
  return (await db.prepare("SELECT * FROM tenants ORDER BY created_at DESC, id DESC").all<TenantRow>()).results;
}

export function readTenant(db: D1Database, id: string): Promise<TenantRow | null> {
  return db.prepare("SELECT * FROM tenants WHERE id = ?").bind(id).first<TenantRow>();
}

/** Marks the tenant disabled (creating the row of an API_KEYS tenant that had none) and pauses its schedules. */
export async function disableTenantRows(db: D1Database, id: string, name: string, now: number): Promise<void> {
  await db.batch([
    db
      .prepare("INSERT OR IGNORE INTO tenants (id, name, created_at, disabled_at) VALUES (?, ?, ?, NULL)")
      .bind(id, name, now),
    db.prepare("UPDATE tenants SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?").bind(now, id),
    db
      .prepare("UPDATE schedules SET enabled = 0, next_run_at = NULL, updated_at = ? WHERE tenant = ? AND enabled = 1")
      .bind(now, id),
  ]);
}

/** The tenant's unfinished jobs and the batches they belong to. */
export async function unfinishedWork(db: D1Database, tenant: string): Promise<{ jobs: string[]; batches: string[] }> {
  const rows = await db
    .prepare("SELECT id, batch_id FROM jobs WHERE tenant = ? AND status IN ('queued', 'running', 'copying')")
    .bind(tenant)
    .all<{ id: string; batch_id: string | null }>();
  const batches = new Set<string>();
  for (const r of rows.results) if (r.batch_id) batches.add(r.batch_id);
  return { jobs: rows.results.map((r) => r.id), batches: [...batches] };
}
