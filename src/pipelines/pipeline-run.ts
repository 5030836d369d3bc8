// What the PipelineWorkflow's steps do: start a step (resolve its references to signed links of the
// stored outputs, create its jobs with deterministic ids), read how its jobs ended, end the
// pipeline. Each is safe to run again: job creation is idempotent per id, D1 writes are guarded.

import { budgetApi } from "../budgets/budget-client.ts";
import { readConfig } from "../config.ts";
import {
  finishPipeline,
  type PipelineRecord,
  type PipelineStatus,
  readPipeline,
  type StepStatus,
  setStep,
} from "../db/pipelines.ts";
import { jobApi } from "../jobs/job-client.ts";
import { type JobStatus, TERMINAL } from "../jobs/record.ts";
import { errorMessage } from "../lib/error-message.ts";
import { log } from "../lib/log.ts";
import { fieldErrors } from "../lib/validation.ts";
import { LINK_TTL_SECONDS, makeLinkSigner } from "../media/links.ts";
import { MODELS } from "../providers/models.ts";
import { substitute } from "../schemas/pipeline-refs.ts";
import { type PipelineRun, pipelineJobId } from "./pipeline-client.ts";

/** How a step ended, and the R2 keys of its stored outputs in order (its jobs in order, each job's outputs in index order). */
export interface StepOutcome {
  status: StepStatus;
  outputKeys: string[];
}

export type Started = { jobIds: string[] } | { ended: StepStatus; error: string };

export async function loadRun(env: Env, run: PipelineRun): Promise<PipelineRecord> {
  const p = await readPipeline(env.DB, run.pipelineId, run.tenant);
  if (!p) throw new Error(`pipeline ${run.pipelineId} is not in D1`);
  return p;
}

/**
 * Creates the step's jobs, their params resolved from what the steps it needs stored. A cancel is
 * checked before (nothing is created) and after (what was created is canceled): the cancel route
 * marks the pipeline first and reads the step's jobs second, so one of the two sees the other.
 */
export async function startStep(
  env: Env,
  p: PipelineRecord,
  idx: number,
  needs: Record<string, StepOutcome>,
): Promise<Started> {
  const step = p.spec.steps[idx]!;
  if ((await readPipeline(env.DB, p.id))?.status === "canceled") {
    await setStep(env.DB, p.id, idx, "skipped", { error: "the pipeline was canceled" });
    return { ended: "skipped", error: "the pipeline was canceled" };
  }
  const config = readConfig(env);
  if (!config.ok || !config.config.publicBaseUrl)
    return fail(env, p, idx, "PUBLIC_BASE_URL is not set: references cannot be resolved");
  // signed now, valid at least a day: the next provider fetches them when its run starts
  const sign = makeLinkSigner(config.config.signingSecret, config.config.publicBaseUrl, Date.now(), LINK_TTL_SECONDS);
  const count = step.each ? needs[step.each]!.outputKeys.length : 1;
  if (count === 0) return fail(env, p, idx, `step ${step.each} stored no outputs to run once per output`);
  const specs: { params: Record<string, unknown> }[] = [];
  for (let j = 0; j < count; j++) {
    // first the R2 key each reference stands for, in the order substitute meets them; then their links, in the same order
    const keys: (string | undefined)[] = [];
    const missing: string[] = [];
    substitute(step.params, (ref) => {
      const key = ref.kind === "each" ? needs[step.each!]!.outputKeys[j] : needs[ref.step]?.outputKeys[ref.index];
      if (key === undefined && ref.kind === "output")
        missing.push(
          `output ${ref.index} of step ${ref.step}, which stored ${needs[ref.step]?.outputKeys.length ?? 0}`,
        );
      keys.push(key);
      return "";
    });
    if (missing.length > 0) return fail(env, p, idx, `no ${missing.join("; no ")}`);
    const urls = await Promise.all(keys.map(async (k) => (await sign(k!)).url));
    let n = 0;
    const resolved = substitute(step.params, () => urls[n++]!);
    const parsed = MODELS[step.model].params.safeParse(resolved);
    if (!parsed.success)
      return fail(
        env,
        p,
        idx,
        `params invalid once resolved: ${fieldErrors(parsed.error.issues, ["params"])
          .map((e) => `${e.path} ${e.message}`)
          .join("; ")}`,
      );
    specs.push({ params: parsed.data });
  }
  const jobIds = await Promise.all(specs.map((_, j) => pipelineJobId(p.id, step.id, j)));
  await Promise.all(
    specs.map((s, j) =>
      jobApi(env, jobIds[j]!).create({
        id: jobIds[j]!,
        tenant: p.tenant,
        model: step.model,
        params: s.params,
        metadata: p.spec.metadata,
        origin: p.origin,
        pipelineId: p.id,
        pipelineStep: step.id,
        // the pipeline's tags and deadline, as a batch gives its own to its jobs: cost per tag and the caller's limit hold per job
        ...(p.spec.tags.length > 0 ? { tags: p.spec.tags } : {}),
        ...(p.spec.deadline ? { deadline: Date.parse(p.spec.deadline) } : {}),
        estimate: step.estimates?.[j] ?? null,
      }),
    ),
  );
  await setStep(env.DB, p.id, idx, "running", { jobIds });
  if ((await readPipeline(env.DB, p.id))?.status === "canceled")
    await Promise.all(jobIds.map((id) => jobApi(env, id).cancel(p.tenant)));
  return { jobIds };
}

