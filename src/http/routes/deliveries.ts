// The webhook delivery log: every attempt of every message (status, attempts with HTTP status,
// duration and error, next attempt), and redelivery with the same webhook-id. Kept 30 days.
import { createRoute, z } from "@hono/zod-openapi";
import { decodeDeliveryCursor, deliveryOwner, listDeliveries, readDelivery } from "../../db/deliveries.ts";
import { notFound } from "../../lib/problems.ts";
import { validationError } from "../../lib/validation.ts";
import { deliveryListSchema, deliveryQuery, deliverySchema } from "../../schemas/deliveries.ts";
import { deliveryApi } from "../../webhooks/delivery-client.ts";
import { routeGroup } from "../openapi/hook.ts";
import { authenticated, authProblems, notFoundProblem, REQUEST_ID_HEADER } from "../openapi/problems.ts";

const json = (description: string, schema: z.ZodType) => ({
  description,
  headers: REQUEST_ID_HEADER,
  content: { "application/json": { schema } },
});
const EXAMPLE_ID = "msg_8x2kq4m9p1r7t3v5w6y0_succeeded";

export const listWebhookDeliveriesRoute = createRoute({
  method: "get",
  path: "/v1/webhook-deliveries",
  operationId: "listWebhookDeliveries",
  summary: "List webhook deliveries",
  description:
    "Every outgoing webhook message of this key's jobs and batches, newest first, with each attempt. Records are kept 30 days.",
  tags: ["Webhooks"],
  ...authenticated,
  request: { query: deliveryQuery },
  responses: { 200: json("A page of deliveries.", deliveryListSchema), ...authProblems },
});

export const redeliverWebhookRoute = createRoute({
  method: "post",
  path: "/v1/webhook-deliveries/{id}/redeliver",
  operationId: "redeliverWebhook",
  summary: "Send a webhook again now",
  description:
    "One attempt now, with the same body and the same `webhook-id` (receivers deduplicate by it); the answer is the delivery after it.",
  tags: ["Webhooks"],
  ...authenticated,
  request: {
    params: z.object({
      id: z
        .string()
        .regex(/^msg_[\w.-]{1,120}$/)
        .openapi({ example: EXAMPLE_ID }),
    }),
  },
  responses: {
    202: json("Sent again.", deliverySchema),
    404: notFoundProblem("Webhook delivery", EXAMPLE_ID),
    ...authProblems,
  },
});

export const deliveryRoutes = routeGroup()
  .openapi(listWebhookDeliveriesRoute, async (c) => {
    const { cursor: text, ...filter } = c.req.valid("query");
    const cursor = text === undefined ? undefined : decodeDeliveryCursor(text);
    if (text !== undefined && !cursor)
      throw validationError([{ path: "cursor", message: "is not a cursor from a previous page" }]);
    return c.json(await listDeliveries(c.env.DB, { tenant: c.get("tenant"), ...filter, cursor }), 200);
  })
  .openapi(redeliverWebhookRoute, async (c) => {
    const { id } = c.req.valid("param");
    const tenant = c.get("tenant");
    if ((await deliveryOwner(c.env.DB, id)) !== tenant) throw notFound(`Webhook delivery ${id}`);
    if (!(await deliveryApi(c.env, id).redeliver())) throw notFound(`Webhook delivery ${id}`);
    const record = await readDelivery(c.env.DB, tenant, id);
    if (!record) throw notFound(`Webhook delivery ${id}`);
    return c.json(record, 202);
  });
