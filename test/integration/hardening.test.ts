// Hardening from the adversarial probe (issue 11), part one: authentication before configuration
// details, nosniff everywhere, a strict JSON content type, explicit development mode, and the
// schedule cap holding under concurrent creates (a RELIABILITY.md row, its figure asserted here).
// Part two, hardening-probes.test.ts: scrubbed provider text, /media conditionals, forged callbacks.

import { env } from "cloudflare:test";
import { describe, expect } from "vitest";
import { buildApp } from "../../src/http/app.ts";
import { sha256Hex } from "../../src/lib/crypto.ts";
import { signMediaUrl } from "../../src/media/links.ts";
import { MAX_SCHEDULES_PER_CLIENT } from "../../src/schemas/schedule-view.ts";
import { cancelOpenJobs } from "../reliability/support.ts";
import { TEST_BINDINGS } from "../support/bindings.ts";
import { it } from "../support/fixture.ts";
import { api, BASE, KEY_A } from "../support/harness.ts";

it.afterEach(async ({ h }) => {
  await cancelOpenJobs(h);
});

const app = buildApp();
/** The worker's app under `overrides` of the test settings (undefined removes one). */
async function call(
  path: string,
  overrides: Partial<Record<keyof Env, string | undefined>> = {},
  init: RequestInit = {},
): Promise<Response> {
  return app.fetch(new Request(`${BASE}${path}`, init), { ...env, ...overrides } as Env);
}
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

describe("authentication comes before configuration details", () => {
  const BROKEN = { SIGNING_SECRET: "short", WEBHOOK_SECRET: "not-a-whsec" };

  it("an unauthenticated caller gets 401 and learns no setting names; an authenticated one is told which", async () => {
    for (const headers of [{}, bearer("wrong-key")]) {
      const res = await call("/v1/jobs", BROKEN, { headers });
      expect(res.status).toBe(401);
      const text = await res.text();
      for (const name of ["SIGNING_SECRET", "WEBHOOK_SECRET", "API_KEYS"]) expect(text).not.toContain(name);
    }
    const authed = await call("/v1/jobs", BROKEN, { headers: bearer(KEY_A) });
    expect(authed.status).toBe(500);
    const body = (await authed.json()) as { code: string; detail: string };
    expect(body.code).toBe("configuration_error");
    expect(body.detail).toContain("SIGNING_SECRET");
    expect(body.detail).toContain("WEBHOOK_SECRET");
  });

  it("without a usable API_KEYS nobody is authenticated: a configuration error naming no setting, whatever key is sent", async () => {
    for (const keys of [undefined, " , "]) {
      for (const headers of [{}, bearer(KEY_A)]) {
        const res = await call("/v1/jobs", { API_KEYS: keys, SIGNING_SECRET: undefined }, { headers });
        expect(res.status).toBe(500);
        const text = await res.text();
        expect(JSON.parse(text)).toMatchObject({ code: "configuration_error" });
        for (const name of ["API_KEYS", "SIGNING_SECRET"]) expect(text).not.toContain(name);
      }
    }
  });

  it("a media viewer is never told a setting name when SIGNING_SECRET is missing or too short", async () => {
    await env.MEDIA.put("jobs/job_nosecret/0.png", new Uint8Array([1, 2, 3]));
    const media = new URL(
      await signMediaUrl(
        TEST_BINDINGS.SIGNING_SECRET,
        BASE,
        "jobs/job_nosecret/0.png",
        Math.floor(Date.now() / 1000) + 60,
      ),
    );
    for (const secret of [undefined, "short"]) {
      const res = await call(media.pathname + media.search, { SIGNING_SECRET: secret });
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ code: "configuration_error" });
      expect(text).not.toContain("SIGNING_SECRET");
    }
  });

  it("GET /healthz still names the settings", async () => {
    const res = await call("/healthz", { API_KEYS: undefined });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ problems: ["API_KEYS"] });
  });
});

