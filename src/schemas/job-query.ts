// The query of `GET /v1/jobs` (and, without `batchId`, of `GET /v1/batches/{id}/jobs`): validated
// by the route definitions and documented from the same schema.
import { z } from "zod";
import type { JobStatus } from "../jobs/record.ts";
import { BATCH_ID, PIPELINE_ID } from "../lib/ids.ts";
import { MODEL_IDS } from "../providers/models.ts";
import { tagSchema } from "./lifecycle-fields.ts";

export const JOB_STATUSES = [
  "queued",
  "running",
  "copying",
  "succeeded",
  "failed",
  "canceled",
] as const satisfies readonly JobStatus[];

const LIMIT = "must be an integer from 1 to 100";
export const listQuery = z.strictObject({
  status: z.enum(JOB_STATUSES, { error: `must be one of: ${JOB_STATUSES.join(", ")}` }).optional(),
  model: z.enum(MODEL_IDS, { error: `must be one of: ${MODEL_IDS.join(", ")}` }).optional(),
  batchId: z.string().regex(BATCH_ID, "is not a batch id").optional(),
  tag: tagSchema.optional(),
  pipelineId: z.string().regex(PIPELINE_ID, "is not a pipeline id").optional(),
  limit: z.coerce.number({ error: LIMIT }).int(LIMIT).min(1, LIMIT).max(100, LIMIT).default(20),
  cursor: z.string().optional(),
});
export type ListQuery = z.output<typeof listQuery>;
