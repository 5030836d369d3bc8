// The parts of the OpenAPI document that belong to no single route: info and tags, the bearer
// scheme, the X-Request-Id header, the request-body components, and the two outgoing webhooks.
// The paths come from the route definitions themselves (createRoute + app.openapi).
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { JOB_EVENTS } from "../../jobs/record.ts";
import { batchCompletedEventSchema } from "../../schemas/batch-view.ts";
import { webhookEventSchema } from "../../schemas/job-view.ts";
import { PIPELINE_EVENTS } from "../../schemas/pipeline-spec.ts";
import { pipelineViewSchema } from "../../schemas/pipeline-view.ts";
import { scheduleSkippedEventSchema } from "../../schemas/schedule-view.ts";
import { messageId } from "../../webhooks/events.ts";
import type { AppEnv } from "../context.ts";
import { completedBatch, succeededJob } from "./examples.ts";
import { EXAMPLE_BATCH_ID, EXAMPLE_JOB_ID, EXAMPLE_PIPELINE_ID, EXAMPLE_SCHEDULE_ID } from "./params.ts";
import { succeededPipeline } from "./pipeline-examples.ts";
import { requestComponents } from "./request-schemas.ts";

/** The Standard Webhooks headers on every delivery (src/webhooks/sign.ts), with the example event's id and time. */
const webhookHeaders = (id: string, at: string) =>
  z.object({
    "webhook-id": z.string().openapi({
      param: {
        description: "Message id: one per event, the same on every retry, so a receiver can drop duplicates.",
        example: id,
      },
    }),
    "webhook-timestamp": z
      .string()
      .regex(/^\d+$/)
      .openapi({
        param: {
          description: "Unix seconds when this attempt was signed.",
          example: String(Math.floor(Date.parse(at) / 1000)),
        },
      }),
    "webhook-signature": z
      .string()
      .regex(/^v1,[A-Za-z0-9+/]+={0,2}$/)
      .openapi({
        param: {
          description:
            "`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the base64-decoded part of `WEBHOOK_SECRET` after `whsec_`.",
          example: "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
        },
      }),
  });

/** An outgoing webhook: a POST to the client with a JSON body and the Standard Webhooks headers. */
function webhook(
  operationId: string,
  summary: string,
  description: string,
  schema: z.ZodType,
  example: { id: string; summary: string; value: { type: string; timestamp: string; data: unknown } },
) {
  const { id, ...body } = example;
  return createRoute({
    method: "post",
    path: operationId,
    operationId,
    summary,
    description,
    // the receiver checks the signature headers; no API key is sent
    security: [],
    request: {
      headers: webhookHeaders(id, body.value.timestamp),
      body: { required: true, content: { "application/json": { schema, examples: { [body.value.type]: body } } } },
    },
    responses: { 200: { description: "Received." } },
  });
}

