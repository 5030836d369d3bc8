// The webhook delivery log's query and answers (GET /v1/webhook-deliveries, redeliver).
import { z } from "zod";
import { BATCH_ID, JOB_ID } from "../lib/ids.ts";
import { timestamp } from "./job-view.ts";

const LIMIT = "must be an integer from 1 to 100";
export const deliveryQuery = z.strictObject({
  jobId: z.string().regex(JOB_ID, "is not a job id").optional(),
  batchId: z.string().regex(BATCH_ID, "is not a batch id").optional(),
  pipelineId: z.string().max(64).optional(),
  status: z
    .enum(["pending", "delivered", "failed"], { error: "must be one of: pending, delivered, failed" })
    .optional(),
  limit: z.coerce.number({ error: LIMIT }).int(LIMIT).min(1, LIMIT).max(100, LIMIT).default(20),
  cursor: z.string().optional(),
});

export const deliverySchema = z
  .strictObject({
    id: z.string(),
    webhookId: z.string().meta({ description: "The `webhook-id` header, the same on every attempt and redelivery." }),
    event: z.string(),
    url: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    jobId: z.string().nullable(),
    batchId: z.string().nullable(),
    pipelineId: z.string().nullable(),
    attempts: z.array(
      z.strictObject({
        at: timestamp,
        httpStatus: z
          .int()
          .nullable()
          .meta({ description: "The receiver's answer; null when none came (timeout, no connection)." }),
        ms: z.int(),
        error: z.string().optional(),
      }),
    ),
    nextAttemptAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: "WebhookDelivery" });

export const deliveryListSchema = z
  .strictObject({ data: z.array(deliverySchema), nextCursor: z.string().nullable() })
  .meta({ id: "WebhookDeliveryList" });