async function fail(env: Env, p: PipelineRecord, idx: number, error: string): Promise<Started> {
  log("warn", "pipeline step failed before any job was created", {
    pipelineId: p.id,
    step: p.spec.steps[idx]!.id,
    error,
  });
  await setStep(env.DB, p.id, idx, "failed", { error });
  return { ended: "failed", error };
}

/** A job's status if it has ended (else null): asked before waiting for its event, so an end already sent is never waited for. */
export async function endedStatus(env: Env, jobId: string, tenant: string): Promise<JobStatus | null> {
  const job = await jobApi(env, jobId).read(tenant);
  return job && TERMINAL.has(job.status) ? job.status : null;
}

/** The step ended with its jobs: failed if one failed, canceled if one was canceled, else succeeded; its stored outputs in order. */
export async function finishStep(env: Env, p: PipelineRecord, idx: number, jobIds: string[]): Promise<StepOutcome> {
  const jobs = await Promise.all(jobIds.map((id) => jobApi(env, id).read(p.tenant)));
  const statuses = jobs.map((j) => j?.status);
  const status: StepStatus = statuses.includes("failed")
    ? "failed"
    : statuses.includes("canceled")
      ? "canceled"
      : "succeeded";
  const firstError = jobs.find((j) => j?.error)?.error;
  await setStep(
    env.DB,
    p.id,
    idx,
    status,
    status === "succeeded" || !firstError ? {} : { error: `${firstError.code}: ${firstError.message}` },
  );
  const outputKeys = jobs.flatMap((j) =>
    (j?.outputs ?? []).filter((o) => o.role === undefined && o.status === "stored" && o.key).map((o) => o.key!),
  );
  return { status, outputKeys };
}

/** A step that will not run because a step it needs did not succeed. */
export async function skipStep(env: Env, p: PipelineRecord, idx: number, because: string): Promise<StepOutcome> {
  await setStep(env.DB, p.id, idx, "skipped", { error: because });
  return { status: "skipped", outputKeys: [] };
}

/** The pipeline's end: its status, the reservations of jobs never created given back. */
export async function endPipeline(
  env: Env,
  p: PipelineRecord,
  outcomes: StepOutcome[],
  created: string[],
): Promise<PipelineStatus> {
  const status: PipelineStatus = outcomes.every((o) => o.status === "succeeded") ? "succeeded" : "failed";
  await finishPipeline(env.DB, p.id, status, Date.now());
  const made = new Set(created);
  const reserved = (
    await Promise.all(
      p.spec.steps.flatMap((s) => Array.from({ length: s.maxJobs }, (_, j) => pipelineJobId(p.id, s.id, j))),
    )
  ).filter((id) => !made.has(id));
  try {
    if (reserved.length > 0) await budgetApi(env, p.tenant).release(reserved);
  } catch (err) {
    log("warn", "budget release of a pipeline's uncreated jobs failed", { pipelineId: p.id, error: errorMessage(err) });
  }
  return (await readPipeline(env.DB, p.id))?.status ?? status;
}
