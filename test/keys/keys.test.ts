// /v1/keys: a key is shown once and stored as a hash, listed without its secret, refused from the
// next request on once revoked or expired, and a rotation (new key, old one revoked) loses nothing
// of the tenant: its jobs, schedules (which keep running) and batches.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect } from "vitest";
import { rootTenantId } from "../../src/keys/secrets.ts";
import { runDueSchedules } from "../../src/schedules/schedules.ts";
import { it } from "../support/fixture.ts";
import { api, createJob, KEY_A, KEY_B } from "../support/harness.ts";
import { ADMIN_KEY, type Json, makeKey, sleep } from "./support.ts";

const SEEDREAM = { model: "weshop/seedream", params: { textDescription: "a lighthouse" } };
const status = async (path: string, key: string) => (await api(path, { key })).status;

describe("a created key", () => {
  it("is sr_ + 40 base62 characters, shown once, listed with prefix, scopes and times but never its secret", async () => {
    const made = await makeKey(["read", "jobs:write"], { name: "ci", expiresAt: "2099-01-01T00:00:00Z" });
    expect(made.key).toMatch(/^sr_[0-9A-Za-z]{40}$/);
    expect(made.body).toMatchObject({
      name: "ci",
      scopes: ["read", "jobs:write"],
      prefix: made.key.slice(0, 7),
      lastUsedAt: null,
      expiresAt: "2099-01-01T00:00:00.000Z",
    });
    const list = await api("/v1/keys");
    const text = await list.text();
    expect(text).not.toContain(made.key);
    expect(text).not.toContain(made.key.slice(7));
    const listed = (JSON.parse(text) as Json).data.find((k: Json) => k.id === made.id);
    expect(listed).toEqual({ ...made.body, key: undefined, lastUsedAt: null });
    expect(Object.keys(listed)).not.toContain("key");
    // what the key itself sees
    const current = (await (await api("/v1/keys/current", { key: made.key })).json()) as Json;
    expect(current).toMatchObject({ id: made.id, name: "ci", scopes: ["read", "jobs:write"], root: false });
  });

  it("refuses bad bodies naming every field, and nothing is created", async () => {
    const before = ((await (await api("/v1/keys")).json()) as Json).data.length;
    const res = await api("/v1/keys", {
      json: { name: " ", scopes: ["read", "admin"], expiresAt: "2001-01-01T00:00:00Z", extra: 1 },
    });
    expect(res.status).toBe(400);
    const paths = ((await res.json()) as Json).errors.map((e: Json) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(["name", "scopes[1]"]));
    const past = await api("/v1/keys", { json: { name: "old", scopes: ["read"], expiresAt: "2001-01-01T00:00:00Z" } });
    expect(((await past.json()) as Json).errors).toEqual([{ path: "expiresAt", message: "must be in the future" }]);
    expect(((await (await api("/v1/keys")).json()) as Json).data.length).toBe(before);
  });

  it("records lastUsedAt to the minute", async () => {
    const made = await makeKey(["read"]);
    expect(await status("/v1/jobs", made.key)).toBe(200);
    let listed: Json | undefined;
    for (let i = 0; i < 50 && !listed?.lastUsedAt; i++) {
      await sleep(20);
      listed = ((await (await api("/v1/keys")).json()) as Json).data.find((k: Json) => k.id === made.id);
    }
    const at = Date.parse(listed!.lastUsedAt);
    expect(at % 60_000).toBe(0);
    expect(Date.now() - at).toBeLessThan(120_000);
  });

  it("an API_KEYS key keeps its tenant: the hash of the key, as before keys existed", async () => {
    const current = (await (await api("/v1/keys/current", { key: KEY_A })).json()) as Json;
    expect(current).toMatchObject({ id: null, root: true, tenant: await rootTenantId(KEY_A) });
  });
});

describe("revocation and expiry", () => {
  it("a revoked key is refused on the very next request; another tenant cannot revoke it", async () => {
    const made = await makeKey(["read"]);
    expect(await status("/v1/jobs", made.key)).toBe(200);
    expect((await api(`/v1/keys/${made.id}`, { method: "DELETE", key: KEY_B })).status).toBe(404);
    expect(await status("/v1/jobs", made.key)).toBe(200);
    expect((await api(`/v1/keys/${made.id}`, { method: "DELETE" })).status).toBe(204);
    const refused = await api("/v1/jobs", { key: made.key });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as Json).code).toBe("unauthorized");
    expect((await api(`/v1/keys/${made.id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("an expired key is refused; until then it works", async () => {
    const made = await makeKey(["read"], { expiresAt: new Date(Date.now() + 1500).toISOString() });
    expect(await status("/v1/jobs", made.key)).toBe(200);
    await sleep(1600);
    expect(await status("/v1/jobs", made.key)).toBe(401);
  });
});

describe("rotation", () => {
  it("a new key sees everything, the old key is revoked, and the tenant's schedule keeps running", async () => {
    // a tenant whose only key is a created one
    const created = (await (
      await api("/v1/admin/tenants", { key: ADMIN_KEY, json: { name: "rotating" } })
    ).json()) as Json;
    const oldKey = created.key as string;
    const job = await createJob(SEEDREAM, oldKey);
    const sched = (await (
      await api("/v1/schedules", {
        key: oldKey,
        json: { name: "nightly", cron: "0 3 * * *", batch: { jobs: [SEEDREAM] } },
      })
    ).json()) as Json;
    // rotate: a new key made by the old one, then the old one revoked with the new one
    const fresh = await makeKey(["read", "jobs:write", "schedules:write", "budget:write", "keys:write"], {
      by: oldKey,
      name: "rotated",
    });
    const oldId = ((await (await api("/v1/keys/current", { key: oldKey })).json()) as Json).id as string;
    expect((await api(`/v1/keys/${oldId}`, { method: "DELETE", key: fresh.key })).status).toBe(204);
    expect(await status("/v1/jobs", oldKey)).toBe(401);
    // the new key sees the job and the schedule
    expect(await status(`/v1/jobs/${job.id}`, fresh.key)).toBe(200);
    const jobs = ((await (await api("/v1/jobs", { key: fresh.key })).json()) as Json).data.map((j: Json) => j.id);
    expect(jobs).toContain(job.id);
    expect(await status(`/v1/schedules/${sched.id}`, fresh.key)).toBe(200);
    // the schedule runs under the tenant, not under a key
    await env.DB.prepare("UPDATE schedules SET next_run_at = ? WHERE id = ?")
      .bind(Date.now() - 1000, sched.id)
      .run();
    const [batchId] = await runDueSchedules(env, Date.now());
    expect(batchId).toBeDefined();
    await runInDurableObject(env.BATCHES.get(env.BATCHES.idFromName(batchId!)), (i) =>
      (i as unknown as { alarm(): Promise<void> }).alarm(),
    );
    const batch = (await (await api(`/v1/batches/${batchId}`, { key: fresh.key })).json()) as Json;
    expect(batch).toMatchObject({ scheduleId: sched.id, total: 1 });
    // and the old key still sees none of it
    expect(await status(`/v1/batches/${batchId}`, oldKey)).toBe(401);
  });
});
