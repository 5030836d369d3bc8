// One Cloudflare Workflows instance per pipeline. Every side effect is a `step.do` (its result is
// stored by the engine, so a restarted or replayed instance skips what it already did), and a job's
// end arrives as an event sent by the job itself (`step.waitForEvent`). Steps whose needs are met
// run side by side; a step whose need did not succeed is skipped and sends nothing.
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import type { JobStatus } from "../jobs/record.ts";
import { log } from "../lib/log.ts";
import { announcePipeline } from "./pipeline-announce.ts";
import { type JobEnd, jobEndEvent, type PipelineRun } from "./pipeline-client.ts";
import {
  endedStatus,
  endPipeline,
  finishStep,
  loadRun,
  type StepOutcome,
  skipStep,
  startStep,
} from "./pipeline-run.ts";

/** How long one wait for a job's event lasts before the job is asked directly (a lost event costs at most this). */
const EVENT_WAIT = "10 minutes";
/** Enough waits for the longest job (its own deadline ends it well before). */
const MAX_WAITS = 200;
const RETRIES = { retries: { limit: 10, delay: "2 seconds" as const, backoff: "exponential" as const } };

/** `step.do` for results that are plain JSON (the engine stores them); its types cannot see through `unknown` params. */
async function stepDo<T>(step: WorkflowStep, name: string, work: () => Promise<T>): Promise<T> {
  return (await step.do(name, RETRIES, async () => (await work()) as unknown as Rpc.Serializable<unknown>)) as T;
}

export class PipelineWorkflow extends WorkflowEntrypoint<Env, PipelineRun> {
  override async run(event: WorkflowEvent<PipelineRun>, step: WorkflowStep): Promise<{ status: string }> {
    const run = event.payload;
    const p = await stepDo(step, "load", () => loadRun(this.env, run));
    const created: string[][] = p.spec.steps.map(() => []);
    const outcomes = new Map<string, Promise<StepOutcome>>();
    const outcome = (id: string): Promise<StepOutcome> => {
      let o = outcomes.get(id);
      if (!o) {
        const idx = p.spec.steps.findIndex((s) => s.id === id);
        o = this.runStep(step, p, idx, outcome, created);
        outcomes.set(id, o);
      }
      return o;
    };
    const ends = await Promise.all(p.spec.steps.map((s) => outcome(s.id)));
    const status = await stepDo(step, "end", () => endPipeline(this.env, p, ends, created.flat()));
    await stepDo(step, "announce", () => announcePipeline(this.env, p.id, p.tenant));
    return { status };
  }

  private async runStep(
    step: WorkflowStep,
    p: Awaited<ReturnType<typeof loadRun>>,
    idx: number,
    outcome: (id: string) => Promise<StepOutcome>,
    created: string[][],
  ): Promise<StepOutcome> {
    const spec = p.spec.steps[idx]!;
    const needs: Record<string, StepOutcome> = {};
    for (const id of spec.needs) needs[id] = await outcome(id);
    const unmet = spec.needs.find((id) => needs[id]!.status !== "succeeded");
    if (unmet)
      return stepDo(step, `skip ${spec.id}`, () => skipStep(this.env, p, idx, `step ${unmet} ${needs[unmet]!.status}`));
    const started = await stepDo(step, `start ${spec.id}`, () => startStep(this.env, p, idx, needs));
    if ("ended" in started) return { status: started.ended, outputKeys: [] };
    created[idx] = started.jobIds;
    await Promise.all(started.jobIds.map((jobId, j) => this.waitForJob(step, p.tenant, `${spec.id} ${j}`, jobId)));
    return stepDo(step, `finish ${spec.id}`, () => finishStep(this.env, p, idx, started.jobIds));
  }

  /** Until the job has ended: ask it, then wait for its event; a wait that times out asks again. */
  private async waitForJob(step: WorkflowStep, tenant: string, name: string, jobId: string): Promise<JobStatus> {
    for (let k = 0; k < MAX_WAITS; k++) {
      const ended = await stepDo(step, `check ${name} ${k}`, () => endedStatus(this.env, jobId, tenant));
      if (ended) return ended;
      try {
        const event = await step.waitForEvent<JobEnd>(`end ${name} ${k}`, {
          type: jobEndEvent(jobId),
          timeout: EVENT_WAIT,
        });
        return event.payload.status;
      } catch {
        log("info", "pipeline job end not heard yet; asking the job", { jobId, wait: k });
      }
    }
    throw new Error(`job ${jobId} did not end`);
  }
}
