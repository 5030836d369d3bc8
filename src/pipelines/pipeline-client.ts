// How other code reaches the pipeline engine (the PipelineWorkflow, Cloudflare Workflows): the
// payload an instance starts with, the deterministic ids of its jobs, and the event a job sends
// when it ends. Apart from the workflow class so jobs and routes never import it.
import type { JobStatus } from "../jobs/record.ts";
import { derivedId } from "../lib/crypto.ts";

export interface PipelineRun {
  pipelineId: string;
  tenant: string;
}

export interface JobEnd {
  jobId: string;
  status: JobStatus;
}

/** The job `index` of step `stepId`: derived, so a replayed or restarted step re-finds its jobs (and admission reserves for them before they exist). */
export function pipelineJobId(pipelineId: string, stepId: string, index: number): Promise<string> {
  return derivedId("job", `${pipelineId}:${stepId}:${index}`);
}

/** The event type a job's end is sent as: one per job, so each wait takes exactly its own job's end. */
export function jobEndEvent(jobId: string): string {
  return `end-${jobId}`;
}

/** Starts the pipeline's workflow; an instance that already exists (a retried request) is left as it is. */
export async function startPipelineRun(env: Env, run: PipelineRun): Promise<void> {
  try {
    await env.PIPELINES.create({ id: run.pipelineId, params: run });
  } catch (err) {
    if (!/already.exists/i.test(String(err))) throw err;
  }
}

/** Tells the pipeline's workflow that one of its jobs ended (the job retries this until it lands). */
export async function sendJobEnd(env: Env, pipelineId: string, end: JobEnd): Promise<void> {
  const instance = await env.PIPELINES.get(pipelineId);
  try {
    await instance.sendEvent({ type: jobEndEvent(end.jobId), payload: end });
  } catch (err) {
    // a workflow that has ended needs no more news: the job stops retrying
    const { status } = await instance.status();
    if (status === "complete" || status === "errored" || status === "terminated") return;
    throw err;
  }
}
