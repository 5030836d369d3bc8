// GET /v1/batches: the key's batches, newest first, each as GET /v1/batches/{id} shows it.
import { Hono } from "hono";
import { z } from "zod";
import { batchApi } from "../../batches/batch-client.ts";
import { batchView } from "../../batches/batch-view.ts";
import { decodeBatchCursor, encodeBatchCursor, listBatchIds } from "../../db/batch-list.ts";
import { fieldErrors, validationError } from "../../lib/validation.ts";
import type { AppEnv } from "../context.ts";

export const batchListQuery = z.strictObject({
  limit: z.coerce
    .number({ error: "must be an integer from 1 to 100" })
    .int("must be an integer from 1 to 100")
    .min(1, "must be an integer from 1 to 100")
    .max(100, "must be an integer from 1 to 100")
    .default(20),
  cursor: z.string().optional(),
});

export const batchListRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const parsed = batchListQuery.safeParse(c.req.query());
  if (!parsed.success) throw validationError(fieldErrors(parsed.error.issues));
  const { limit, cursor: cursorText } = parsed.data;
  const cursor = cursorText === undefined ? undefined : decodeBatchCursor(cursorText);
  if (cursorText !== undefined && !cursor) throw validationError([{ path: "cursor", message: "is not a cursor from a previous page" }]);
  const tenant = c.get("tenant");
  const page = await listBatchIds(c.env.DB, tenant, limit, cursor);
  const records = await Promise.all(page.ids.map((id) => batchApi(c.env, id).read(tenant)));
  const data = await Promise.all(records.flatMap((b) => (b ? [batchView(c.env, b)] : [])));
  return c.json({ data, nextCursor: page.next ? encodeBatchCursor(page.next) : null });
});
