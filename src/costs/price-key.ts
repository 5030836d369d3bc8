// What a run's price depends on: its model and params without the free text (prompt, seed) and
// with every URL replaced by a placeholder, so a thousand prompts of one configuration share one
// quote, one cache entry and one price history.
import type { ModelId } from "../providers/models.ts";

const FREE_TEXT = new Set(["textDescription", "prompt", "seed"]);

function shape(value: unknown): unknown {
  if (typeof value === "string") return /^https?:\/\//i.test(value) ? "<url>" : value;
  if (Array.isArray(value)) return value.map(shape);
  return value;
}

/** A stable text for the price-relevant part of a job's params. */
export function priceKey(params: Record<string, unknown>): string {
  const kept = Object.keys(params)
    .filter((k) => !FREE_TEXT.has(k))
    .sort()
    .map((k) => [k, shape(params[k])]);
  return JSON.stringify(kept);
}

export function quoteKey(model: ModelId, params: Record<string, unknown>): string {
  return `${model} ${priceKey(params)}`;
}
