// Analytics Engine data points. Every write goes through `metricsSink`: locally (wrangler dev,
// vitest) the dataset keeps nothing that can be read back, so tests replace the sink to see the
// points; in production it is the binding's own writeDataPoint, which never throws or waits.
// The schema (which blob and double is which) is in docs/operations.md.

export interface DataPoint {
  /** Sampling key: points of one index are sampled together (the tenant). */
  indexes: [string];
  blobs: string[];
  doubles: number[];
}

export const metricsSink = {
  write(dataset: AnalyticsEngineDataset | undefined, point: DataPoint): void {
    // a deployment without the binding simply writes no metrics
    dataset?.writeDataPoint(point);
  },
};

export function writePoint(env: { METRICS?: AnalyticsEngineDataset }, point: DataPoint): void {
  try {
    metricsSink.write(env.METRICS, point);
  } catch {
    // metrics are never worth failing the work they describe
  }
}
