// GET /v1/batches: the key's batches, newest first, each as GET /v1/batches/{id} shows it, read
// from the jobs index (src/db/batch-list.ts): a batch is listed once its first job exists.
import { createRoute } from "@hono/zod-openapi";
import { batchApi } from "../../batches/batch-client.ts";
import { batchView } from "../../batches/batch-view.ts";
import { decodeBatchCursor, encodeBatchCursor, listBatchIds } from "../../db/batch-list.ts";
import { validationError } from "../../lib/validation.ts";
import { batchListQuery, batchListSchema } from "../../schemas/batch-query.ts";
import { completedBatch, runningBatch } from "../openapi/examples.ts";
import { routeGroup } from "../openapi/hook.ts";
import { authenticated, authProblems, problemResponse, REQUEST_ID_HEADER, validationProblem } from "../openapi/problems.ts";

export const listBatches = createRoute({
  method: "get",
  path: "/v1/batches",
  operationId: "listBatches",
  summary: "List batches",
  description: "The key's batches, newest first, with their counts. A batch appears once its first job has been created (right after the request).",
  tags: ["Batches"],
  ...authenticated,
  request: {
    query: batchListQuery.extend({
      limit: batchListQuery.shape.limit.openapi({ param: { description: "Page size.", example: 20 } }),
      cursor: batchListQuery.shape.cursor.openapi({ param: { description: "`nextCursor` of the previous page." } }),
    }),
  },
  responses: {
    200: {
      description: "A page of batches, newest first.",
      headers: REQUEST_ID_HEADER,
      content: {
        "application/json": {
          schema: batchListSchema,
          examples: {
            page: { summary: "One page", value: { data: [runningBatch, { ...completedBatch, id: "batch_9z8y7x6w5v4u3t2s1r0q" }], nextCursor: null } },
          },
        },
      },
    },
    400: problemResponse("Invalid query", { validation_failed: validationProblem([{ path: "limit", message: "must be an integer from 1 to 100" }]) }),
    ...authProblems,
  },
});

export const batchListRoutes = routeGroup().openapi(listBatches, async (c) => {
  const { limit, cursor: cursorText } = c.req.valid("query");
  const cursor = cursorText === undefined ? undefined : decodeBatchCursor(cursorText);
  if (cursorText !== undefined && !cursor) throw validationError([{ path: "cursor", message: "is not a cursor from a previous page" }]);
  const tenant = c.get("tenant");
  const page = await listBatchIds(c.env.DB, tenant, limit, cursor);
  const records = await Promise.all(page.ids.map((id) => batchApi(c.env, id).read(tenant)));
  const data = await Promise.all(records.flatMap((b) => (b ? [batchView(c.env, b)] : [])));
  return c.json({ data, nextCursor: page.next ? encodeBatchCursor(page.next) : null }, 200);
});
