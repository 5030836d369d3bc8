// Admission: quote the jobs, then one call to the tenant's budget object reserves every estimate
// against every limit of its unit, or nothing. Whatever is refused was neither created nor sent.
import type { Config } from "../config.ts";
import { type QuoteSpec, quoteAll } from "../costs/quote.ts";
import { unitOf } from "../costs/units.ts";
import type { CostEstimate } from "../jobs/record.ts";
import { type ApiError, problem } from "../lib/problems.ts";
import { MODELS } from "../providers/models.ts";
import { type AdmitResult, budgetApi } from "./budget-client.ts";

export interface Candidate extends QuoteSpec {
  jobId: string;
  tags?: string[];
}

export interface Verdict {
  estimates: (CostEstimate | null)[];
  result: AdmitResult;
}

/** Quotes and admits (reserves) all the candidates at once; the verdict says whether they may start. */
export async function admitJobs(
  env: Env,
  config: Config,
  tenant: string,
  jobs: readonly Candidate[],
): Promise<Verdict> {
  const estimates = await quoteAll(env.DB, config, jobs);
  const result = await budgetApi(env, tenant).admit(
    jobs.map((j, i) => ({
      jobId: j.jobId,
      unit: unitOf(MODELS[j.model].provider),
      amount: estimates[i]?.amount ?? null,
      ...(j.tags ? { tags: j.tags } : {}),
    })),
    tenant,
  );
  return { estimates, result };
}

/** As admitJobs, but a refusal is the request's answer: 402 budget_exceeded or 503 quote_unavailable. */
export async function admitOrRefuse(
  env: Env,
  config: Config,
  tenant: string,
  jobs: readonly Candidate[],
): Promise<(CostEstimate | null)[]> {
  const { estimates, result } = await admitJobs(env, config, tenant, jobs);
  if (!result.ok) throw refusal(result);
  return estimates;
}

export function refusal(result: Exclude<AdmitResult, { ok: true }>): ApiError {
  if (result.code === "quote_unavailable")
    return problem("quote_unavailable", {
      detail: `A ${result.period} limit is set for ${result.unit}${result.tag ? ` (tag ${result.tag})` : ""}, and no estimate could be had for this request, so it was not started. Try again shortly.`,
      headers: { "Retry-After": "30" },
      extensions: { unit: result.unit, period: result.period },
    });
  return problem("budget_exceeded", {
    detail: `This request would cost ${result.requested} ${result.unit}, more than the ${result.remaining} left of the ${result.period} limit of ${result.limit} ${result.unit}${result.tag ? ` for jobs tagged ${result.tag}` : ""}. Nothing was created.`,
    extensions: {
      unit: result.unit,
      period: result.period,
      limit: result.limit,
      remaining: result.remaining,
      requested: result.requested,
      ...(result.tag ? { tag: result.tag } : {}),
    },
  });
}
