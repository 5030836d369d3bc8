// Settings from wrangler vars/secrets, checked by one zod schema. Problems are reported by
// variable name, never by value, and provider base URLs may only point at the real provider
// or at a loopback simulator, so a key can never be sent anywhere else.
import { z } from "zod";
import { isLoopbackHost } from "./lib/url-policy.ts";
import { webhookKey } from "./lib/webhook-key.ts";

export const WESHOP_DEFAULT_BASE_URL = "https://openapi.weshop.ai/openapi";
export const WIRO_DEFAULT_BASE_URL = "https://api.wiro.ai/v1";

export interface ProviderEndpoint {
  baseUrl: string;
  /** True when the base URL is a loopback simulator (local development and tests). */
  loopback: boolean;
}

export interface Config {
  apiKeys: string[];
  signingSecret: string;
  weshop: ProviderEndpoint & { apiKey?: string };
  wiro: ProviderEndpoint & { apiKey?: string; apiSecret?: string };
  publicBaseUrl?: string;
  webhookSecret?: string;
  /**
   * SEEDRUN_DEV=1 (set by `npm start` and the tests): loopback http(s) URLs are then accepted as
   * image, webhook and output URLs. Never inferred from other settings.
   */
  devMode: boolean;
  providerTimeoutMs: number;
  mediaTimeoutMs: number;
  webhookTimeoutMs: number;
  /** How many provider tasks may run at once, across all jobs. */
  maxConcurrency: { weshop: number; wiro: number };
  /** WIRO_PRICE_TABLE: USD per Wiro run by input values, in the form of Wiro's `dynamicprice`. */
  wiroPrices: PriceEntry[];
  /** Requests per minute per key (0: no limit). */
  rateLimitPerMinute: number;
}

/** One row of a price table: the price applies when every listed input has that value (`{}`: always). */
export interface PriceEntry {
  inputs: Record<string, string>;
  price: number;
}

const priceTable = z
  .string()
  .optional()
  .transform((v, ctx): PriceEntry[] => {
    if (!v || v.trim() === "") return [];
    const entry = z.object({
      inputs: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).default({}),
      price: z.number().finite().nonnegative(),
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      parsed = undefined;
    }
    const table = z.array(entry).safeParse(parsed);
    if (!table.success) {
      ctx.addIssue({
        code: "custom",
        message:
          'WIRO_PRICE_TABLE must be a JSON array like [{"inputs":{"resolution":"720p","duration":"5"},"price":0.13}]',
      });
      return z.NEVER;
    }
    return table.data;
  });

export interface ConfigProblem {
  name: string;
  message: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

function baseUrl(name: string, official: string) {
  return z
    .string()
    .trim()
    .optional()
    .transform((value, ctx): ProviderEndpoint => {
      if (!value || value.replace(/\/+$/, "") === official) return { baseUrl: official, loopback: false };
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: "custom", message: `${name} is not a valid URL` });
        return z.NEVER;
      }
      const loopback =
        url.protocol === "http:" && isLoopbackHost(url.hostname) && url.port !== "" && !url.username && !url.password;
      if (!loopback) {
        ctx.addIssue({
          code: "custom",
          message: `${name} may only be ${official} or a loopback simulator (http://127.0.0.1:PORT/… or http://localhost:PORT/…); refusing to send provider keys elsewhere`,
        });
        return z.NEVER;
      }
      return { baseUrl: value.replace(/\/+$/, ""), loopback: true };
    });
}

const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== "" ? v.trim() : undefined));

/** A whole number setting with a default, refused by name when out of range. */
function wholeNumber(fallback: number, max: number, message: string) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0 || n > max) {
        ctx.addIssue({ code: "custom", message });
        return z.NEVER;
      }
      return n;
    });
}
const positiveMs = (fallback: number) =>
  wholeNumber(fallback, Number.MAX_SAFE_INTEGER, "must be a positive integer number of milliseconds");
const positiveInt = (fallback: number) => wholeNumber(fallback, 10_000, "must be a whole number from 1 to 10000");

export const DEFAULT_RATE_LIMIT = 600;
/** wrangler.toml's `[[ratelimits]]` RATE_LIMITER `simple.limit` (per 60 s): change both together. */
export const RATE_LIMIT_BINDING_LIMIT = 600;

