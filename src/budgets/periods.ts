// Budget periods: UTC calendar days and months. Costs count in the period a job was admitted in.
export const PERIODS = ["day", "month"] as const;
export type Period = (typeof PERIODS)[number];

/** The key of the period `at` falls in, e.g. "day:2026-12-02" or "month:2026-12". */
export function periodKey(period: Period, at: number): string {
  const iso = new Date(at).toISOString();
  return period === "day" ? `day:${iso.slice(0, 10)}` : `month:${iso.slice(0, 7)}`;
}

/** When the period `at` falls in ends (the next one starts). */
export function periodEnd(period: Period, at: number): number {
  const d = new Date(at);
  return period === "day"
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)
    : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}
