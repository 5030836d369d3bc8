import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readConfig, WESHOP_DEFAULT_BASE_URL } from "../../src/config.ts";

const base = { JOBS: env.JOBS, MEDIA: env.MEDIA, API_KEYS: "k1, k2", SIGNING_SECRET: "s".repeat(32) } as Env;
const problems = (e: Partial<Env>) => {
  const r = readConfig({ ...base, ...e } as Env);
  return r.ok ? [] : r.problems;
};

describe("configuration", () => {
  it("defaults provider URLs to the real hosts", () => {
    const r = readConfig({ ...base } as Env);
    expect(r.ok && r.config.weshop).toEqual({ baseUrl: WESHOP_DEFAULT_BASE_URL, loopback: false });
    expect(r.ok && r.config.apiKeys).toEqual(["k1", "k2"]);
    expect(r.ok && r.config.devMode).toBe(false);
  });
  it("accepts a loopback simulator without turning development mode on", () => {
    const r = readConfig({
      ...base,
      WESHOP_BASE_URL: "http://127.0.0.1:8790/weshop/openapi/",
      WIRO_BASE_URL: "http://localhost:9000/wiro/v1",
    } as Env);
    expect(r.ok && r.config.weshop).toEqual({ baseUrl: "http://127.0.0.1:8790/weshop/openapi", loopback: true });
    expect(r.ok && r.config.devMode).toBe(false);
  });
  it("development mode is SEEDRUN_DEV=1 only; a value other than 1 / 0 is refused by name", () => {
    const on = readConfig({ ...base, SEEDRUN_DEV: "1" } as Env);
    expect(on.ok && on.config.devMode).toBe(true);
    const off = readConfig({ ...base, SEEDRUN_DEV: "0" } as Env);
    expect(off.ok && off.config.devMode).toBe(false);
    expect(problems({ SEEDRUN_DEV: "true" }).map((x) => x.name)).toEqual(["SEEDRUN_DEV"]);
  });
  it.each([
    "https://evil.example/openapi",
    "https://openapi.weshop.ai.evil.example/openapi",
    "http://openapi.weshop.ai/openapi",
    "http://10.0.0.5:8790/",
    "http://127.0.0.1.nip.io:8790/",
    "http://user:pw@127.0.0.1:8790/",
    "not a url",
  ])("refuses WESHOP_BASE_URL=%s by name, without echoing the value", (value) => {
    const p = problems({ WESHOP_BASE_URL: value, WESHOP_API_KEY: "secret-weshop-key" });
    expect(p.map((x) => x.name)).toEqual(["WESHOP_BASE_URL"]);
    expect(JSON.stringify(p)).not.toContain(value);
    expect(JSON.stringify(p)).not.toContain("secret-weshop-key");
  });
  it("applies the same rule to WIRO_BASE_URL", () => {
    expect(problems({ WIRO_BASE_URL: "https://api.wiro.ai.example/v1" }).map((x) => x.name)).toEqual(["WIRO_BASE_URL"]);
    expect(problems({ WIRO_BASE_URL: "http://localhost:9000/wiro/v1" })).toEqual([]);
  });
  it("names every missing required setting", () => {
    const r = readConfig({ JOBS: env.JOBS, MEDIA: env.MEDIA } as Env);
    expect(r.ok ? [] : r.problems.map((p) => p.name).sort()).toEqual(["API_KEYS", "SIGNING_SECRET"]);
  });
});

describe("PUBLIC_BASE_URL", () => {
  it.each(["https://seedrun.example.com", "http://127.0.0.1:8787", "http://localhost:8787"])("accepts %s", (value) => {
    expect(problems({ PUBLIC_BASE_URL: value })).toEqual([]);
  });
  // callback URLs carry each job's token: never over plain http across a network
  // [::1] is not a loopback host anywhere (not for provider URLs nor in development mode), so not here either
  it.each([
    "http://seedrun.example.com",
    "http://10.0.0.5:8787",
    "http://[::1]:8787",
    "ftp://seedrun.example.com",
    "seedrun.example.com",
  ])("refuses %s by name", (value) => {
    const p = problems({ PUBLIC_BASE_URL: value });
    expect(p.map((x) => x.name)).toEqual(["PUBLIC_BASE_URL"]);
    expect(JSON.stringify(p)).not.toContain(value);
  });
});
