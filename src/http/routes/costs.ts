// /v1/quotes, /v1/budget and /v1/usage: what jobs would cost, the caller's limits, and what its
// jobs did cost. The definitions of its operations first, then their handlers.
import { createRoute } from "@hono/zod-openapi";
import { budgetApi } from "../../budgets/budget-client.ts";
import { quoteAll } from "../../costs/quote.ts";
import { sumEstimates } from "../../costs/sums.ts";
import { usage } from "../../db/usage.ts";
import { validationError } from "../../lib/validation.ts";
import { validateBatch } from "../../schemas/batch-spec.ts";
import {
  budgetSchema,
  quoteResponseSchema,
  usageQuerySchema,
  usageResponseSchema,
  validateBudget,
} from "../../schemas/costs.ts";
import { validateJobSpec } from "../../schemas/job-spec.ts";
import { MODEL_EXAMPLES } from "../openapi/examples.ts";
import { routeGroup } from "../openapi/hook.ts";
import {
  authenticated,
  authProblems,
  jsonBodyProblems,
  problemResponse,
  REQUEST_ID_HEADER,
  requires,
  validationProblem,
} from "../openapi/problems.ts";
import { ref } from "../openapi/request-schemas.ts";
import { readJsonBody, specContext } from "../request.ts";
import { quotePipeline } from "./pipelines/quote.ts";

const ok = <T>(description: string, schema: T, example: unknown) => ({
  description,
  headers: REQUEST_ID_HEADER,
  content: { "application/json": { schema, examples: { example: { summary: description, value: example } } } },
});

const seedream = { model: "weshop/seedream", params: MODEL_EXAMPLES["weshop/seedream"].params };
const wiro = {
  model: "wiro/ByteDance/text-to-video-seedance-v1",
  params: MODEL_EXAMPLES["wiro/ByteDance/text-to-video-seedance-v1"].params,
};

export const createQuoteRoute = createRoute({
  method: "post",
  path: "/v1/quotes",
  operationId: "createQuote",
  summary: "Quote jobs",
  description:
    "What a job spec, or a batch's `{jobs: [...]}`, would cost, per job and in total per unit. Creates nothing and starts no provider task. WeShop quotes come from WeShop's power estimate (`source: provider`); Wiro's from `WIRO_PRICE_TABLE` (`price_table`) or, once known, what recent runs of the same configuration cost (`history`). WeShop quotes are cached for 10 minutes per configuration.",
  tags: ["Costs"],
  ...requires("read"),
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: ref("CreateQuote"),
          examples: {
            one: { summary: "One job", value: seedream },
            batch: { summary: "A batch", value: { jobs: [seedream, wiro] } },
          },
        },
      },
    },
  },
  responses: {
    200: ok("The quote.", quoteResponseSchema, {
      total: [
        { unit: "usd", amount: 0.13 },
        { unit: "weshop_power", amount: 20 },
      ],
      jobs: [
        { model: seedream.model, estimate: { unit: "weshop_power", amount: 20, source: "provider", exact: true } },
        { model: wiro.model, estimate: { unit: "usd", amount: 0.13, source: "price_table", exact: true } },
      ],
    }),
    ...jsonBodyProblems({
      validation_failed: validationProblem([{ path: "jobs[0].params.textDescription", message: "is required" }]),
    }),
    ...authProblems,
  },
});

const budgetExample = {
  limits: [
    {
      unit: "weshop_power",
      period: "day",
      amount: 50,
      used: 20,
      reserved: 20,
      remaining: 10,
      resetsAt: "2026-11-22T00:00:00.000Z",
    },
    {
      unit: "usd",
      period: "month",
      amount: 20,
      used: 3.9,
      reserved: 0.26,
      remaining: 15.84,
      resetsAt: "2026-12-01T00:00:00.000Z",
    },
  ],
};

export const getBudgetRoute = createRoute({
  method: "get",
  path: "/v1/budget",
  operationId: "getBudget",
  summary: "Get the budget",
  description:
    "This key's limits, each with what the current period has used (settled jobs), reserved (jobs admitted and not ended) and left.",
  tags: ["Costs"],
  ...authenticated,
  responses: { 200: ok("The budget.", budgetSchema, budgetExample), ...authProblems },
});

export const putBudgetRoute = createRoute({
  method: "put",
  path: "/v1/budget",
  operationId: "putBudget",
  summary: "Set the budget",
  description:
    "Replaces this key's limits (`[]`: none). Periods are UTC calendar days and months; a job counts in the period it was admitted in. Every job, batch and scheduled run then reserves its estimate against every limit of its unit, or is refused with `402`.",
  tags: ["Costs"],
  ...requires("budget:write"),
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: ref("PutBudget"),
          examples: {
            two: {
              summary: "A daily and a monthly limit",
              value: { limits: budgetExample.limits.map(({ unit, period, amount }) => ({ unit, period, amount })) },
            },
          },
        },
      },
    },
  },
  responses: {
    200: ok("The budget as set.", budgetSchema, budgetExample),
    ...jsonBodyProblems({
      validation_failed: validationProblem([{ path: "limits[1]", message: "repeats the day limit for usd" }]),
    }),
    ...authProblems,
  },
});

export const getUsageRoute = createRoute({
  method: "get",
  path: "/v1/usage",
  operationId: "getUsage",
  summary: "Get usage",
  description:
    "Actual costs of this key's jobs admitted in [`from`, `to`), grouped by day, model, batch or schedule; jobs whose cost is not known yet are not counted.",
  tags: ["Costs"],
  ...authenticated,
  request: { query: usageQuerySchema },
  responses: {
    200: ok("Usage per group and unit.", usageResponseSchema, {
      data: [
        { key: "weshop/seedream", unit: "weshop_power", amount: 40, jobs: 2 },
        { key: "wiro/ByteDance/text-to-video-seedance-v1", unit: "usd", amount: 0.13, jobs: 1 },
      ],
    }),
    400: problemResponse("Invalid query", {
      validation_failed: validationProblem([
        { path: "groupBy", message: "must be one of: day, model, batch, schedule, tag" },
      ]),
    }),
    ...authProblems,
  },
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export const costRoutes = routeGroup()
  .openapi(createQuoteRoute, async (c) => {
    const body = await readJsonBody(c);
    if (isObject(body) && "pipeline" in body) return c.json(await quotePipeline(c, body), 200);
    const checked =
      isObject(body) && "jobs" in body ? validateBatch(body, specContext(c)) : validateJobSpec(body, specContext(c));
    if (!checked.spec) throw validationError(checked.errors);
    const specs = "jobs" in checked.spec ? checked.spec.jobs : [checked.spec];
    const estimates = await quoteAll(c.env.DB, c.get("config"), specs);
    return c.json(
      {
        total: sumEstimates(estimates),
        jobs: specs.map((s, i) => ({ model: s.model, estimate: estimates[i] ?? null })),
      },
      200,
    );
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
    const from =
      query.from !== undefined ? Date.parse(query.from) : Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const to = query.to !== undefined ? Date.parse(query.to) : now.getTime() + 1;
    if (to <= from) throw validationError([{ path: "to", message: "must be after from" }]);
    return c.json({ data: await usage(c.env.DB, c.get("tenant"), from, to, query.groupBy) }, 200);
  });
