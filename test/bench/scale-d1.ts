// The local D1 of a scale run, reached with wrangler: migrations, bench-only write counters, seeded index rows.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** The tenant the worker derives from an API key (src/http/middleware.ts). */
export const tenantOf = (key: string) => createHash("sha256").update(`tenant:${key}`).digest("hex").slice(0, 32);

export function wrangler(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["wrangler", ...args], {
      env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr?.on("data", (c: Buffer) => (out += c.toString()));
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`wrangler ${args.join(" ")} failed:\n${out.slice(-2000)}`)),
    );
  });
}

export const d1 = (dir: string, sql: { file?: string; command?: string }) =>
  wrangler([
    "d1",
    "execute",
    "seedrun",
    "--local",
    "--persist-to",
    dir,
    "--json",
    ...(sql.file ? ["--file", sql.file] : ["--command", sql.command!]),
  ]);

/** Counts every row the worker inserts, updates or deletes in D1 (bench-only triggers on the local database). */
export async function countWrites(dir: string): Promise<void> {
  const statements = ["CREATE TABLE IF NOT EXISTS bench_writes (tbl TEXT PRIMARY KEY, n INTEGER NOT NULL)"];
  for (const table of ["jobs", "schedules"])
    for (const op of ["INSERT", "UPDATE", "DELETE"])
      statements.push(
        `CREATE TRIGGER bench_${table}_${op.toLowerCase()} AFTER ${op} ON ${table} BEGIN INSERT INTO bench_writes VALUES ('${table}', 1) ON CONFLICT(tbl) DO UPDATE SET n = n + 1; END`,
      );
  const file = join(dir, "bench-triggers.sql");
  writeFileSync(file, `${statements.join(";\n")};\n`);
  await d1(dir, { file });
}

export async function writesSoFar(dir: string): Promise<number> {
  const out = await d1(dir, { command: "SELECT COALESCE(SUM(n), 0) AS n FROM bench_writes" });
  const parsed = JSON.parse(out.slice(out.indexOf("["))) as { results: { n: number }[] }[];
  return parsed[0]?.results[0]?.n ?? 0;
}

/** Index rows written straight into the local D1 (finished jobs, oldest first), in multi-row INSERTs. */
export function seedSql(
  tenant: string,
  count: number,
  prefix: string,
  batchId: string | null,
  batchRows: number,
): string {
  const lines: string[] = [];
  const base = Date.UTC(2026, 0, 1);
  for (let from = 0; from < count; from += 500) {
    const values: string[] = [];
    for (let i = from; i < Math.min(count, from + 500); i++) {
      const status = i % 10 === 0 ? "failed" : "succeeded";
      const batch = batchId !== null && i < batchRows ? `'${batchId}'` : "NULL";
      const at = base + i * 1000;
      values.push(
        `('job_${prefix}${String(i).padStart(8, "0")}', '${tenant}', 'weshop/seedream', '${status}', ${batch}, ${at}, ${at}, ${at})`,
      );
    }
    lines.push(
      `INSERT INTO jobs (id, tenant, model, status, batch_id, created_at, updated_at, seen_at) VALUES ${values.join(", ")};`,
    );
  }
  return lines.join("\n");
}
