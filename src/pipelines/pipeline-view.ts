// The pipeline as clients see it (docs/pipelines.md): its row and its steps from D1, the actual
// cost summed from its jobs in the index.
import { type PipelineRecord, pipelineActuals, readSteps, type StepRecord } from "../db/pipelines.ts";
import type { PipelineView } from "../schemas/pipeline-view.ts";

export type { PipelineView };

const iso = (ms: number) => new Date(ms).toISOString();

export async function pipelineView(env: Env, p: PipelineRecord, steps?: StepRecord[]): Promise<PipelineView> {
  const [rows, actual] = await Promise.all([steps ?? readSteps(env.DB, p.id), pipelineActuals(env.DB, p.tenant, p.id)]);
  return {
    id: p.id,
    status: p.status,
    steps: rows.map((s) => {
      const spec = p.spec.steps[s.idx];
      return {
        id: s.id,
        model: s.model as PipelineView["steps"][number]["model"],
        status: s.status,
        jobIds: s.jobIds,
        ...(spec?.each ? { each: spec.each } : {}),
        ...(spec && spec.needs.length > 0 ? { needs: spec.needs } : {}),
        ...(s.error ? { error: s.error } : {}),
      };
    }),
    cost: { estimate: p.estimate, actual },
    metadata: p.spec.metadata,
    tags: p.spec.tags,
    ...(p.spec.deadline ? { deadline: p.spec.deadline } : {}),
    ...(p.spec.webhook ? { webhook: p.spec.webhook } : {}),
    createdAt: iso(p.createdAt),
    ...(p.completedAt ? { completedAt: iso(p.completedAt) } : {}),
  };
}

/** Every job id of the pipeline's steps, in step order. */
export function pipelineJobIds(view: PipelineView): string[] {
  return view.steps.flatMap((s) => s.jobIds);
}
