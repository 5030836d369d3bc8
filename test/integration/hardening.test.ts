// Hardening from the adversarial probe (issue 11): authentication before configuration details,
// nosniff everywhere, a strict JSON content type, explicit development mode, scrubbed provider text.
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/http/app.ts";
import { readConfig } from "../../src/config.ts";
import { providerFor } from "../../src/providers/index.ts";
import { MODELS } from "../../src/providers/models.ts";
import { signMediaUrl } from "../../src/media/links.ts";
import { TEST_BINDINGS } from "../support/bindings.ts";
import { BASE, KEY_A, startHarness, type Harness } from "../support/harness.ts";

let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  await h.stop();
});

const app = buildApp();
/** The worker's app under `overrides` of the test settings (undefined removes one). */
async function call(path: string, overrides: Partial<Record<keyof Env, string | undefined>> = {}, init: RequestInit = {}): Promise<Response> {
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
    const media = new URL(await signMediaUrl(TEST_BINDINGS.SIGNING_SECRET, BASE, "jobs/job_nosecret/0.png", Math.floor(Date.now() / 1000) + 60));
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
    const media = new URL(await signMediaUrl(TEST_BINDINGS.SIGNING_SECRET, BASE, "jobs/job_nosniff/0.png", Math.floor(Date.now() / 1000) + 60));
    const answers = await Promise.all([
      call("/v1/jobs", {}, { headers: bearer(KEY_A) }),
      call("/v1/jobs"),
      call("/v1/nothing-here", {}, { headers: bearer(KEY_A) }),
      call("/v1/jobs", {}, { method: "POST", headers: { ...bearer(KEY_A), "Content-Type": "application/json" }, body: "{" }),
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
    const res = await call("/v1/jobs", {}, { method: "POST", headers: { ...bearer(KEY_A), "Content-Type": type }, body: "{}" });
    expect(res.status).toBe(status);
  });
});

describe("development mode is SEEDRUN_DEV=1, nothing else", () => {
  const body = JSON.stringify({ model: "weshop/seedream", params: { textDescription: "a fox" }, webhookUrl: "http://127.0.0.1:9999/hook" });
  const post = (overrides: Partial<Record<keyof Env, string | undefined>>) =>
    call("/v1/jobs", overrides, { method: "POST", headers: { ...bearer(KEY_A), "Content-Type": "application/json" }, body });

  it("without it a loopback webhookUrl is refused by path, even with loopback provider URLs; with it, accepted", async () => {
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
        body: JSON.stringify({ model: "weshop/seedance", params: { textDescription: "a wave", images: ["http://localhost:8790/files/a.png"] } }),
      },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(["params.images[0]"]);
  });
});

describe("provider texts stored on jobs carry no provider secret", () => {
  it("a WeShop error echoing the key, and a Wiro failure echoing key and secret, come back scrubbed", async () => {
    const config = readConfig(env);
    if (!config.ok) throw new Error("test settings invalid");
    const echo =
      (body: unknown, status = 400) =>
      async () =>
        new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
    const weshop = providerFor(
      MODELS["weshop/seedream"],
      config.config,
      echo({
        success: false,
        error: { code: `BAD_${TEST_BINDINGS.WESHOP_API_KEY}`, message: `key ${TEST_BINDINGS.WESHOP_API_KEY} refused`, retryable: false },
      }),
    );
    if (!weshop.ok) throw new Error("no provider");
    const submitted = await weshop.provider.submit({ jobId: "job_x", params: { textDescription: "x" } });
    expect(submitted.ok).toBe(false);
    expect(JSON.stringify(submitted)).not.toContain(TEST_BINDINGS.WESHOP_API_KEY);
    expect(JSON.stringify(submitted)).toContain("[redacted]");

    const wiro = providerFor(
      MODELS["wiro/ByteDance/text-to-video-seedance-v1"],
      config.config,
      echo({ result: false, errors: [{ code: 97, message: `auth ${TEST_BINDINGS.WIRO_API_KEY} / ${TEST_BINDINGS.WIRO_API_SECRET}` }] }, 200),
    );
    if (!wiro.ok) throw new Error("no provider");
    const failed = await wiro.provider.submit({ jobId: "job_x", params: { prompt: "x" } });
    expect(failed.ok).toBe(false);
    const text = JSON.stringify(failed);
    expect(text).not.toContain(TEST_BINDINGS.WIRO_API_KEY);
    expect(text).not.toContain(TEST_BINDINGS.WIRO_API_SECRET);
  });

  it("a WeShop run reported Cancelled with a reason echoing the key comes back scrubbed", async () => {
    const config = readConfig(env);
    if (!config.ok) throw new Error("test settings invalid");
    const run = { executions: [{ executionId: "e1", status: "Cancelled", error: `stopped for key ${TEST_BINDINGS.WESHOP_API_KEY}`, result: [] }] };
    const answer = async () => new Response(JSON.stringify({ success: true, data: run }), { headers: { "Content-Type": "application/json" } });
    const weshop = providerFor(MODELS["weshop/seedream"], config.config, answer);
    if (!weshop.ok) throw new Error("no provider");
    const polled = await weshop.provider.poll({ taskId: "e1" });
    expect(polled).toMatchObject({ ok: true, value: { state: "canceled" } });
    expect(JSON.stringify(polled)).not.toContain(TEST_BINDINGS.WESHOP_API_KEY);
    expect(JSON.stringify(polled)).toContain("[redacted]");
  });
});
