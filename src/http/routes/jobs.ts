// /v1/jobs: create (idempotent with Idempotency-Key), read, list, cancel and follow jobs.
import { Hono, type Context } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { decodeCursor, encodeCursor, listJobIds } from "../../db/jobs-index.ts";
import { ApiError, notFound } from "../../lib/errors.ts";
import { randomId, sha256Hex } from "../../lib/crypto.ts";
import { fieldErrors, validationError } from "../../lib/validation.ts";
import { TERMINAL, publicJob, type JobRecord, type JobStatus } from "../../jobs/record.ts";
import { jobApi, type JobApi, type NewJob } from "../../jobs/job-client.ts";
import { canonicalJson, idempotencyApi } from "../../idempotency/idempotency-client.ts";
import { MODEL_IDS } from "../../providers/models.ts";
import { validateJobSpec } from "../../schemas/job-spec.ts";
import { admitOrRefuse } from "../../budgets/admission.ts";
import type { AppEnv } from "../context.ts";
import { linkSigner, preferredWait, readJsonBody } from "../request.ts";

const JOB_ID = /^job_[0-9a-z]{20}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const STATUSES = ["queued", "running", "copying", "succeeded", "failed", "canceled"] as const satisfies readonly JobStatus[];
/** How long one live-status wait lasts before a keep-alive comment is sent. */
const SSE_HEARTBEAT_MS = 15_000;

export function jobStub(c: Context<AppEnv>, id: string): JobApi {
  return jobApi(c.env, id);
}

export async function loadJob(c: Context<AppEnv>, id: string): Promise<JobRecord> {
  // ids that cannot exist never touch a Durable Object
  if (!JOB_ID.test(id)) throw notFound(`Job ${id}`);
  const job = await jobStub(c, id).read(c.get("tenant"));
  if (!job) throw notFound(`Job ${id}`);
  return job;
}

/** Holds the answer until the job ends or `seconds` pass (Prefer: wait). */
async function waitForEnd(c: Context<AppEnv>, job: JobRecord, seconds: number): Promise<JobRecord> {
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

/** The query of `GET /v1/jobs` (and `GET /v1/batches/{id}/jobs`); the OpenAPI document derives its parameters from it. */
export const listQuery = z.strictObject({
  status: z.enum(STATUSES, { error: `must be one of: ${STATUSES.join(", ")}` }).optional(),
  model: z.enum(MODEL_IDS, { error: `must be one of: ${MODEL_IDS.join(", ")}` }).optional(),
  batchId: z
    .string()
    .regex(/^batch_[0-9a-z]{20}$/, "is not a batch id")
    .optional(),
  limit: z.coerce
    .number({ error: "must be an integer from 1 to 100" })
    .int("must be an integer from 1 to 100")
    .min(1, "must be an integer from 1 to 100")
    .max(100, "must be an integer from 1 to 100")
    .default(20),
  cursor: z.string().optional(),
});

export async function listJobs(c: Context<AppEnv>, query: Record<string, string>) {
  const parsed = listQuery.safeParse(query);
  if (!parsed.success) throw validationError(fieldErrors(parsed.error.issues));
  const { cursor: cursorText, ...filter } = parsed.data;
  const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText);
  if (cursorText !== undefined && !cursor) throw validationError([{ path: "cursor", message: "is not a cursor from a previous page" }]);
  const tenant = c.get("tenant");
  const page = await listJobIds(c.env.DB, { tenant, ...filter, cursor });
  const sign = linkSigner(c);
  const jobs = await Promise.all(page.ids.map((id) => jobStub(c, id).read(tenant)));
  // the index may lag its objects by a moment: a job that has since left the status asked for is not shown under it
  const live = jobs.filter((j): j is JobRecord => j !== null && (filter.status === undefined || j.status === filter.status));
  const data = await Promise.all(live.map((j) => publicJob(j, sign)));
  return { data, nextCursor: page.next ? encodeCursor(page.next) : null };
}

export const jobRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const idempotencyKey = c.req.header("Idempotency-Key");
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey))
      throw validationError([{ path: "Idempotency-Key", message: "must be 1 to 255 visible ASCII characters" }]);
    const body = await readJsonBody(c);
    const config = c.get("config");
    const { spec, errors } = validateJobSpec(body, { allowLoopbackHttp: config.devMode, webhooksEnabled: config.webhookSecret !== undefined });
    if (!spec) throw validationError(errors);
    const tenant = c.get("tenant");
    let input: NewJob = { id: randomId("job"), tenant, ...spec, origin: new URL(c.req.url).origin };
    if (idempotencyKey !== undefined) {
      // the claim decides which request's job stands; every request then creates that same job,
      // so one still being processed and one replayed answer alike
      const claims = idempotencyApi(c.env, `${tenant}:jobs:${idempotencyKey}`);
      const claim = await claims.claim(await sha256Hex(canonicalJson(spec)), input);
      if (claim.kind === "mismatch")
        throw new ApiError(
          422,
          "idempotency_key_reused",
          "Idempotency-Key reused",
          "This Idempotency-Key was already used with a different request body in the last 24 hours.",
        );
      if (claim.kind === "replay") c.header("Idempotent-Replayed", "true");
      input = claim.value;
    }
    // admitted against the caller's budget before anything exists: a refusal creates and sends nothing
    const [estimate] = await admitOrRefuse(c.env, config, tenant, [{ jobId: input.id, model: input.model, params: input.params }]);
    input = { ...input, estimate: estimate ?? null };
    let record = await jobStub(c, input.id).create(input);
    const wait = preferredWait(c);
    if (wait) record = await waitForEnd(c, record, wait);
    c.header("Location", `/v1/jobs/${input.id}`);
    return c.json(await publicJob(record, linkSigner(c)), 202);
  })
  .get("/", async (c) => c.json(await listJobs(c, c.req.query())))
  .get("/:id", async (c) => {
    let job = await loadJob(c, c.req.param("id"));
    const wait = preferredWait(c);
    if (wait) job = await waitForEnd(c, job, wait);
    return c.json(await publicJob(job, linkSigner(c)));
  })
  .post("/:id/cancel", async (c) => {
    const id = c.req.param("id");
    if (!JOB_ID.test(id)) throw notFound(`Job ${id}`);
    const { job, canceled } = await jobStub(c, id).cancel(c.get("tenant"));
    if (!job) throw notFound(`Job ${id}`);
    if (!canceled) throw new ApiError(409, "job_finished", "Job already finished", `Job ${id} already ended as ${job.status}; it cannot be canceled.`);
    return c.json(await publicJob(job, linkSigner(c)));
  })
  .get("/:id/events", async (c) => {
    const first = await loadJob(c, c.req.param("id"));
    const tenant = c.get("tenant");
    const sign = linkSigner(c);
    const lastSeen = Number(c.req.header("Last-Event-ID") ?? Number.NaN);
    return streamSSE(c, async (stream) => {
      let aborted = false;
      stream.onAbort(() => {
        aborted = true;
      });
      let job: JobRecord | null = first;
      let sent = Number.isFinite(lastSeen) ? lastSeen : -1;
      while (job && !aborted) {
        if (job.updatedAt > sent) {
          await stream.writeSSE({ event: "job", id: String(job.updatedAt), data: JSON.stringify(await publicJob(job, sign)) });
          sent = job.updatedAt;
        }
        if (TERMINAL.has(job.status)) break;
        const next: JobRecord | null = await jobStub(c, job.id).waitForChange(tenant, sent, SSE_HEARTBEAT_MS);
        if (next && next.updatedAt <= sent) await stream.write(": keep-alive\n\n");
        job = next;
      }
    });
  });
