// The fields the data lifecycle adds to job, batch and schedule specs: `tags` (cost per campaign,
// filters) and `deadline` (the time after which an unfinished job is of no use to the caller).
import { z } from "zod";

export const MAX_TAGS = 10;
export const TAG = /^[a-z0-9][a-z0-9_.:-]{0,62}$/;
/** A deadline may be at most this far ahead: a job is followed for at most about that long anyway. */
export const MAX_DEADLINE_MS = 7 * 24 * 3600_000;

export const tagSchema = z.string({ error: "must be a string" }).regex(TAG, "must match [a-z0-9][a-z0-9_.:-]{0,62}");

export const tagsSchema = z
  .array(tagSchema, { error: "must be an array of tags" })
  .max(MAX_TAGS, `may hold at most ${MAX_TAGS} tags`)
  .refine((tags) => new Set(tags).size === tags.length, "must not repeat a tag");

/** An ISO-8601 time with its offset, in the future and at most 7 days ahead (checked when the request is read). */
export const deadlineSchema = z
  .string({ error: "must be an ISO-8601 time" })
  .refine(
    (s) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
    {
      message: "must be an ISO-8601 time with a time zone, e.g. 2026-12-06T18:00:00Z",
      abort: true,
    },
  )
  .refine((s) => Date.parse(s) > Date.now(), "must be in the future")
  .refine((s) => Date.parse(s) <= Date.now() + MAX_DEADLINE_MS, "must be at most 7 days ahead");

/** Tags of a batch (or schedule) given to each of its jobs, after the job's own, without repeats. */
export function mergeTags(
  own: readonly string[] | undefined,
  inherited: readonly string[] | undefined,
): string[] | undefined {
  if (!own?.length && !inherited?.length) return undefined;
  return [...new Set([...(own ?? []), ...(inherited ?? [])])];
}
