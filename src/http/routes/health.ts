// GET /healthz: names (never values) every missing or invalid setting.
import { createRoute } from "@hono/zod-openapi";
import { readConfig } from "../../config.ts";
import { healthSchema } from "../../schemas/health-view.ts";
import { routeGroup } from "../openapi/hook.ts";
import { REQUEST_ID_HEADER, unauthenticated } from "../openapi/problems.ts";

export const healthRoute = createRoute({
  method: "get",
  path: "/healthz",
  operationId: "health",
  summary: "Health and configuration check",
  description: "Names (never values) every missing or invalid setting.",
  tags: ["Service"],
  ...unauthenticated,
  responses: {
    200: {
      description: "Configured and running.",
      headers: REQUEST_ID_HEADER,
      content: {
        "application/json": { schema: healthSchema, examples: { ok: { summary: "OK", value: { status: "ok" } } } },
      },
    },
    503: {
      description: "Misconfigured.",
      headers: REQUEST_ID_HEADER,
      content: {
        "application/json": {
          schema: healthSchema,
          examples: {
            misconfigured: {
              summary: "Missing settings",
              value: { status: "misconfigured", problems: ["API_KEYS", "SIGNING_SECRET"] },
            },
          },
        },
      },
    },
  },
});

export const healthRoutes = routeGroup().openapi(healthRoute, (c) => {
  const config = readConfig(c.env);
  if (!config.ok)
    return c.json({ status: "misconfigured" as const, problems: config.problems.map((p) => p.name) }, 503);
  return c.json({ status: "ok" as const }, 200);
});
