// Reading jobs for the routes: one job of this tenant (404 otherwise), a page of the D1 index,
// and `Prefer: wait`, shared by /v1/jobs and /v1/batches/{id}/jobs.
import type { Context } from "hono";
import { decodeCursor, encodeCursor, listJobIds } from "../db/jobs-index.ts";
import { type JobApi, jobApi } from "../jobs/job-client.ts";
import { publicJob } from "../jobs/public-job.ts";
import { type JobRecord, TERMINAL } from "../jobs/record.ts";
import { notFound } from "../lib/problems.ts";
import { validationError } from "../lib/validation.ts";
import type { ListQuery } from "../schemas/job-query.ts";
import type { JobList } from "../schemas/job-view.ts";
import type { AppEnv } from "./context.ts";
import { linkSigner } from "./request.ts";

export function jobStub(c: Context<AppEnv>, id: string): JobApi {
  return jobApi(c.env, id);
}

/** The job, if this tenant owns it; the id's shape was checked by the route definition. */
export async function loadJob(c: Context<AppEnv>, id: string): Promise<JobRecord> {
  const job = await jobStub(c, id).read(c.get("tenant"));
  if (!job) throw notFound(`Job ${id}`);
  return job;
}

/** Holds the answer until the job ends or `seconds` pass (Prefer: wait). */
export async function waitForEnd(c: Context<AppEnv>, job: JobRecord, seconds: number): Promise<JobRecord> {
  const deadline = Date.now() + seconds * 1000;
  let current = job;
  while (!TERMINAL.has(current.status) && Date.now() < deadline) {
    const next = await jobStub(c, job.id).waitForChange(c.get("tenant"), current.updatedAt, deadline - Date.now());
    if (!next) break;
    current = next;
  }
  c.header("Preference-Applied", `wait=${seconds}`);
  return current;
}

/** One page of this tenant's jobs for a validated query. */
export async function listJobs(c: Context<AppEnv>, query: ListQuery): Promise<JobList> {
  const { cursor: cursorText, ...filter } = query;
  const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText);
  if (cursorText !== undefined && !cursor)
    throw validationError([{ path: "cursor", message: "is not a cursor from a previous page" }]);
  const tenant = c.get("tenant");
  const page = await listJobIds(c.env.DB, { tenant, ...filter, cursor });
  const sign = linkSigner(c);
  const jobs = await Promise.all(page.ids.map((id) => jobStub(c, id).read(tenant)));
  // the index may lag its objects by a moment: a job that has since left the status asked for is not shown under it
  const live = jobs.filter(
    (j): j is JobRecord => j !== null && (filter.status === undefined || j.status === filter.status),
  );
  const data = await Promise.all(live.map((j) => publicJob(j, sign)));
  return { data, nextCursor: page.next ? encodeCursor(page.next) : null };
}
