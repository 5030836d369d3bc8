// GET/PUT /v1/settings: retention and the default webhook endpoint (docs/lifecycle.md).
import { createRoute } from "@hono/zod-openapi";
import { readSettings, writeSettings } from "../../db/settings.ts";
import { validationError } from "../../lib/validation.ts";
import { settingsSchema, validateSettings } from "../../schemas/settings.ts";
import { routeGroup } from "../openapi/hook.ts";
import {
  authenticated,
  authProblems,
  jsonBodyProblems,
  REQUEST_ID_HEADER,
  requires,
  validationProblem,
} from "../openapi/problems.ts";
import { ref } from "../openapi/request-schemas.ts";
import { readJsonBody, specContext } from "../request.ts";

const example = {
  outputRetentionDays: 30,
  jobRetentionDays: 90,
  webhook: { url: "https://hooks.example.com/seedrun", events: ["job.succeeded", "job.failed"] },
};
const answer = (description: string) => ({
  description,
  headers: REQUEST_ID_HEADER,
  content: {
    "application/json": { schema: settingsSchema, examples: { settings: { summary: "Settings", value: example } } },
  },
});

export const getSettingsRoute = createRoute({
  method: "get",
  path: "/v1/settings",
  operationId: "getSettings",
  summary: "Get retention and the default webhook",
  description:
    "The caller's output and job retention (days, null: kept until deleted) and the default webhook used by jobs, batches and pipelines that name none.",
  tags: ["Settings"],
  ...authenticated,
  responses: { 200: answer("The caller's settings (null: not set)."), ...authProblems },
});

export const putSettingsRoute = createRoute({
  method: "put",
  path: "/v1/settings",
  operationId: "putSettings",
  summary: "Replace retention and the default webhook",
  description:
    "Replaces all three settings (an omitted one becomes null). The scheduled sweep deletes finished jobs older than `jobRetentionDays` and removes outputs older than `outputRetentionDays` from R2, a bounded number each minute; `webhook` is used only by jobs and batches that name no `webhookUrl`.",
  tags: ["Settings"],
  ...requires("budget:write"),
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: ref("PutSettings"),
          examples: { settings: { summary: "Settings", value: example } },
        },
      },
    },
  },
  responses: {
    200: answer("The settings now in force."),
    ...jsonBodyProblems({
      validation_failed: validationProblem([{ path: "outputRetentionDays", message: "must be at least 1 day" }]),
    }),
    ...authProblems,
  },
});

export const settingsRoutes = routeGroup()
  .openapi(getSettingsRoute, async (c) => c.json(await readSettings(c.env.DB, c.get("tenant")), 200))
  .openapi(putSettingsRoute, async (c) => {
    const { settings, errors } = validateSettings(await readJsonBody(c), specContext(c));
    if (!settings) throw validationError(errors);
    await writeSettings(c.env.DB, c.get("tenant"), settings, Date.now());
    return c.json(settings, 200);
  });
