// The schedule clients send (POST and PATCH /v1/schedules): zod for the shape, then what zod
// cannot say (a 5-field cron expression croner accepts, an IANA zone, the batch validated like
// POST /v1/batches, the schedule's `tags` with each job's at most 10), every problem in one answer.
import { z } from "zod";
import { cronFor, isTimeZone } from "../lib/cron.ts";
import { errorMessage } from "../lib/error-message.ts";
import type { FieldError } from "../lib/problems.ts";
import { fieldErrors } from "../lib/validation.ts";
import { type BatchSpec, validateBatch } from "./batch-spec.ts";
import type { SpecContext } from "./job-spec.ts";
import { MAX_TAGS, mergeTags, tagsSchema } from "./lifecycle-fields.ts";

const fields = {
  name: z.string({ error: "must be a string" }).trim().min(1, "is required").max(100, "must be at most 100 characters"),
  cron: z.string({ error: "must be a 5-field cron expression" }),
  timezone: z.string({ error: "must be an IANA time zone such as Europe/Istanbul" }),
  batch: z.unknown(),
  enabled: z.boolean({ error: "must be true or false" }),
  /** Given to every job each run starts, after the job's and the batch's own. */
  tags: tagsSchema,
};
export const createScheduleSchema = z.strictObject({
  ...fields,
  timezone: fields.timezone.default("UTC"),
  enabled: fields.enabled.default(true),
  tags: fields.tags.optional(),
});
export const patchScheduleSchema = z.strictObject(fields).partial();

export type CreateSchedule = Omit<z.output<typeof createScheduleSchema>, "batch"> & { batch: BatchSpec };
export type SchedulePatch = Omit<z.output<typeof patchScheduleSchema>, "batch" | "timezone"> & {
  timezone: string;
  batch?: BatchSpec;
};

/** The route's own message for a bad cron expression, also used by the documented example. */
export function cronProblem(expression: string, timezone: string): FieldError | undefined {
  try {
    cronFor(expression, isTimeZone(timezone) ? timezone : "UTC");
    return undefined;
  } catch (err) {
    return { path: "cron", message: `is not a valid cron expression: ${errorMessage(err)}` };
  }
}

/** The schedule's tags with each job's own (its batch's included): at most MAX_TAGS, reported on `tags` for the first job over. */
function checkScheduleTags(batch: BatchSpec, tags: string[] | undefined, errors: FieldError[]): void {
  const over = batch.jobs.findIndex((job) => (mergeTags(job.tags, tags)?.length ?? 0) > MAX_TAGS);
  if (tags?.length && over >= 0)
    errors.push({
      path: "tags",
      message: `with the tags of batch.jobs[${over}] (its own and the batch's), more than ${MAX_TAGS} tags`,
    });
}

/** Checks what zod cannot: the cron expression, the zone, and the batch like POST /v1/batches. */
function checkScheduleFields(
  value: { cron?: string; timezone?: string; batch?: unknown },
  ctx: SpecContext,
  errors: FieldError[],
): BatchSpec | undefined {
  if (value.timezone !== undefined && !isTimeZone(value.timezone))
    errors.push({ path: "timezone", message: "is not an IANA time zone" });
  if (value.cron !== undefined) {
    const problem = cronProblem(value.cron, value.timezone ?? "UTC");
    if (problem) errors.push(problem);
  }
  if ("batch" in value) {
    const result = validateBatch(value.batch, ctx, ["batch"], { schedule: true });
    errors.push(...result.errors);
    return result.spec;
  }
  return undefined;
}

export function validateSchedule(body: unknown, ctx: SpecContext): { spec?: CreateSchedule; errors: FieldError[] } {
  const parsed = createScheduleSchema.safeParse(body);
  const errors = parsed.success ? [] : fieldErrors(parsed.error.issues);
  const raw = (body ?? {}) as { cron?: unknown; timezone?: unknown; batch?: unknown };
  const batch = checkScheduleFields(
    {
      cron: typeof raw.cron === "string" ? raw.cron : undefined,
      timezone: typeof raw.timezone === "string" ? raw.timezone : parsed.success ? parsed.data.timezone : undefined,
      batch: raw.batch,
    },
    ctx,
    errors,
  );
  if (parsed.success && batch) checkScheduleTags(batch, parsed.data.tags, errors);
  if (!parsed.success || errors.length > 0 || !batch) return { errors };
  return { spec: { ...parsed.data, batch }, errors };
}

/**
 * A PATCH body against the schedule's current zone (a new cron is read in the zone it will have),
 * and its current batch and tags (new tags are checked with the batch it will have, and so on).
 */
export function validateSchedulePatch(
  body: unknown,
  currentTimezone: string,
  ctx: SpecContext,
  current?: { batch: BatchSpec; tags?: string[] | undefined },
): { patch?: SchedulePatch; errors: FieldError[] } {
  const parsed = patchScheduleSchema.safeParse(body);
  const errors = parsed.success ? [] : fieldErrors(parsed.error.issues);
  // a primitive body is already refused by patchScheduleSchema; `in` would throw on it
  const raw = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const timezone = typeof raw.timezone === "string" ? raw.timezone : currentTimezone;
  const batch = checkScheduleFields(
    {
      ...(typeof raw.cron === "string" ? { cron: raw.cron } : {}),
      timezone,
      ...("batch" in raw ? { batch: raw.batch } : {}),
    },
    ctx,
    errors,
  );
  if (parsed.success && (batch || parsed.data.tags) && (batch ?? current?.batch))
    checkScheduleTags((batch ?? current?.batch)!, parsed.data.tags ?? current?.tags, errors);
  if (!parsed.success || errors.length > 0) return { errors };
  const { batch: _, timezone: _t, ...rest } = parsed.data;
  return { patch: { ...rest, timezone, ...(batch ? { batch } : {}) }, errors };
}
