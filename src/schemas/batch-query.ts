// GET /v1/batches: its query and its answer, a page of batches newest first.
import { z } from "zod";
import { batchViewSchema } from "./batch-view.ts";

const LIMIT = "must be an integer from 1 to 100";
export const batchListQuery = z.strictObject({
  limit: z.coerce.number({ error: LIMIT }).int(LIMIT).min(1, LIMIT).max(100, LIMIT).default(20),
  cursor: z.string().optional(),
});

export const batchListSchema = z
  .strictObject({
    data: z.array(batchViewSchema).meta({ description: "Newest first (by the creation of their first job)." }),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: "Pass as `cursor` for the next page; null on the last page." }),
  })
  .meta({ id: "BatchList" });
