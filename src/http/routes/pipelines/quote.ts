// POST /v1/quotes with `{pipeline: {steps}}`: what the pipeline would reserve, each step's jobs at
// their most (an `each` step at its source's most outputs), as POST /v1/pipelines admits it.
import type { Context } from "hono";
import { quoteAll } from "../../../costs/quote.ts";
import { sumEstimates } from "../../../costs/sums.ts";
import type { CostAmount, CostEstimate } from "../../../jobs/record.ts";
import { validationError } from "../../../lib/validation.ts";
import { validatePipeline } from "../../../schemas/pipeline-spec.ts";
import type { AppEnv } from "../../context.ts";
import { specContext } from "../../request.ts";

export async function quotePipeline(
  c: Context<AppEnv>,
  body: Record<string, unknown>,
): Promise<{ total: CostAmount[]; jobs: { model: string; estimate: CostEstimate | null }[] }> {
  const extra = Object.keys(body).filter((k) => k !== "pipeline");
  const { spec, errors } = validatePipeline(body.pipeline, {
    ...specContext(c),
    publicBaseUrl: c.get("config").publicBaseUrl !== undefined,
  });
  const all = [
    ...errors.map((e) => ({ ...e, path: `pipeline.${e.path}` })),
    ...extra.map((k) => ({ path: k, message: "is not a known field" })),
  ];
  if (!spec || all.length > 0) throw validationError(all);
  const specs = spec.steps.flatMap((s) =>
    Array.from({ length: s.maxJobs }, () => ({ model: s.model, params: s.quoteParams })),
  );
  const estimates = await quoteAll(c.env.DB, c.get("config"), specs);
  return {
    total: sumEstimates(estimates),
    jobs: specs.map((s, i) => ({ model: s.model, estimate: estimates[i] ?? null })),
  };
}
