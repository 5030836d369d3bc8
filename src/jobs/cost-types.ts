// The cost shapes a job carries (API.md, "Costs, quotes, budgets, usage"); record.ts re-exports them.
/** Cost units: WeShop power points, and US dollars (Wiro). */
export type CostUnit = "weshop_power" | "usd";
/** Where an estimate came from: WeShop's power estimate, the configured price table, past actual costs. */
export type EstimateSource = "provider" | "price_table" | "history";
export interface CostEstimate {
  unit: CostUnit;
  amount: number;
  source: EstimateSource;
}
export interface CostAmount {
  unit: CostUnit;
  amount: number;
}
export interface JobCost {
  estimate: CostEstimate | null;
  actual: CostAmount | null;
}
