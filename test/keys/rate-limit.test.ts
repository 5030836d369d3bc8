// Per-key rate limit on the RATE_LIMITER binding (wrangler.toml, run by the local runtime as in
// production): over RATE_LIMIT_PER_MINUTE a key gets 429 rate_limited with Retry-After and the
// draft RateLimit headers, other keys are not affected, and the key works again after Retry-After.
import { createExecutionContext, env } from "cloudflare:test";
import { expect, it } from "vitest";
import { buildApp } from "../../src/http/app.ts";
import { api, BASE, KEY_A, KEY_B } from "../support/harness.ts";
import { type Json, makeKey, sleep } from "./support.ts";

const PER_MINUTE = 6;
const app = buildApp();
const limited = { ...env, RATE_LIMIT_PER_MINUTE: String(PER_MINUTE) } as Env;
const get = (path: string, key: string | null) =>
  app.fetch(
    new Request(`${BASE}${path}`, { headers: key ? { Authorization: `Bearer ${key}` } : {} }),
    limited,
    createExecutionContext(),
  );

it("429 with Retry-After over the limit, per key, and recovery after Retry-After", { timeout: 120_000 }, async () => {
  // start early in a minute window, so the requests below all count in one
  const intoWindow = (Date.now() / 1000) % 60;
  if (intoWindow > 40) await sleep((61 - intoWindow) * 1000);
  const made = await makeKey(["read"]);
  for (let i = 0; i < PER_MINUTE; i++) {
    const res = await get("/v1/jobs", made.key);
    expect(res.status, `request ${i + 1}`).toBe(200);
    expect(res.headers.get("RateLimit-Policy")).toBe(`"per-key";q=${PER_MINUTE};w=60`);
  }
  const refused = await get("/v1/jobs", made.key);
  expect(refused.status).toBe(429);
  const body = (await refused.json()) as Json;
  expect(body).toMatchObject({ status: 429, code: "rate_limited" });
  const retryAfter = Number(refused.headers.get("Retry-After"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(refused.headers.get("RateLimit")).toBe(`"per-key";r=0;t=${retryAfter}`);
  // other keys, of the same tenant or another, have their own count
  expect((await get("/v1/jobs", KEY_A)).status).toBe(200);
  expect((await get("/v1/jobs", KEY_B)).status).toBe(200);
  // a wrong key is told 401, not 429; routes without a tenant's key are not counted
  expect((await get("/v1/jobs", "sr_0000000000000000000000000000000000000000")).status).toBe(401);
  expect((await get("/healthz", null)).status).toBe(200);
  // the limit is off in the rest of the suite (RATE_LIMIT_PER_MINUTE=0): the worker entry is not limited
  expect((await api("/v1/jobs", { key: made.key })).status).toBe(200);
  await sleep(retryAfter * 1000 + 500);
  expect((await get("/v1/jobs", made.key)).status).toBe(200);
});

it("RATE_LIMIT_PER_MINUTE: default 600, 0 turns it off, anything but 0 to 600 is refused by name", async () => {
  const { readConfig, readRateLimit } = await import("../../src/config.ts");
  const with_ = (v: string | undefined) => ({ ...env, RATE_LIMIT_PER_MINUTE: v }) as unknown as Env;
  expect(readRateLimit(with_(undefined))).toBe(600);
  expect(readRateLimit(with_(""))).toBe(600);
  expect(readRateLimit(with_("0"))).toBe(0);
  expect(readRateLimit(with_("120"))).toBe(120);
  for (const bad of ["601", "-1", "1.5", "lots"]) {
    const result = readConfig(with_(bad));
    expect(result.ok, bad).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.name)).toEqual(["RATE_LIMIT_PER_MINUTE"]);
    expect(JSON.stringify(result)).not.toContain(bad === "lots" ? "lots" : `"${bad}"`);
  }
});