/** Registers what the routes share; called once on the app before the routes are mounted. */
export function registerDocumentParts(app: OpenAPIHono<AppEnv>): void {
  const registry = app.openAPIRegistry;
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description:
      "A key of a tenant: one of the server's `API_KEYS` (a root key, every scope, each its own tenant) or a key made with `POST /v1/keys` (`sr_…`, the scopes it was given). Each operation's `x-scopes` names the scope it needs; without it the answer is `403 insufficient_scope`.",
  });
  registry.registerComponent("securitySchemes", "adminAuth", {
    type: "http",
    scheme: "bearer",
    description: "The operator's `ADMIN_API_KEY` (no tenant's key). Without it set, the admin routes answer `404`.",
  });
  registry.registerComponent("headers", "RequestId", {
    description: "Request id, echoed from a sane incoming `X-Request-Id` or generated.",
    schema: { type: "string" },
  });
  for (const [name, schema] of Object.entries(requestComponents())) registry.registerComponent("schemas", name, schema);
  registry.registerWebhook(
    webhook(
      "jobEvent",
      "Job event",
      `Sent to a job's \`webhookUrl\` for each of its \`webhookEvents\` (${JOB_EVENTS.join(", ")}), signed per Standard Webhooks (\`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`). Answer 2xx; other answers are retried with backoff.`,
      webhookEventSchema,
      {
        id: messageId(EXAMPLE_JOB_ID, "job.succeeded"),
        summary: "A job succeeded",
        value: { type: "job.succeeded", timestamp: succeededJob.updatedAt, data: succeededJob },
      },
    ),
  );
  registry.registerWebhook(
    webhook(
      "batchCompleted",
      "Batch completed",
      "Sent once to a batch's `webhookUrl` when the batch ends: after its last job finished (`data.status: completed`), or after `POST /v1/batches/{id}/cancel` once every job it created has stopped (`data.status: canceled`). `data` is the batch as `GET /v1/batches/{id}` shows it. Signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) like job events; answer 2xx; other answers are retried with backoff. Job events are not sent to the batch's `webhookUrl`, only to each job's own.",
      batchCompletedEventSchema,
      {
        id: `msg_${EXAMPLE_BATCH_ID.slice(6)}_completed`,
        summary: "A batch completed",
        value: { type: "batch.completed", timestamp: completedBatch.completedAt!, data: completedBatch },
      },
    ),
  );
  registry.registerWebhook(
    webhook(
      "pipelineEnded",
      "Pipeline ended",
      `Sent once to a pipeline's \`webhookUrl\` when it ends, for each of its \`webhookEvents\` (${PIPELINE_EVENTS.join(", ")}; all three by default). \`data\` is the pipeline as \`GET /v1/pipelines/{id}\` shows it. Signed per Standard Webhooks like the other events; answer 2xx; other answers are retried with backoff.`,
      z
        .strictObject({ type: z.enum(PIPELINE_EVENTS), timestamp: z.string(), data: pipelineViewSchema })
        .meta({ id: "PipelineEvent" }),
      {
        id: `msg_${EXAMPLE_PIPELINE_ID}_succeeded`,
        summary: "A pipeline succeeded",
        value: { type: "pipeline.succeeded", timestamp: succeededPipeline.completedAt!, data: succeededPipeline },
      },
    ),
  );
  const dueAt = "2026-11-22T00:00:00.000Z";
  registry.registerWebhook(
    webhook(
      "scheduleSkipped",
      "Schedule run skipped",
      "Sent to the `webhookUrl` of a schedule's batch when a due run started nothing because it would go over a budget limit (`budget_exceeded`) or could not be quoted against one (`quote_unavailable`). The schedule moves on to its next due time and shows the skip as `lastSkip`. Signed per Standard Webhooks like the other events; answer 2xx; other answers are retried with backoff.",
      scheduleSkippedEventSchema,
      {
        id: `msg_${EXAMPLE_SCHEDULE_ID.slice(6)}_skipped_${Date.parse(dueAt)}`,
        summary: "A nightly run went over the daily budget",
        value: {
          type: "schedule.skipped",
          timestamp: "2026-11-22T00:00:04.000Z",
          data: {
            scheduleId: EXAMPLE_SCHEDULE_ID,
            name: "nightly",
            dueAt,
            code: "budget_exceeded",
            detail:
              "This request would cost 24 weshop_power, more than the 11 left of the day limit of 100 weshop_power. Nothing was created.",
            unit: "weshop_power",
            period: "day",
            limit: 100,
            remaining: 11,
            requested: 24,
          },
        },
      },
    ),
  );
}

/** The document's top level; with `origin`, `servers` names it. */
export function documentConfig(origin?: string) {
  return {
    openapi: "3.1.1",
    info: {
      title: "seedrun",
      version: "1",
      summary: "Run ByteDance Seedance (video) and Seedream (image) through WeShop and Wiro.",
      contact: { name: "The operator of this seedrun deployment" },
      description:
        "Create a job with `POST /v1/jobs`, follow it with `GET /v1/jobs/{id}` or a webhook, and download its outputs from signed `/media` links. Errors are `application/problem+json` (RFC 9457); every response carries `X-Request-Id`.",
    },
    tags: [
      { name: "Jobs", description: "Generation jobs (Bearer API key)." },
      { name: "Batches", description: "Many jobs in one request (Bearer API key)." },
      {
        name: "Pipelines",
        description:
          "Steps that feed each other (image → video, fan-out), run as one durable workflow (Bearer API key).",
      },
      { name: "Schedules", description: "Batches started on a cron schedule (Bearer API key)." },
      { name: "Costs", description: "Quotes, budgets and usage (Bearer API key)." },
      { name: "Uploads", description: "Images, video and audio to use as job inputs (Bearer API key)." },
      { name: "Models", description: "The models and the JSON Schema of their params (Bearer API key)." },
      { name: "Settings", description: "Retention and the default webhook (Bearer API key)." },
      { name: "Webhooks", description: "The delivery log of outgoing webhooks, and redelivery (Bearer API key)." },
      { name: "Keys", description: "A tenant's keys and their scopes (Bearer API key)." },
      { name: "Admin", description: "Tenants, for the operator (Bearer ADMIN_API_KEY)." },
      { name: "MCP", description: "Model Context Protocol server for AI agents (Bearer API key)." },
      { name: "Media", description: "Stored outputs and uploads behind signed links." },
      { name: "Callbacks", description: "Provider callbacks (not for clients)." },
      { name: "Service", description: "Health." },
    ],
    ...(origin ? { servers: [{ url: origin }] } : {}),
  };
}
