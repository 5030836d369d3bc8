// POST /callbacks/wiro/{jobId}/{token}: Wiro's completion signal. Authenticated only by the
// per-job token in the URL, which is derived from the job id under SIGNING_SECRET: the worker
// checks it itself, so a forged callback never wakes a Durable Object. Of the body only the task
// id is read (for a job whose submit's answer was lost: jobs/submit/adopt.ts); the job confirms
// everything with Task/Detail.
import { createRoute } from "@hono/zod-openapi";
import { readConfig } from "../../config.ts";
import { jobApi } from "../../jobs/job-client.ts";
import { taskIdOf } from "../../jobs/submit/adopt.ts";
import { isWiroCallbackToken } from "../../lib/callback-token.ts";
import { notFound } from "../../lib/problems.ts";
import { callbackReceivedSchema } from "../../schemas/health-view.ts";
import { routeGroup } from "../openapi/hook.ts";
import { callbackParams } from "../openapi/params.ts";
import { problemExample, problemResponse, REQUEST_ID_HEADER, unauthenticated } from "../openapi/problems.ts";

export const wiroCallbackRoute = createRoute({
  method: "post",
  path: "/callbacks/wiro/{jobId}/{token}",
  operationId: "wiroCallback",
  summary: "Wiro completion callback",
  description:
    "The callback URL handed to Wiro for each job. Authenticated only by the per-job token (an HMAC of the job id under `SIGNING_SECRET`, checked by the worker before any job is touched); the body is not trusted (the job confirms with Wiro's `Task/Detail`). Only its task id (`id`) is read, and used only by a job whose submit's answer was lost, to adopt that task (or stop it, if the job has ended). Duplicates are harmless.",
  tags: ["Callbacks"],
  ...unauthenticated,
  // malformed ids and tokens never reach a Durable Object: the params' shapes answer 404
  request: { params: callbackParams },
  responses: {
    200: {
      description: "Received; the job checks the task with Wiro.",
      headers: REQUEST_ID_HEADER,
      content: {
        "application/json": {
          schema: callbackReceivedSchema,
          examples: { received: { summary: "Received", value: { received: true } } },
        },
      },
    },
    404: problemResponse("Unknown job or wrong token (no provider call is made)", {
      not_found: problemExample("not_found", { detail: "Callback was not found." }),
    }),
  },
});

export const callbackRoutes = routeGroup().openapi(wiroCallbackRoute, async (c) => {
  const { jobId, token } = c.req.valid("param");
  // without a valid configuration no token can be checked; the job still finishes by polling
  const config = readConfig(c.env);
  if (!config.ok || !(await isWiroCallbackToken(config.config.signingSecret, jobId, token))) throw notFound("Callback");
  const accepted = await jobApi(c.env, jobId).wiroCallback(token, await bodyTaskId(c.req.raw));
  if (!accepted) throw notFound("Callback");
  return c.json({ received: true as const }, 200);
});

/** Wiro's callback body is a task record: bounded, and unreadable bodies name no task. */
const MAX_CALLBACK_BODY = 256 * 1024;

async function bodyTaskId(request: Request): Promise<string | undefined> {
  try {
    const text = await request.text();
    return text.length > MAX_CALLBACK_BODY ? undefined : taskIdOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}
