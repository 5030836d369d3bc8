// The Pipeline response (docs/pipelines.md), documented in the OpenAPI document from this schema.
import { z } from "zod";
import { MODEL_IDS } from "../providers/models.ts";
import { amountSchema } from "./costs.ts";
import { PIPELINE_EVENTS } from "./pipeline-spec.ts";

const timestamp = z.string().meta({ format: "date-time" });

export const pipelineStepViewSchema = z.strictObject({
  id: z.string(),
  model: z.enum(MODEL_IDS),
  status: z.enum(["waiting", "running", "succeeded", "failed", "canceled", "skipped"]).meta({
    description:
      "`waiting` for the steps it needs → `running` → `succeeded` | `failed` | `canceled`; `skipped` when a step it needs did not succeed (nothing was sent for it).",
  }),
  jobIds: z.array(z.string()).meta({
    description: "Its jobs (one, or one per output of its `each` step), ordinary jobs at `GET /v1/jobs/{id}`.",
  }),
  each: z.string().optional(),
  needs: z
    .array(z.string())
    .optional()
    .meta({ description: "The steps it waits for: those it references, its `each` and its `after`." }),
  error: z.string().optional().meta({ description: "Why it failed or was skipped." }),
});

export const pipelineViewSchema = z
  .strictObject({
    id: z.string(),
    status: z.enum(["running", "succeeded", "failed", "canceled"]),
    steps: z.array(pipelineStepViewSchema),
    cost: z.strictObject({
      estimate: z.array(amountSchema).meta({
        description: "Reserved at admission, per unit (an `each` step counted at its source's most outputs).",
      }),
      actual: z.array(amountSchema).meta({ description: "Its jobs' actual costs so far, per unit." }),
    }),
    metadata: z.record(z.string(), z.string()),
    tags: z.array(z.string()),
    deadline: timestamp.optional(),
    webhook: z.strictObject({ url: z.string(), events: z.array(z.enum(PIPELINE_EVENTS)) }).optional(),
    createdAt: timestamp,
    completedAt: timestamp.optional(),
  })
  .meta({ id: "Pipeline" });

export type PipelineView = z.infer<typeof pipelineViewSchema>;

export const pipelineListSchema = z
  .strictObject({ data: z.array(pipelineViewSchema), nextCursor: z.string().nullable() })
  .meta({ id: "PipelineList" });
