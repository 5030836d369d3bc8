// /v1/admin/tenants: only with ADMIN_API_KEY (else the routes do not exist), only for that key.
// Disabling a tenant refuses its keys from the next request, pauses its schedules and cancels its
// unfinished jobs the way a client's cancel does: a running Wiro task is stopped at the simulator.
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect } from "vitest";
import { buildApp } from "../../src/http/app.ts";
import { rootTenantId } from "../../src/keys/secrets.ts";
import { firstStep } from "../reliability/steps.ts";
import { requestsTo } from "../reliability/support.ts";
import { it } from "../support/fixture.ts";
import { api, BASE, createJob, fireFollowUp, KEY_A, KEY_B, storedJob } from "../support/harness.ts";
import { ADMIN_KEY, type Json } from "./support.ts";

const WIRO = { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle" } };
const admin = (path: string, json?: unknown) => api(path, { key: ADMIN_KEY, ...(json !== undefined ? { json } : {}) });

describe("who may call the admin routes", () => {
  it("without ADMIN_API_KEY they answer 404 (they do not exist), whatever the key", async () => {
    const app = buildApp();
    const noAdmin = { ...env, ADMIN_API_KEY: undefined } as unknown as Env;
    for (const [method, path] of [
      ["GET", "/v1/admin/tenants"],
      ["POST", "/v1/admin/tenants"],
      ["POST", "/v1/admin/tenants/9c1e5a7b3d2f4e6a8b0c1d2e3f4a5b6c/disable"],
    ] as const)
      for (const key of [ADMIN_KEY, KEY_A]) {
        const res = await app.fetch(
          new Request(`${BASE}${path}`, { method, headers: { Authorization: `Bearer ${key}` } }),
          noAdmin,
          createExecutionContext(),
        );
        expect(res.status, `${method} ${path}`).toBe(404);
      }
  });

  it("with it, a tenant's key is refused (401) and the admin key is no tenant's key", async () => {
    expect((await api("/v1/admin/tenants", { key: KEY_A })).status).toBe(401);
    expect((await api("/v1/admin/tenants", { key: null })).status).toBe(401);
    expect((await api("/v1/jobs", { key: ADMIN_KEY })).status).toBe(401);
    expect((await admin("/v1/admin/tenants")).status).toBe(200);
  });
});

describe("tenants", () => {
  it("creates a tenant with a root key of every scope; lists it with the API_KEYS tenants, naming no key", async () => {
    const res = await admin("/v1/admin/tenants", { name: "Acme" });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Json;
    expect(created.tenant).toMatchObject({ name: "Acme", disabledAt: null });
    expect(created.key).toMatch(/^sr_[0-9A-Za-z]{40}$/);
    const current = (await (await api("/v1/keys/current", { key: created.key })).json()) as Json;
    expect(current).toMatchObject({
      tenant: created.tenant.id,
      scopes: ["read", "jobs:write", "schedules:write", "budget:write", "keys:write"],
    });
    // the new tenant sees nothing of another's
    expect(((await (await api("/v1/jobs", { key: created.key })).json()) as Json).data).toEqual([]);
    const text = await (await admin("/v1/admin/tenants")).text();
    for (const secret of [KEY_A, KEY_B, created.key]) expect(text).not.toContain(secret);
    const list = (JSON.parse(text) as Json).data as Json[];
    expect(list.map((t) => t.id)).toEqual(
      expect.arrayContaining([created.tenant.id, await rootTenantId(KEY_A), await rootTenantId(KEY_B)]),
    );
    const tenantA = await rootTenantId(KEY_A);
    expect(list.find((t) => t.id === tenantA)?.source).toBe("api_keys");
    expect((await admin("/v1/admin/tenants", { name: "" })).status).toBe(400);
  });

  it("disabling refuses its keys, pauses its schedules and stops its Wiro task at Wiro", async ({ h }) => {
    const { tenant, key } = (await (await admin("/v1/admin/tenants", { name: "Leaving" })).json()) as Json;
    const { id } = await createJob(WIRO, key);
    expect((await firstStep(id)).status).toBe("running");
    const sched = (await (
      await api("/v1/schedules", { key, json: { name: "nightly", cron: "0 3 * * *", batch: { jobs: [WIRO] } } })
    ).json()) as Json;
    expect(sched.enabled).toBe(true);

    const res = await admin(`/v1/admin/tenants/${tenant.id}/disable`, {});
    expect(res.status).toBe(200);
    expect((await res.json()) as Json).toMatchObject({ id: tenant.id, jobsCanceled: 1 });
    // its key, from the next request on
    expect((await api("/v1/jobs", { key })).status).toBe(401);
    const row = await env.DB.prepare("SELECT enabled, next_run_at FROM schedules WHERE id = ?")
      .bind(sched.id)
      .first<Json>();
    expect(row).toEqual({ enabled: 0, next_run_at: null });
    // the job is canceled, and its follow-up stops the task at the provider
    expect((await storedJob(id)).status).toBe("canceled");
    const job = await fireFollowUp(id);
    const stops = [...requestsTo(h, "wiro.cancel"), ...requestsTo(h, "wiro.kill")].map(
      (r) => JSON.parse(r.body) as Json,
    );
    expect(stops).toEqual([{ taskid: job.task!.taskId }]);
    expect(job.stop?.confirmed).toBe(true);
    expect(h.sim.tasks()[0]).toBeDefined();
    // an unknown tenant
    expect((await admin("/v1/admin/tenants/00000000000000000000000000000000/disable", {})).status).toBe(404);
  });

  it("an API_KEYS tenant can be disabled too: its root key is refused", async () => {
    const id = await rootTenantId(KEY_B);
    try {
      expect((await admin(`/v1/admin/tenants/${id}/disable`, {})).status).toBe(200);
      expect((await api("/v1/jobs", { key: KEY_B })).status).toBe(401);
      expect((await api("/v1/jobs", { key: KEY_A })).status).toBe(200);
    } finally {
      await env.DB.prepare("UPDATE tenants SET disabled_at = NULL WHERE id = ?").bind(id).run();
    }
  });
});
