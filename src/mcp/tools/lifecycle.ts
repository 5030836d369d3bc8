// delete_job: DELETE /v1/jobs/{id} with the caller's key (what is erased where: docs/lifecycle.md).
import { z } from "zod";
import { defineTool, type Tool } from "../tool.ts";
import { jobIdSchema } from "./job-result.ts";

export const deleteJob = defineTool({
  name: "delete_job",
  scope: "jobs:write",
  title: "Delete a finished job",
  description:
    "Deletes a finished job for good: its stored outputs (their links stop working), params, outputs and events, and at Wiro the task's input and output files. Usage totals keep its cost. An unfinished job is refused (job_unfinished): cancel it first. Cannot be undone.",
  input: z.strictObject({ job_id: jobIdSchema }),
  output: z.strictObject({ job_id: z.string(), deleted: z.literal(true) }),
  annotations: {
    title: "Delete a finished job",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: true,
  },
  async run({ job_id }, ctx) {
    await ctx.api.request<undefined>("DELETE", `/v1/jobs/${job_id}`);
    return { structured: { job_id, deleted: true as const } };
  },
});

export const LIFECYCLE_TOOLS: Tool[] = [deleteJob];
