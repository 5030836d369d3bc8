// /v1/quotes, /v1/budget and /v1/usage: what jobs would cost, the caller's limits, and what its
// jobs did cost (definitions in cost-routes.ts).
import { budgetApi } from "../../budgets/budget-client.ts";
import { quoteAll } from "../../costs/quote.ts";
import { sumEstimates } from "../../costs/sums.ts";
import { usage } from "../../db/usage.ts";
import { validationError } from "../../lib/validation.ts";
import { validateBatch } from "../../schemas/batch-spec.ts";
import { validateBudget } from "../../schemas/costs.ts";
import { validateJobSpec } from "../../schemas/job-spec.ts";
import { quotePipeline } from "./pipeline-quote.ts";
import { routeGroup } from "../openapi/hook.ts";
import { readJsonBody, specContext } from "../request.ts";
import { createQuote, getBudgetRoute, getUsageRoute, putBudgetRoute } from "./cost-routes.ts";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export const costRoutes = routeGroup()
  .openapi(createQuote, async (c) => {
    const body = await readJsonBody(c);
    if (isObject(body) && "pipeline" in body) return c.json(await quotePipeline(c, body), 200);
    const checked = isObject(body) && "jobs" in body ? validateBatch(body, specContext(c)) : validateJobSpec(body, specContext(c));
    if (!checked.spec) throw validationError(checked.errors);
    const specs = "jobs" in checked.spec ? checked.spec.jobs : [checked.spec];
    const estimates = await quoteAll(c.env.DB, c.get("config"), specs);
    return c.json({ total: sumEstimates(estimates), jobs: specs.map((s, i) => ({ model: s.model, estimate: estimates[i] ?? null })) }, 200);
  })
  .openapi(getBudgetRoute, async (c) => c.json({ limits: await budgetApi(c.env, c.get("tenant")).limits() }, 200))
  .openapi(putBudgetRoute, async (c) => {
    const { budget, errors } = validateBudget(await readJsonBody(c));
    if (!budget) throw validationError(errors);
    return c.json({ limits: await budgetApi(c.env, c.get("tenant")).setLimits(budget.limits) }, 200);
  })
  .openapi(getUsageRoute, async (c) => {
    const query = c.req.valid("query");
    const now = new Date();
    const from = query.from !== undefined ? Date.parse(query.from) : Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const to = query.to !== undefined ? Date.parse(query.to) : now.getTime() + 1;
    if (to <= from) throw validationError([{ path: "to", message: "must be after from" }]);
    return c.json({ data: await usage(c.env.DB, c.get("tenant"), from, to, query.groupBy) }, 200);
  });
