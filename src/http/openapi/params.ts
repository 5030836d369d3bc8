// Path and header parameters shared by the route definitions. An id of the wrong shape is a 404
// (it cannot name anything, and no Durable Object is woken for it): the parameter's error message
// is the "what" of that 404, which validationHook (hook.ts) turns into the answer.
import { z } from "@hono/zod-openapi";
import { BATCH_ID, CALLBACK_TOKEN, JOB_ID, PIPELINE_ID, SCHEDULE_ID, UPLOAD_ID } from "../../lib/ids.ts";

export const EXAMPLE_JOB_ID = "job_8x2kq4m9p1r7t3v5w6y0";
export const EXAMPLE_BATCH_ID = "batch_4n7q2w9e5r1t8y3u6i0o";
export const EXAMPLE_SCHEDULE_ID = "sched_2m8k4q7w1e9r3t5y6u0p";
export const EXAMPLE_UPLOAD_ID = "upl_5t1q8w3e7r2y9u4i6o0p";
export const EXAMPLE_PIPELINE_ID = "pipe_6t2m9q4w8e1r5y7u3i0o";

const idParam = (pattern: RegExp, what: string, example: string) =>
  z.object({
    id: z
      .string()
      .regex(pattern, { error: (issue) => `${what} ${String(issue.input)}` })
      .openapi({ param: { name: "id", in: "path", description: `${what} id.`, example } }),
  });

export const jobIdParams = idParam(JOB_ID, "Job", EXAMPLE_JOB_ID);
export const batchIdParams = idParam(BATCH_ID, "Batch", EXAMPLE_BATCH_ID);
export const scheduleIdParams = idParam(SCHEDULE_ID, "Schedule", EXAMPLE_SCHEDULE_ID);
export const uploadIdParams = idParam(UPLOAD_ID, "Upload", EXAMPLE_UPLOAD_ID);
export const pipelineIdParams = idParam(PIPELINE_ID, "Pipeline", EXAMPLE_PIPELINE_ID);

export const callbackParams = z.object({
  jobId: z
    .string()
    .regex(JOB_ID, "Callback")
    .openapi({ param: { name: "jobId", in: "path", description: "Job id.", example: EXAMPLE_JOB_ID } }),
  token: z
    .string()
    .regex(CALLBACK_TOKEN, "Callback")
    .openapi({
      param: {
        name: "token",
        in: "path",
        description: "Per-job callback token.",
        example: "uQ3mZ8p0Xr4T6vW1yB2nC5dE7fG9hJ0kL3oP5sU8wA1",
      },
    }),
});

/** `Prefer: wait=N` (read by src/http/request.ts preferredWait); other preferences are ignored, so the value is not checked here. */
export const preferHeader = z
  .string()
  .optional()
  .openapi({
    param: {
      name: "Prefer",
      in: "header",
      description:
        "`wait=N` (RFC 7240): hold the answer up to N seconds (at most 60) until the job ends; `Preference-Applied` confirms.",
      example: "wait=30",
    },
  });

export const preferenceApplied = {
  "Preference-Applied": {
    description: "`wait=N` when `Prefer: wait` was honoured.",
    schema: { type: "string" as const },
  },
};
export const locationHeader = (where: string) => ({
  Location: { description: `\`${where}\`.`, schema: { type: "string" as const } },
});
