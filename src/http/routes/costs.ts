// /v1/quotes, /v1/budget and /v1/usage: what jobs would cost, the caller's limits, and what its
// jobs did cost. Handlers are plain functions of the context, registered below.
import { Hono, type Context } from "hono";
import { budgetApi } from "../../budgets/budget-client.ts";
import { quoteAll } from "../../costs/quote.ts";
import { sumEstimates } from "../../costs/sums.ts";
import { usage } from "../../db/usage.ts";
import { fieldErrors, validationError } from "../../lib/validation.ts";
import { validateBatch } from "../../schemas/batch-spec.ts";
import { usageQuerySchema, validateBudget } from "../../schemas/costs.ts";
import { validateJobSpec } from "../../schemas/job-spec.ts";
import type { AppEnv } from "../context.ts";
import { readJsonBody } from "../request.ts";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** POST /v1/quotes: one job spec, or `{jobs: [...]}`; creates nothing and starts no task. */
export async function postQuote(c: Context<AppEnv>) {
  const body = await readJsonBody(c);
  const config = c.get("config");
  const ctx = { allowLoopbackHttp: config.devMode, webhooksEnabled: config.webhookSecret !== undefined };
  const checked = isObject(body) && "jobs" in body ? validateBatch(body, ctx) : validateJobSpec(body, ctx);
  if (!checked.spec) throw validationError(checked.errors);
  const specs = "jobs" in checked.spec ? checked.spec.jobs : [checked.spec];
  const estimates = await quoteAll(c.env.DB, config, specs);
  return c.json({ total: sumEstimates(estimates), jobs: specs.map((s, i) => ({ model: s.model, estimate: estimates[i] ?? null })) }, 200);
}

/** GET /v1/budget */
export async function getBudget(c: Context<AppEnv>) {
  return c.json({ limits: await budgetApi(c.env, c.get("tenant")).limits() }, 200);
}

/** PUT /v1/budget: replaces the caller's limits. */
export async function putBudget(c: Context<AppEnv>) {
  const { budget, errors } = validateBudget(await readJsonBody(c));
  if (!budget) throw validationError(errors);
  return c.json({ limits: await budgetApi(c.env, c.get("tenant")).setLimits(budget.limits) }, 200);
}

/** GET /v1/usage: actual costs of the caller's jobs admitted in [from, to), grouped. */
export async function getUsage(c: Context<AppEnv>) {
  const parsed = usageQuerySchema.safeParse(c.req.query());
  if (!parsed.success) throw validationError(fieldErrors(parsed.error.issues));
  const now = new Date();
  const from = parsed.data.from ?? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const to = parsed.data.to ?? now.getTime() + 1;
  if (to <= from) throw validationError([{ path: "to", message: "must be after from" }]);
  return c.json({ data: await usage(c.env.DB, c.get("tenant"), from, to, parsed.data.groupBy) }, 200);
}

export const costRoutes = new Hono<AppEnv>().post("/quotes", postQuote).get("/budget", getBudget).put("/budget", putBudget).get("/usage", getUsage);
