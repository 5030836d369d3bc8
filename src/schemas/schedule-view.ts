// A schedule as clients see it (/v1/schedules), and the `schedule.skipped` event. ScheduleView is
// inferred from the schema; its batch is the validated BatchSpec (src/schemas/batch-spec.ts).
import { z } from "zod";
import { BATCH_ID, SCHEDULE_ID } from "../lib/ids.ts";
import { scheduledBatchSchema } from "./batch-spec.ts";
import { COST_UNIT_NAMES } from "./costs.ts";
import { timestamp } from "./job-view.ts";

/** The body sent to a schedule's batch `webhookUrl` when a due run started nothing (src/schedules/budget-check.ts). */
export const scheduleSkippedEventSchema = z
  .strictObject({
    type: z.literal("schedule.skipped"),
    timestamp,
    data: z.strictObject({
      scheduleId: z.string(),
      name: z.string(),
      dueAt: timestamp.meta({ description: "The due time of the run that was skipped." }),
      code: z.enum(["budget_exceeded", "quote_unavailable"]),
      detail: z.string().meta({ description: "The problem `detail` a request refused for the same reason would get." }),
      unit: z.enum(COST_UNIT_NAMES),
      period: z.enum(["day", "month"]),
      limit: z.number().optional().meta({ description: "`budget_exceeded` only, as are `remaining` and `requested`." }),
      remaining: z.number().optional(),
      requested: z.number().optional(),
    }),
  })
  .meta({ id: "ScheduleSkippedEvent" });

export const MAX_SCHEDULES_PER_CLIENT = 100;

export const scheduleSchema = z
  .strictObject({
    id: z.string().regex(SCHEDULE_ID),
    name: z.string(),
    cron: z.string().meta({ description: "5 fields: minute hour day-of-month month day-of-week." }),
    timezone: z.string().meta({ description: "IANA time zone the expression is read in." }),
    enabled: z.boolean(),
    batch: scheduledBatchSchema.meta({ description: "The batch started on every run, as validated." }),
    tags: z
      .array(z.string())
      .optional()
      .meta({ description: "Given to every job each run starts, after the job's and the batch's own tags." }),
    nextRunAt: timestamp
      .nullable()
      .meta({ description: "Next due time; null when disabled or when the expression never fires again." }),
    lastRunAt: timestamp.nullable(),
    lastBatchId: z
      .string()
      .regex(BATCH_ID)
      .nullable()
      .meta({ description: "The batch the latest run started (`GET /v1/batches/{id}`)." }),
    lastSkip: z
      .strictObject({
        at: timestamp,
        code: z.string().meta({ description: "`budget_exceeded` or `quote_unavailable`." }),
      })
      .nullable()
      .meta({
        description: "The latest due run that started nothing, and why: over budget, or not quotable against a limit.",
      }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: "Schedule" });
export type ScheduleView = z.output<typeof scheduleSchema>;

export const scheduleListSchema = z
  .strictObject({
    data: z
      .array(scheduleSchema)
      .meta({ description: `Every schedule of this key (at most ${MAX_SCHEDULES_PER_CLIENT}), newest first.` }),
    nextCursor: z.null().meta({ description: "Always null: the list is one page." }),
  })
  .meta({ id: "ScheduleList" });
