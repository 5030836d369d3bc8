// Quotes: what a job would cost, before anything is created. WeShop quotes itself (its power
// estimate; an approximate one is reserved at its longest run's quote); Wiro is priced from WIRO_PRICE_TABLE, refined by what recent runs of the same price
// key actually cost. Specs of one price key are quoted once per request; WeShop's quotes are
// cached for a while.

import type { Config, PriceEntry } from "../config.ts";
import { recentActuals } from "../db/usage.ts";
import type { CostEstimate } from "../jobs/record.ts";
import { errorMessage } from "../lib/error-message.ts";
import { log } from "../lib/log.ts";
import { MODELS, type ModelId } from "../providers/models.ts";
import { weshopPowerEstimate } from "../providers/weshop-estimate.ts";
import { longestRun } from "./ceiling.ts";
import { priceKey, quoteKey } from "./price-key.ts";

export interface QuoteSpec {
  model: ModelId;
  params: Record<string, unknown>;
}

/** How long a quote is reused for specs of the same price key. */
export const QUOTE_TTL_MS = 10 * 60_000;
const CACHE_MAX = 2_000;
/** Past runs needed before their actual costs replace the price table, and how many are looked at. */
const HISTORY_MIN = 3;
const HISTORY_WINDOW = 20;
/** Distinct price keys quoted at once: a 1000-job batch of many configurations stays within the subrequest budget. */
const PARALLEL = 6;

const cache = new Map<string, { estimate: CostEstimate; expiresAt: number }>();
/** Quotes being fetched right now: concurrent requests for one key share one provider call. */
const inflight = new Map<string, Promise<CostEstimate | null>>();

/** One estimate per spec, in order; null where none could be had (the provider failed, no price known). */
export async function quoteAll(
  db: D1Database,
  config: Config,
  specs: readonly QuoteSpec[],
): Promise<(CostEstimate | null)[]> {
  const keys = specs.map((s) => quoteKey(s.model, s.params));
  const firstOf = new Map<string, QuoteSpec>();
  specs.forEach((s, i) => {
    if (!firstOf.has(keys[i]!)) firstOf.set(keys[i]!, s);
  });
  const found = new Map<string, CostEstimate | null>();
  const todo = [...firstOf.entries()];
  for (let i = 0; i < todo.length; i += PARALLEL)
    await Promise.all(
      todo.slice(i, i + PARALLEL).map(async ([key, spec]) => found.set(key, await quoteOne(db, config, key, spec))),
    );
  return keys.map((k) => found.get(k) ?? null);
}

async function quoteOne(db: D1Database, config: Config, key: string, spec: QuoteSpec): Promise<CostEstimate | null> {
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.expiresAt > now) return hit.estimate;
  const pending = inflight.get(key);
  if (pending) return pending;
  const work = fresh(db, config, spec).finally(() => inflight.delete(key));
  inflight.set(key, work);
  const estimate = await work;
  // provider quotes are the ones worth keeping: the others are a lookup here, and history moves
  if (estimate?.source === "provider") {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(key, { estimate, expiresAt: Date.now() + QUOTE_TTL_MS });
  }
  return estimate;
}

async function fresh(db: D1Database, config: Config, spec: QuoteSpec): Promise<CostEstimate | null> {
  const model = MODELS[spec.model];
  if (model.provider === "weshop") {
    const outcome = await weshopPowerEstimate(model, spec.params, config, fetch);
    if (!outcome.ok) {
      log("warn", "WeShop power estimate unavailable", {
        model: spec.model,
        code: outcome.error.code,
        error: outcome.error.message,
      });
      return null;
    }
    const quoted = outcome.value.totalPower;
    if (!outcome.value.isEstimated) return { unit: "weshop_power", amount: quoted, source: "provider", exact: true };
    return approximate(spec, quoted, config);
  }
  try {
    const past = await recentActuals(db, spec.model, priceKey(spec.params), HISTORY_WINDOW);
    // the highest recent figure: a reservation that falls short would let spending pass a limit
    if (past.length >= HISTORY_MIN) return { unit: "usd", amount: Math.max(...past), source: "history", exact: true };
  } catch (err) {
    log("warn", "price history unavailable", { model: spec.model, error: errorMessage(err) });
  }
  const price = tablePrice(config.wiroPrices, spec.params);
  return price === undefined ? null : { unit: "usd", amount: price, source: "price_table", exact: true };
}

/**
 * WeShop called its figure approximate: the amount reserved is its quote for the longest run the
 * model's rules allow (ceiling.ts), never less than the approximate figure. Without that quote
 * there is no safe amount, so none is given (a limit then answers `quote_unavailable`).
 */
async function approximate(spec: QuoteSpec, quoted: number, config: Config): Promise<CostEstimate | null> {
  const model = MODELS[spec.model];
  const longest = longestRun(model, spec.params);
  if (!longest) return { unit: "weshop_power", amount: quoted, source: "provider", exact: false, quoted };
  const ceiling = await weshopPowerEstimate(model, longest, config, fetch);
  if (ceiling.ok)
    return {
      unit: "weshop_power",
      amount: Math.max(quoted, ceiling.value.totalPower),
      source: "provider",
      exact: false,
      quoted,
    };
  log("warn", "WeShop power estimate for the longest run unavailable", {
    model: spec.model,
    code: ceiling.error.code,
    error: ceiling.error.message,
  });
  return null;
}

/** The most specific row whose inputs all match the params (Wiro's dynamicprice rule: `{}` matches every run). */
export function tablePrice(table: readonly PriceEntry[], params: Record<string, unknown>): number | undefined {
  let best: PriceEntry | undefined;
  for (const entry of table) {
    const inputs = Object.entries(entry.inputs);
    if (!inputs.every(([name, value]) => params[name] !== undefined && String(params[name]) === value)) continue;
    if (!best || inputs.length > Object.keys(best.inputs).length) best = entry;
  }
  return best?.price;
}
