// The retention sweep's queries read the expired rows a tick takes, not every listed job: a
// tenant with many recent jobs and a few expired ones costs a tick about the few (D1 bills rows
// read, and the sweep runs every minute). Counted from D1's own meta.rows_read.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { expiredJobs, expiredOutputs } from "../../src/db/lifecycle.ts";

const TENANT = "tenant-retention-reads";
const DAY = 86400_000;
const RECENT = 400;
const EXPIRED = 30;

/** env.DB, adding up rows_read of every statement run through it. */
function counting(): { db: D1Database; read: () => number } {
  let read = 0;
  // the same statement object (batch() takes only real ones), its all() and bind() counting
  const counted = (statement: D1PreparedStatement): D1PreparedStatement => {
    const all = statement.all.bind(statement);
    const bind = statement.bind.bind(statement);
    statement.all = async <T>() => {
      const r = await all<T>();
      read += r.meta.rows_read;
      return r;
    };
    statement.bind = (...values: unknown[]) => counted(bind(...values));
    return statement;
  };
  const db = new Proxy(env.DB, {
    get(target, key) {
      if (key === "batch")
        return async (list: D1PreparedStatement[]) => {
          const results = await target.batch(list);
          for (const r of results) read += r.meta.rows_read;
          return results;
        };
      if (key === "prepare") return (sql: string) => counted(target.prepare(sql));
      const value = Reflect.get(target, key) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db, read: () => read };
}

beforeAll(async () => {
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO settings (tenant, output_retention_days, job_retention_days, updated_at) VALUES (?, 1, 1, ?)",
  )
    .bind(TENANT, now)
    .run();
  const insert = env.DB.prepare(
    "INSERT INTO jobs (id, tenant, model, status, created_at, updated_at) VALUES (?, ?, 'weshop/seedream', 'succeeded', ?, ?)",
  );
  const rows = [
    ...Array.from({ length: EXPIRED }, (_, i) =>
      insert.bind(`job_readsold${String(i).padStart(12, "0")}`, TENANT, now - 10 * DAY + i, now),
    ),
    ...Array.from({ length: RECENT }, (_, i) =>
      insert.bind(`job_readsnew${String(i).padStart(12, "0")}`, TENANT, now - i * 1000, now),
    ),
  ];
  await env.DB.batch(rows);
});

describe("the retention sweep's queries", () => {
  it("find the expired jobs oldest first, reading about as many rows as they return, not the tenant's recent jobs", async () => {
    for (const query of [expiredJobs, expiredOutputs]) {
      const { db, read } = counting();
      const found = await query(db, Date.now(), 20);
      expect(found.map((j) => j.id)).toEqual(
        Array.from({ length: 20 }, (_, i) => `job_readsold${String(i).padStart(12, "0")}`),
      );
      expect(read()).toBeLessThan(RECENT / 4);
    }
  });
});

describe("output retention over jobs whose outputs already went", () => {
  const OTHER = "tenant-retention-gone";
  const GONE = 300;

  beforeAll(async () => {
    const now = Date.now();
    await env.DB.prepare("INSERT INTO settings (tenant, output_retention_days, updated_at) VALUES (?, 1, ?)")
      .bind(OTHER, now)
      .run();
    const insert = env.DB.prepare(
      "INSERT INTO jobs (id, tenant, model, status, created_at, updated_at, outputs_expired_at) VALUES (?, ?, 'weshop/seedream', 'succeeded', ?, ?, ?)",
    );
    await env.DB.batch([
      // listed jobs whose outputs earlier ticks removed: older than everything still to expire
      ...Array.from({ length: GONE }, (_, i) =>
        insert.bind(`job_readsgone${String(i).padStart(11, "0")}`, OTHER, now - 30 * DAY + i, now, now - DAY),
      ),
      ...Array.from({ length: EXPIRED }, (_, i) =>
        insert.bind(`job_readsdue${String(i).padStart(12, "0")}`, OTHER, now - 20 * DAY + i, now, null),
      ),
    ]);
  });

  it("reads about the rows it returns, not the ones whose outputs are already gone (they stay listed)", async () => {
    const { db, read } = counting();
    const found = await expiredOutputs(db, Date.now(), 20);
    expect(found.map((j) => j.id)).toEqual(
      Array.from({ length: 20 }, (_, i) => `job_readsdue${String(i).padStart(12, "0")}`),
    );
    expect(read()).toBeLessThan(GONE / 4);
  });
});
