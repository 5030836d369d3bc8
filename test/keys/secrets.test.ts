// A key's secret is in one answer only, its creation: never in a later response (lists, errors,
// jobs, MCP), never in a log line, never in D1 or Durable Object storage in clear. The stored
// state is scanned whole: every D1 table, and every table of the objects the key's requests
// touched (its job, batch, idempotency claim and the tenant's budget).
import { env, runInDurableObject } from "cloudflare:test";
import { expect, vi } from "vitest";
import { rootTenantId } from "../../src/keys/secrets.ts";
import { it } from "../support/fixture.ts";
import { api, driveJob } from "../support/harness.ts";
import { ADMIN_KEY, type Json, makeKey } from "./support.ts";

const SEEDREAM = { model: "weshop/seedream", params: { textDescription: "a lighthouse" } };
it.afterEach(() => {
  vi.restoreAllMocks();
});

/** Every row of every table of a SQLite-backed object, as text. */
async function objectText(stub: DurableObjectStub): Promise<string> {
  return runInDurableObject(stub, async (_, state) => {
    const tables = state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'")
      .toArray();
    const rows = tables.map(({ name }) => [name, state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray()]);
    // the key-value API's own table (_cf_KV) is read through that API
    const kv = [...(await state.storage.list())];
    return JSON.stringify([rows, kv], (_, v) => (v instanceof ArrayBuffer ? new TextDecoder().decode(v) : v));
  });
}

async function d1Text(): Promise<string> {
  const tables = (
    await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
    ).all<{ name: string }>()
  ).results;
  const dump: unknown[] = [];
  for (const { name } of tables) dump.push(name, (await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results);
  return JSON.stringify(dump);
}

it("appears only in the answer that created it", async ({ h }) => {
  const lines: string[] = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    });
  const tenant = (await (
    await api("/v1/admin/tenants", { key: ADMIN_KEY, json: { name: "secretive" } })
  ).json()) as Json;
  const made = await makeKey(["read", "jobs:write", "keys:write"], { by: tenant.key });
  const secrets = [tenant.key as string, made.key];
  const answers: string[] = [];
  const call = async (path: string, init: Parameters<typeof api>[1] = {}) => {
    const res = await api(path, { key: made.key, ...init });
    const text = await res.text();
    answers.push(`${res.status} ${JSON.stringify([...res.headers])} ${text}`);
    return text;
  };
  // a job (with an Idempotency-Key), a batch, reads, refusals and errors, all with the key
  const job = JSON.parse(await call("/v1/jobs", { json: SEEDREAM, headers: { "Idempotency-Key": "once" } })) as Json;
  await driveJob(h, job.id);
  const batch = JSON.parse(await call("/v1/batches", { json: { jobs: [SEEDREAM] } })) as Json;
  for (const path of [
    "/v1/keys",
    "/v1/keys/current",
    "/v1/jobs",
    `/v1/jobs/${job.id}`,
    `/v1/batches/${batch.id}`,
    "/v1/budget",
    "/v1/nothing",
  ])
    await call(path);
  await call("/v1/schedules", { json: { name: "x", cron: "0 3 * * *", batch: { jobs: [SEEDREAM] } } }); // 403: no schedules:write
  await call("/v1/jobs", { json: { model: "nope" } }); // 400
  await call(`/v1/keys/${made.id}`, { method: "DELETE" });
  await call("/v1/jobs"); // 401: revoked
  await call("/mcp", {
    json: { jsonrpc: "2.0", id: 1, method: "tools/list" },
    headers: { Accept: "application/json, text/event-stream" },
  });

  const stored = [
    await d1Text(),
    await objectText(env.JOBS.get(env.JOBS.idFromName(job.id))),
    await objectText(env.BATCHES.get(env.BATCHES.idFromName(batch.id))),
    await objectText(env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(`${tenant.tenant.id}:jobs:once`))),
    await objectText(env.BUDGETS.get(env.BUDGETS.idFromName(tenant.tenant.id))),
  ];
  // the scan sees what is there: the key's row (by its hash and prefix) and the job
  expect(stored[0]).toContain(made.id);
  expect(stored[0]).toContain(made.body.prefix);
  expect(stored[1]).toContain(job.id);
  expect(answers).toHaveLength(14);
  expect(answers.map((a) => Number(a.slice(0, 3)))).toEqual(
    expect.arrayContaining([202, 200, 204, 400, 401, 403, 404]),
  );
  expect(lines.length).toBeGreaterThan(10);
  for (const secret of secrets) {
    // the whole key, and the part after the shown prefix
    for (const needle of [secret, secret.slice(7)]) {
      for (const [i, text] of answers.entries())
        expect(text.includes(needle), `answer ${i}: ${text.slice(0, 120)}`).toBe(false);
      for (const [i, text] of stored.entries()) expect(text.includes(needle), `stored ${i}`).toBe(false);
      for (const line of lines) expect(line.includes(needle), line.slice(0, 200)).toBe(false);
    }
  }
  // API_KEYS tenants: the tenant id is a hash, never the key
  expect(stored[0]).not.toContain("test-key-a");
  expect(await rootTenantId("test-key-a")).toMatch(/^[0-9a-f]{32}$/);
});
