// What the job tools answer: the job as GET /v1/jobs/{id} shows it, `nextAction` while it is
// unfinished, and each stored file as a resource_link; and the wait that holds the answer until
// the job ends or the caller's seconds are up, telling the client each change on the way.
import type { ContentBlock } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { PublicJob, PublicMedia } from "../../jobs/record.ts";
import { JOB_ID } from "../../lib/ids.ts";
import { jobSchema } from "../../schemas/job-view.ts";
import type { ToolContext, ToolOutput } from "../tool.ts";

/** Seconds a call may hold its answer: below the common MCP client tool timeouts (60 s). */
export const MAX_WAIT_SECONDS = 45;
export const DEFAULT_WAIT_SECONDS = 30;

const FINISHED = new Set(["succeeded", "failed", "canceled"]);

export const jobIdSchema = z
  .string({ error: "must be a job id" })
  .regex(JOB_ID, "is not a job id (job_ and 20 characters)");

export const waitSecondsSchema = z
  .int({ error: `must be an integer from 0 to ${MAX_WAIT_SECONDS}` })
  .min(0, `must be an integer from 0 to ${MAX_WAIT_SECONDS}`)
  .max(MAX_WAIT_SECONDS, `must be an integer from 0 to ${MAX_WAIT_SECONDS}`)
  .default(DEFAULT_WAIT_SECONDS)
  .meta({
    description: `Seconds to wait for the job to finish before answering (0–${MAX_WAIT_SECONDS}, default ${DEFAULT_WAIT_SECONDS}). An unfinished job comes back with nextAction.`,
  });

const nextActionSchema = z
  .strictObject({
    tool: z.literal("wait_for_job"),
    arguments: z.strictObject({ job_id: z.string() }),
  })
  .meta({
    description:
      "Present while the job is unfinished: call this tool with these arguments (never create the job again).",
  });

export const jobResultSchema = z.strictObject({
  job: jobSchema,
  nextAction: nextActionSchema.optional(),
});
export type JobResult = z.output<typeof jobResultSchema>;

const EXTENSIONS: Record<string, string> = {
  "video/mp4": "mp4",
  "video/quicktime": "mov",
  "video/webm": "webm",
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
};

function link(job: PublicJob, media: PublicMedia, what: string, name: string): ContentBlock[] {
  if (media.status !== "stored" || !media.url) return [];
  const ext = media.contentType ? EXTENSIONS[media.contentType.split(";")[0]!.trim()] : undefined;
  return [
    {
      type: "resource_link",
      uri: media.url,
      name: ext ? `${name}.${ext}` : name,
      description: `${what} of ${job.model} job ${job.id}; signed link, works without the API key until ${media.expiresAt}.`,
      ...(media.contentType ? { mimeType: media.contentType } : {}),
      ...(media.size !== null ? { size: media.size } : {}),
    },
  ];
}

/** Resource links to every stored file of a finished job: each result, and a video's poster and last frame. */
export function mediaLinks(job: PublicJob): ContentBlock[] {
  return job.outputs.flatMap((o) => [
    ...link(job, o, `${o.kind} ${o.index}`, `${job.id}-${o.index}`),
    ...(o.poster ? link(job, o.poster, `Poster of video ${o.index}`, `${job.id}-${o.index}-poster`) : []),
    ...(o.lastFrame ? link(job, o.lastFrame, `Last frame of video ${o.index}`, `${job.id}-${o.index}-last-frame`) : []),
  ]);
}

export function jobOutput(job: PublicJob): ToolOutput<JobResult> {
  const finished = FINISHED.has(job.status);
  return {
    structured: {
      job,
      ...(finished ? {} : { nextAction: { tool: "wait_for_job" as const, arguments: { job_id: job.id } } }),
    },
    links: finished ? mediaLinks(job) : [],
  };
}

const ordinal = (n: number) =>
  `${n}${n % 10 === 1 && n % 100 !== 11 ? "st" : n % 10 === 2 && n % 100 !== 12 ? "nd" : n % 10 === 3 && n % 100 !== 13 ? "rd" : "th"}`;

/**
 * The ETA to 10 s: it is recomputed on every read, so to the millisecond it would differ on each
 * change and repeat an otherwise unchanged progress line.
 */
function roughly(iso: string): string {
  return new Date(Math.round(Date.parse(iso) / 10_000) * 10_000).toISOString().replace(".000Z", "Z");
}

/** One line for a progress notification: the status, the place in line, the provider's word, the ETA. */
export function describeJob(job: PublicJob): string {
  const eta = job.estimatedCompletionAt;
  const parts: string[] = [job.status];
  if (job.status === "queued" && job.queuePosition)
    parts.push(`${ordinal(job.queuePosition)} in line for a ${job.provider.name} slot`);
  if (job.status === "running" && job.provider.status) parts.push(`provider status ${job.provider.status}`);
  if (job.status === "succeeded")
    parts.push(`${job.outputs.filter((o) => o.status === "stored").length} output(s) stored`);
  if (job.error) parts.push(`${job.error.code}: ${job.error.message}`);
  if (eta && !FINISHED.has(job.status)) parts.push(`expected by ${roughly(eta)}`);
  return `Job ${job.id}: ${parts.join(", ")}`;
}

/**
 * Holds until the job finishes or `seconds` pass, reading the job through the API after each
 * change and sending a progress notification whenever what it says changes.
 */
export async function waitForJob(ctx: ToolContext, first: PublicJob, seconds: number): Promise<PublicJob> {
  const deadline = Date.now() + seconds * 1000;
  let job = first;
  let told = describeJob(job);
  await ctx.progress(told);
  while (!FINISHED.has(job.status) && !ctx.signal.aborted) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    await ctx.api.waitForChange(job.id, Date.parse(job.updatedAt), remaining);
    job = await ctx.api.request<PublicJob>("GET", `/v1/jobs/${job.id}`);
    const now = describeJob(job);
    if (now !== told) await ctx.progress(now);
    told = now;
  }
  return job;
}
