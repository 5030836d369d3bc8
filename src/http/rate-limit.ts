// Per-key rate limit on the Workers Rate Limiting binding (wrangler.toml `[[ratelimits]]`
// RATE_LIMITER: 600 per 60 s). The binding's limit and period are fixed when the worker is
// deployed, so RATE_LIMIT_PER_MINUTE is applied as a weight: each request counts
// ceil(600 / RATE_LIMIT_PER_MINUTE) against the binding's 600 (one call with `delta`; where the
// runtime has no `delta`, as the local one, that many calls). docs/keys.md has the details.
import type { Context } from "hono";
import { RATE_LIMIT_BINDING_LIMIT, readRateLimit } from "../config.ts";
import { log } from "../lib/log.ts";
import { problem } from "../lib/problems.ts";
import type { AppEnv } from "./context.ts";

const PERIOD_S = 60;
const POLICY = "per-key";

/** False once this isolate's runtime refused `delta` (the local one): counted by repeated calls then. */
let deltaWorks = true;
let warnedUnbound = false;

async function allowed(limiter: RateLimit, key: string, weight: number): Promise<boolean> {
  if (weight === 1) return (await limiter.limit({ key })).success;
  if (deltaWorks) {
    try {
      return (await limiter.limit({ key, delta: weight })).success;
    } catch {
      deltaWorks = false;
    }
  }
  const outcomes = await Promise.all(Array.from({ length: weight }, () => limiter.limit({ key })));
  return outcomes.every((o) => o.success);
}

/** Throws 429 `rate_limited` when the key is over its limit; sets the draft RateLimit-Policy header. */
export async function enforceRateLimit(c: Context<AppEnv>, key: string): Promise<void> {
  const perMinute = readRateLimit(c.env);
  const limiter = (c.env as { RATE_LIMITER?: RateLimit }).RATE_LIMITER;
  if (perMinute === 0) return;
  if (!limiter) {
    if (!warnedUnbound) log("warn", "no RATE_LIMITER binding: requests are not rate limited");
    warnedUnbound = true;
    return;
  }
  const weight = Math.ceil(RATE_LIMIT_BINDING_LIMIT / perMinute);
  const effective = Math.floor(RATE_LIMIT_BINDING_LIMIT / weight);
  // draft-ietf-httpapi-ratelimit-headers: the policy on every answer, the state on a refusal
  const policy = `"${POLICY}";q=${effective};w=${PERIOD_S}`;
  c.header("RateLimit-Policy", policy);
  if (await allowed(limiter, key, weight)) return;
  // the binding counts in windows of the period; its reset is not reported, so the end of the current window is the estimate
  const retryAfter = Math.max(1, PERIOD_S - (Math.floor(Date.now() / 1000) % PERIOD_S));
  throw problem("rate_limited", {
    detail: `This key may make ${effective} requests a minute; retry after ${retryAfter} s.`,
    headers: {
      "Retry-After": String(retryAfter),
      "RateLimit-Policy": policy,
      RateLimit: `"${POLICY}";r=0;t=${retryAfter}`,
    },
  });
}
