// A batch's `tags` and `deadline`, given to each of its jobs: tags after the job's own (at most 10
// in all), the deadline unless the job names its own. A schedule's batch runs again and again, so
// its deadline is a duration from each run (ISO-8601, e.g. "PT2H"), not a time.
import type { FieldError } from "../lib/problems.ts";
import { fieldErrors, formatPath } from "../lib/validation.ts";
import type { JobSpec } from "./job-spec.ts";
import { deadlineSchema, MAX_DEADLINE_MS, MAX_TAGS, mergeTags } from "./lifecycle-fields.ts";

export type BatchDeadline = { at: number; afterMs?: undefined } | { afterMs: number; at?: undefined };

const DURATION = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/;

/** ISO-8601 duration of hours, minutes, seconds ("PT2H30M") in ms; undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === "PT") return undefined;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

export function batchDeadline(
  raw: unknown,
  schedule: boolean,
  path: (string | number)[],
  errors: FieldError[],
): BatchDeadline | undefined {
  if (raw === undefined) return undefined;
  if (!schedule) {
    const parsed = deadlineSchema.safeParse(raw);
    if (parsed.success) return { at: Date.parse(parsed.data) };
    errors.push(...fieldErrors(parsed.error.issues, path));
    return undefined;
  }
  const ms = typeof raw === "string" ? durationMs(raw) : undefined;
  if (ms !== undefined && ms > 0 && ms <= MAX_DEADLINE_MS) return { afterMs: ms };
  errors.push({
    path: formatPath(path),
    message: "must be an ISO-8601 duration from each run, e.g. PT2H, of at most 7 days",
  });
  return undefined;
}

export function withBatchFields(
  jobs: JobSpec[],
  tags: string[] | undefined,
  deadline: BatchDeadline | undefined,
  prefix: (string | number)[],
  errors: FieldError[],
): JobSpec[] {
  return jobs.map((job, i) => {
    const merged = mergeTags(job.tags, tags);
    if (merged && merged.length > MAX_TAGS)
      errors.push({
        path: formatPath([...prefix, "jobs", i, "tags"]),
        message: `with the batch's tags, more than ${MAX_TAGS} tags`,
      });
    return {
      ...job,
      ...(merged ? { tags: merged } : {}),
      ...(deadline?.at !== undefined && job.deadline === undefined ? { deadline: deadline.at } : {}),
    };
  });
}
