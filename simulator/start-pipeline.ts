// The pipeline `npm start` runs next to its demo jobs: a Seedream still, then a Seedance clip made
// from it (the worker hands the clip the still's signed link), and the one line that sums it up.
import type { Job } from "./start-view.ts";

export const DEMO_PIPELINE = {
  steps: [
    {
      id: "still",
      model: "weshop/seedream",
      params: { textDescription: "a red sneaker on a white pedestal, studio light" },
    },
    {
      id: "clip",
      model: "weshop/seedance",
      params: {
        textDescription: "the sneaker turns slowly",
        images: ["{{steps.still.outputs.0.url}}"],
        duration: "5s",
      },
    },
  ],
  metadata: { demo: "npm start" },
};

export function pipelineJobIds(pipeline: Job): string[] {
  return (pipeline.steps ?? []).flatMap((s: Job) => s.jobIds as string[]);
}

export function pipelineEnded(pipeline: Job): boolean {
  return pipeline.status !== "running" && Boolean(pipeline.completedAt);
}

export function pipelineLine(pipeline: Job): string {
  const steps = (pipeline.steps ?? [])
    .map((s: Job) => `${s.id} ${s.status}${s.jobIds.length ? ` (${s.jobIds.join(", ")})` : ""}`)
    .join(" → ");
  return `  Pipeline ${pipeline.id}: ${pipeline.status}; ${steps}`;
}