const schema = z.object({
  API_KEYS: z
    .string({ error: "API_KEYS is not set" })
    .transform((v) =>
      v
        .split(",")
        .map((k) => k.trim())
        .filter((k) => k !== ""),
    )
    .refine((keys) => keys.length > 0, "API_KEYS must list at least one key"),
  SIGNING_SECRET: z
    .string({ error: "SIGNING_SECRET is not set" })
    .min(16, "SIGNING_SECRET must be at least 16 characters"),
  WESHOP_API_KEY: optionalSecret,
  WIRO_API_KEY: optionalSecret,
  WIRO_API_SECRET: optionalSecret,
  WESHOP_BASE_URL: baseUrl("WESHOP_BASE_URL", WESHOP_DEFAULT_BASE_URL),
  WIRO_BASE_URL: baseUrl("WIRO_BASE_URL", WIRO_DEFAULT_BASE_URL),
  PUBLIC_BASE_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      try {
        const url = new URL(v);
        // callback URLs carry each job's secret token: plain http only where it never leaves the machine
        if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) throw new Error();
        return url.origin;
      } catch {
        ctx.addIssue({
          code: "custom",
          message: "PUBLIC_BASE_URL must be an https origin (http only for 127.0.0.1 or localhost)",
        });
        return z.NEVER;
      }
    }),
  WEBHOOK_SECRET: optionalSecret.refine(
    (v) => v === undefined || webhookKey(v) !== null,
    "WEBHOOK_SECRET must be a whsec_ secret (whsec_ followed by base64 of at least 16 bytes)",
  ),
  PROVIDER_TIMEOUT_MS: positiveMs(15_000),
  MEDIA_TIMEOUT_MS: positiveMs(300_000),
  WEBHOOK_TIMEOUT_MS: positiveMs(10_000),
  WESHOP_MAX_CONCURRENCY: positiveInt(10),
  WIRO_MAX_CONCURRENCY: positiveInt(3),
  WIRO_PRICE_TABLE: priceTable,
  // requests per minute per key; 0 turns the limit off (tests, private deployments)
  RATE_LIMIT_PER_MINUTE: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return DEFAULT_RATE_LIMIT;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > RATE_LIMIT_BINDING_LIMIT) {
        ctx.addIssue({
          code: "custom",
          message: `RATE_LIMIT_PER_MINUTE must be a whole number from 0 (off) to ${RATE_LIMIT_BINDING_LIMIT} (the RATE_LIMITER binding's limit in wrangler.toml)`,
        });
        return z.NEVER;
      }
      return n;
    }),
  ADMIN_API_KEY: optionalSecret,
  // a typo such as "true" must not silently leave development mode off (or on): only 1 or 0
  SEEDRUN_DEV: z.enum(["0", "1", ""], { error: "SEEDRUN_DEV must be 1 (development mode) or 0 / unset" }).optional(),
});

/** Every setting the worker reads (vars and secrets), as docs/configuration.md must list them. */
export const SETTING_NAMES = Object.keys(schema.shape) as (keyof typeof schema.shape)[];

let apiKeysCache: { raw: unknown; keys: string[] | undefined } | undefined;

/** API_KEYS alone, so a client can be authenticated before the rest is checked; undefined when unusable. Parsed once per value. */
export function readApiKeys(env: Env): string[] | undefined {
  if (apiKeysCache && apiKeysCache.raw === env.API_KEYS) return apiKeysCache.keys;
  const parsed = schema.shape.API_KEYS.safeParse(env.API_KEYS);
  apiKeysCache = { raw: env.API_KEYS, keys: parsed.success ? parsed.data : undefined };
  return apiKeysCache.keys;
}

/** RATE_LIMIT_PER_MINUTE alone (read before the rest is checked); the default when unusable, which /healthz reports. */
export function readRateLimit(env: Env): number {
  const parsed = schema.shape.RATE_LIMIT_PER_MINUTE.safeParse(
    (env as { RATE_LIMIT_PER_MINUTE?: string }).RATE_LIMIT_PER_MINUTE,
  );
  return parsed.success ? parsed.data : DEFAULT_RATE_LIMIT;
}

/** ADMIN_API_KEY alone: undefined when unset (the admin routes then do not exist). */
export function readAdminKey(env: Env): string | undefined {
  const parsed = schema.shape.ADMIN_API_KEY.safeParse((env as { ADMIN_API_KEY?: string }).ADMIN_API_KEY);
  return parsed.success ? parsed.data : undefined;
}

/** SIGNING_SECRET alone, for the media route, which runs without the rest; undefined when unusable. */
export function readSigningSecret(env: { SIGNING_SECRET?: string }): string | undefined {
  const parsed = schema.shape.SIGNING_SECRET.safeParse(env.SIGNING_SECRET);
  return parsed.success ? parsed.data : undefined;
}

const cache = new WeakMap<object, ConfigResult>();
/** The last settings parsed, by their values: a runtime that hands each request a new env object with the same settings parses them once. */
let lastParsed: { values: unknown[]; result: ConfigResult } | undefined;

/** Parsed once per env (and once per set of values): every request used to pay a zod parse of every setting. */
export function readConfig(env: Env): ConfigResult {
  const cached = cache.get(env);
  if (cached) return cached;
  const values = SETTING_NAMES.map((name) => (env as unknown as Record<string, unknown>)[name]);
  if (lastParsed?.values.every((v, i) => v === values[i])) {
    cache.set(env, lastParsed.result);
    return lastParsed.result;
  }
  const parsed = schema.safeParse(env);
  let result: ConfigResult;
  if (!parsed.success) {
    result = {
      ok: false,
      // zod messages here are ours and never echo the value
      problems: parsed.error.issues.map((i) => ({ name: String(i.path[0] ?? "config"), message: i.message })),
    };
  } else {
    const e = parsed.data;
    result = {
      ok: true,
      config: {
        apiKeys: e.API_KEYS,
        signingSecret: e.SIGNING_SECRET,
        weshop: { ...e.WESHOP_BASE_URL, apiKey: e.WESHOP_API_KEY },
        wiro: { ...e.WIRO_BASE_URL, apiKey: e.WIRO_API_KEY, apiSecret: e.WIRO_API_SECRET },
        publicBaseUrl: e.PUBLIC_BASE_URL,
        webhookSecret: e.WEBHOOK_SECRET,
        devMode: e.SEEDRUN_DEV === "1",
        providerTimeoutMs: e.PROVIDER_TIMEOUT_MS,
        mediaTimeoutMs: e.MEDIA_TIMEOUT_MS,
        webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS,
        maxConcurrency: { weshop: e.WESHOP_MAX_CONCURRENCY, wiro: e.WIRO_MAX_CONCURRENCY },
        wiroPrices: e.WIRO_PRICE_TABLE,
        rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      },
    };
  }
  cache.set(env, result);
  lastParsed = { values, result };
  return result;
}
