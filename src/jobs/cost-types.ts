// A job's cost as stored and shown: the quote it was admitted with, and what the provider reported.

/** Cost units: WeShop power points, and US dollars (Wiro). */
export type CostUnit = "weshop_power" | "usd";
/** Where an estimate came from: WeShop's power estimate, the configured price table, past actual costs. */
export type EstimateSource = "provider" | "price_table" | "history";
export interface CostAmount {
  unit: CostUnit;
  amount: number;
}
/**
 * A quote; `amount` is what a limit reserves. `exact: false`: the provider called its own figure
 * (`quoted`) approximate (WeShop `isEstimated`, e.g. an automatic duration), so `amount` is the
 * most the model's rules let the run cost.
 */
export interface CostEstimate extends CostAmount {
  source: EstimateSource;
  exact: boolean;
  quoted?: number;
}
export interface JobCost {
  estimate: CostEstimate | null;
  actual: CostAmount | null;
}

/** The cost as clients see it: every estimate says whether it is exact (one stored before `exact` existed was taken as exact). */
export function publicCost(cost: JobCost | undefined): JobCost {
  if (!cost) return { estimate: null, actual: null };
  const estimate = cost.estimate as (Omit<CostEstimate, "exact"> & { exact?: boolean }) | null;
  return { ...cost, estimate: estimate ? { ...estimate, exact: estimate.exact ?? true } : null };
}