describe("X-Content-Type-Options: nosniff on every response", () => {
  it("success, 401, 404, 400, 415, health, docs and media (served and refused)", async () => {
    await env.MEDIA.put("jobs/job_nosniff/0.png", new Uint8Array([1, 2, 3]));
    const media = new URL(
      await signMediaUrl(
        TEST_BINDINGS.SIGNING_SECRET,
        BASE,
        "jobs/job_nosniff/0.png",
        Math.floor(Date.now() / 1000) + 60,
      ),
    );
    const answers = await Promise.all([
      call("/v1/jobs", {}, { headers: bearer(KEY_A) }),
      call("/v1/jobs"),
      call("/v1/nothing-here", {}, { headers: bearer(KEY_A) }),
      call(
        "/v1/jobs",
        {},
        { method: "POST", headers: { ...bearer(KEY_A), "Content-Type": "application/json" }, body: "{" },
      ),
      call("/v1/jobs", {}, { method: "POST", headers: { ...bearer(KEY_A), "Content-Type": "text/plain" }, body: "{}" }),
      call("/healthz"),
      call("/openapi.json"),
      call(media.pathname + media.search),
      call(`${media.pathname}?expires=1&sig=x`),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 401, 404, 400, 415, 200, 200, 200, 403]);
    for (const res of answers) {
      expect(res.headers.get("X-Content-Type-Options"), res.url).toBe("nosniff");
      await res.arrayBuffer();
    }
  });
});

describe("JSON request bodies", () => {
  it.each([
    ["application/json-seq", 415],
    ["application/jsonx", 415],
    ["application/json; charset=utf-8", 400],
    ["application/merge-patch+json", 400],
    ["application/json", 400],
  ])("Content-Type %s answers %i", async (type, status) => {
    // a body that parses but is not a job: 400 proves it was read as JSON, 415 that it was not
    const res = await call(
      "/v1/jobs",
      {},
      { method: "POST", headers: { ...bearer(KEY_A), "Content-Type": type }, body: "{}" },
    );
    expect(res.status).toBe(status);
  });
});

describe("development mode is SEEDRUN_DEV=1, nothing else", () => {
  const body = JSON.stringify({
    model: "weshop/seedream",
    params: { textDescription: "a fox" },
    webhookUrl: "http://127.0.0.1:9999/hook",
  });
  const post = (overrides: Partial<Record<keyof Env, string | undefined>>) =>
    call("/v1/jobs", overrides, {
      method: "POST",
      headers: { ...bearer(KEY_A), "Content-Type": "application/json" },
      body,
    });

  it("without it a loopback webhookUrl is refused by path, even with loopback provider URLs; with it, accepted", async ({
    h,
  }) => {
    // the test settings point both providers at the loopback simulator
    expect(TEST_BINDINGS.WESHOP_BASE_URL.startsWith("http://127.0.0.1:")).toBe(true);
    for (const overrides of [{ SEEDRUN_DEV: undefined }, { SEEDRUN_DEV: "0" }]) {
      const res = await post(overrides);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(["webhookUrl"]);
    }
    const accepted = await post({});
    expect(accepted.status).toBe(202);
    h.jobs.push(((await accepted.json()) as { id: string }).id);
  });

  it("a loopback image URL is likewise refused without it", async () => {
    const res = await call(
      "/v1/jobs",
      { SEEDRUN_DEV: undefined },
      {
        method: "POST",
        headers: { ...bearer(KEY_A), "Content-Type": "application/json" },
        body: JSON.stringify({
          model: "weshop/seedance",
          params: { textDescription: "a wave", images: ["http://localhost:8790/files/a.png"] },
        }),
      },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      "params.images[0]",
    ]);
  });
});

describe("schedule cap under concurrent creates", () => {
  const CONCURRENT = 20;
  const BATCH = { jobs: [{ model: "weshop/seedream", params: { textDescription: "nightly" } }] };

  it(`${MAX_SCHEDULES_PER_CLIENT - 5} schedules + ${CONCURRENT} creates at once: exactly 5 created, the count never passes ${MAX_SCHEDULES_PER_CLIENT}`, async () => {
    await env.DB.exec("DELETE FROM schedules");
    const tenant = (await sha256Hex(`tenant:${KEY_A}`)).slice(0, 32);
    const now = Date.now();
    const existing = Array.from({ length: MAX_SCHEDULES_PER_CLIENT - 5 }, (_, i) =>
      env.DB.prepare(
        "INSERT INTO schedules (id, tenant, name, cron, timezone, batch, origin, enabled, next_run_at, created_at, updated_at) VALUES (?, ?, 'old', '0 3 * * *', 'UTC', ?, ?, 0, NULL, ?, ?)",
      ).bind(`sched_${String(i).padStart(20, "0")}`, tenant, JSON.stringify(BATCH), BASE, now, now),
    );
    await env.DB.batch(existing);
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        api("/v1/schedules", { json: { name: `new ${i}`, cron: "0 3 * * *", batch: BATCH } }),
      ),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(5).fill(201), ...Array(CONCURRENT - 5).fill(422)]);
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM schedules WHERE tenant = ?")
      .bind(tenant)
      .first<{ n: number }>();
    expect(count?.n).toBe(MAX_SCHEDULES_PER_CLIENT);
    await env.DB.exec("DELETE FROM schedules");
  });
});
