// Helpers for the pipeline tests: create and read pipelines through the API, wait (in real time)
// for the workflow to move, and drive each step's jobs with the simulator's clock.
import { api, driveJob, type Harness, storedJob } from "./harness.ts";

export interface PipelineBody {
  id: string;
  status: string;
  steps: { id: string; model: string; status: string; jobIds: string[]; error?: string }[];
  cost: { estimate: { unit: string; amount: number }[]; actual: { unit: string; amount: number }[] };
  completedAt?: string;
  [key: string]: unknown;
}

export const STILL = { id: "still", model: "weshop/seedream", params: { textDescription: "a red sneaker" } };
export const CLIP = {
  id: "clip",
  model: "weshop/seedance",
  params: { textDescription: "the sneaker turns", images: ["{{steps.still.outputs.0.url}}"], duration: "5s" },
};

export async function postPipeline(
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: PipelineBody & Record<string, unknown> }> {
  const res = await api("/v1/pipelines", { json: body, headers });
  return { status: res.status, body: (await res.json()) as PipelineBody & Record<string, unknown> };
}

export async function createPipeline(body: unknown): Promise<PipelineBody> {
  const { status, body: json } = await postPipeline(body);
  if (status !== 202) throw new Error(`pipeline create failed ${status}: ${JSON.stringify(json)}`);
  return json;
}

export async function getPipeline(id: string): Promise<PipelineBody> {
  const res = await api(`/v1/pipelines/${id}`);
  if (res.status !== 200) throw new Error(`get pipeline failed ${res.status}`);
  return (await res.json()) as PipelineBody;
}

/** Polls the pipeline (real time: the workflow runs by itself) until `done` holds. */
export async function waitForPipeline(
  id: string,
  done: (p: PipelineBody) => boolean,
  timeoutMs = 20_000,
): Promise<PipelineBody> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const p = await getPipeline(id);
    if (done(p)) return p;
    if (Date.now() > end) throw new Error(`pipeline ${id} did not get there: ${JSON.stringify(p)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const stepOf = (p: PipelineBody, id: string) => p.steps.find((s) => s.id === id)!;

/** The step's jobs once it has started, registered with the harness so its clean-up parks them. */
export async function startedJobs(h: Harness, pipelineId: string, stepId: string): Promise<string[]> {
  const p = await waitForPipeline(
    pipelineId,
    (q) => stepOf(q, stepId).jobIds.length > 0 || !["waiting", "running"].includes(stepOf(q, stepId).status),
  );
  const ids = stepOf(p, stepId).jobIds;
  for (const id of ids) if (!h.jobs.includes(id)) h.jobs.push(id);
  return ids;
}

/** Drives every job of the step to its end. */
export async function runStep(h: Harness, pipelineId: string, stepId: string): Promise<string[]> {
  const ids = await startedJobs(h, pipelineId, stepId);
  for (const id of ids) await driveJob(h, id);
  return ids;
}

export const ended = (p: PipelineBody) => p.status !== "running" && p.completedAt !== undefined;

export { storedJob };
