// The Analytics Engine data point of one settled webhook delivery (delivered, or given up after
// its retries): which event, how it ended, after how many attempts and how long since the event.
import type { DataPoint } from "../lib/metrics.ts";
import type { DeliveryState } from "./types.ts";

export function deliveryPoint(state: DeliveryState, now = Date.now()): DataPoint {
  const { message } = state;
  const outcome = state.deliveredAt !== undefined ? "delivered" : "gave_up";
  // a job's or batch's id, never the URL (it may carry the receiver's own token)
  return {
    indexes: [message.jobId],
    blobs: [
      "webhook",
      message.type,
      outcome,
      state.lastStatus === null ? (state.lastError ?? "") : String(state.lastStatus),
      message.jobId,
    ],
    doubles: [state.attempts, Math.max(0, now - message.createdAt * 1000), state.lastStatus ?? 0],
  };
}
