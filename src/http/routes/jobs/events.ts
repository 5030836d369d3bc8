// GET /v1/jobs/{id}/events: a job's status changes as server-sent events, until it ends.
import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { publicJob } from "../../../jobs/public-job.ts";
import { type JobRecord, TERMINAL } from "../../../jobs/record.ts";
import { jobStub, loadJob } from "../../job-reads.ts";
import { routeGroup } from "../../openapi/hook.ts";
import { EXAMPLE_JOB_ID, jobIdParams } from "../../openapi/params.ts";
import { authenticated, authProblems, notFoundProblem, REQUEST_ID_HEADER } from "../../openapi/problems.ts";
import { linkSigner } from "../../request.ts";

/** How long one live-status wait lasts before a keep-alive comment is sent. */
const SSE_HEARTBEAT_MS = 15_000;

export const jobEventsRoute = createRoute({
  method: "get",
  path: "/v1/jobs/{id}/events",
  operationId: "jobEvents",
  summary: "Follow a job (server-sent events)",
  description:
    "A `text/event-stream`: an `event: job` with the Job as `data` (and its update time as `id`) at once and on every change, until the job ends; a `: keep-alive` comment every 15 s. Reconnect with `Last-Event-ID` to skip what you saw.",
  tags: ["Jobs"],
  ...authenticated,
  request: {
    params: jobIdParams,
    headers: z.object({
      // a value that is not a number is ignored (the stream starts from the current state), so it is not refused
      "Last-Event-ID": z
        .string()
        .optional()
        .openapi({ param: { description: "The `id` of the last event received." } }),
    }),
  },
  responses: {
    200: {
      description: "The event stream.",
      headers: REQUEST_ID_HEADER,
      content: {
        "text/event-stream": {
          schema: { type: "string" },
          examples: {
            events: {
              summary: "Two events",
              value: `event: job\nid: 1795773600000\ndata: {"id":"${EXAMPLE_JOB_ID}","status":"queued",…}\n\nevent: job\nid: 1795773641000\ndata: {"id":"${EXAMPLE_JOB_ID}","status":"succeeded",…}\n\n`,
            },
          },
        },
      },
    },
    404: notFoundProblem("Job", EXAMPLE_JOB_ID),
    ...authProblems,
  },
});

export const jobEventRoutes = routeGroup().openapi(jobEventsRoute, async (c) => {
  const first = await loadJob(c, c.req.valid("param").id);
  const tenant = c.get("tenant");
  const sign = linkSigner(c);
  const lastSeen = Number(c.req.valid("header")["Last-Event-ID"] ?? Number.NaN);
  return streamSSE(c, async (stream) => {
    let aborted = false;
    stream.onAbort(() => {
      aborted = true;
    });
    let job: JobRecord | null = first;
    let sent = Number.isFinite(lastSeen) ? lastSeen : -1;
    while (job && !aborted) {
      if (job.updatedAt > sent) {
        await stream.writeSSE({
          event: "job",
          id: String(job.updatedAt),
          data: JSON.stringify(await publicJob(job, sign)),
        });
        sent = job.updatedAt;
      }
      if (TERMINAL.has(job.status)) break;
      const next: JobRecord | null = await jobStub(c, job.id).waitForChange(tenant, sent, SSE_HEARTBEAT_MS);
      if (next && next.updatedAt <= sent) await stream.write(": keep-alive\n\n");
      job = next;
    }
  });
});
