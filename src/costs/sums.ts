// Sums of amounts per unit (exact: added in millionths).
import type { CostAmount, CostUnit } from "../jobs/record.ts";
import { fromMicro, toMicro } from "./units.ts";

export function sumEstimates(amounts: readonly (CostAmount | null)[]): CostAmount[] {
  const sums = new Map<CostUnit, number>();
  for (const a of amounts) if (a) sums.set(a.unit, (sums.get(a.unit) ?? 0) + toMicro(a.amount));
  return [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([unit, micro]) => ({ unit, amount: fromMicro(micro) }));
}
