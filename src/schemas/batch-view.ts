// A batch as clients see it (GET /v1/batches/{id}, the `batch.completed` event). BatchView is
// inferred from the schema, so the document and the code cannot drift.
import { z } from "zod";
import { BATCH_ID } from "../lib/ids.ts";
import { batchCostSchema } from "./costs.ts";
import { count, timestamp } from "./job-view.ts";

export const batchViewSchema = z
  .strictObject({
    id: z.string().regex(BATCH_ID),
    status: z.enum(["running", "completed", "canceled"]),
    total: count,
    counts: z
      .strictObject({ queued: count, running: count, copying: count, succeeded: count, failed: count, canceled: count })
      .meta({
        description: "Jobs by status; jobs not created yet count as queued.",
      }),
    cost: batchCostSchema,
    createdAt: timestamp,
    completedAt: timestamp.optional(),
    scheduleId: z.string().optional(),
  })
  .meta({ id: "Batch" });
export type BatchView = z.output<typeof batchViewSchema>;

/** The body BatchObject sends to a batch's `webhookUrl` when it ends. */
export const batchCompletedEventSchema = z
  .strictObject({ type: z.literal("batch.completed"), timestamp, data: batchViewSchema })
  .meta({ id: "BatchCompletedEvent" });
