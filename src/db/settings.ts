// A tenant's settings row (GET/PUT /v1/settings); no row means every setting is null.
import type { JobEvent } from "../jobs/record.ts";
import { NO_SETTINGS, type Settings } from "../schemas/settings.ts";

interface Row {
  output_retention_days: number | null;
  job_retention_days: number | null;
  webhook_url: string | null;
  webhook_events: string | null;
}

export async function readSettings(db: D1Database, tenant: string): Promise<Settings> {
  const row = await db
    .prepare(
      "SELECT output_retention_days, job_retention_days, webhook_url, webhook_events FROM settings WHERE tenant = ?",
    )
    .bind(tenant)
    .first<Row>();
  if (!row) return NO_SETTINGS;
  return {
    outputRetentionDays: row.output_retention_days,
    jobRetentionDays: row.job_retention_days,
    webhook: row.webhook_url
      ? { url: row.webhook_url, events: JSON.parse(row.webhook_events ?? "[]") as JobEvent[] }
      : null,
  };
}

export async function writeSettings(db: D1Database, tenant: string, s: Settings, now: number): Promise<void> {
  await db
    .prepare(
      `INSERT INTO settings (tenant, output_retention_days, job_retention_days, webhook_url, webhook_events, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(tenant) DO UPDATE SET output_retention_days = excluded.output_retention_days, job_retention_days = excluded.job_retention_days,
         webhook_url = excluded.webhook_url, webhook_events = excluded.webhook_events, updated_at = excluded.updated_at`,
    )
    .bind(
      tenant,
      s.outputRetentionDays,
      s.jobRetentionDays,
      s.webhook?.url ?? null,
      s.webhook ? JSON.stringify(s.webhook.events) : null,
      now,
    )
    .run();
}
