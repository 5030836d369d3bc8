// Cost units and amounts. Amounts are kept as integer millionths inside seedrun (budgets, the D1
// index), so sums of dollar amounts such as 0.13 are exact; clients see plain numbers.
import type { CostUnit } from "../jobs/record.ts";
import type { ProviderName } from "../providers/models.ts";

export const COST_UNITS = ["weshop_power", "usd"] as const satisfies readonly CostUnit[];

/** The unit a provider bills in. */
export function unitOf(provider: ProviderName): CostUnit {
  return provider === "weshop" ? "weshop_power" : "usd";
}

const SCALE = 1_000_000;

export function toMicro(amount: number): number {
  return Math.round(amount * SCALE);
}

export function fromMicro(micro: number): number {
  return micro / SCALE;
}
