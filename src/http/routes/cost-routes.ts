// The definitions of /v1/quotes, /v1/budget and /v1/usage (handlers in costs.ts), and the 402 and
// 503 answers admission adds to every route that creates jobs.
import { createRoute } from "@hono/zod-openapi";
import { refusal } from "../../budgets/admission.ts";
import { budgetSchema, quoteResponseSchema, usageQuerySchema, usageResponseSchema } from "../../schemas/costs.ts";
import { MODEL_EXAMPLES } from "../openapi/examples.ts";
import {
  authenticated,
  requires,
  authProblems,
  jsonBodyProblems,
  problemBody,
  problemResponse,
  REQUEST_ID_HEADER,
  validationProblem,
} from "../openapi/problems.ts";
import { ref } from "../openapi/request-schemas.ts";

const ok = <T>(description: string, schema: T, example: unknown) => ({
  description,
  headers: REQUEST_ID_HEADER,
  content: { "application/json": { schema, examples: { example: { summary: description, value: example } } } },
});

/** What admission may answer instead of creating: spread into the responses of routes that create jobs. */
export const admissionProblems = {
  402: problemResponse("Over budget: nothing was created or sent", {
    budget_exceeded: problemBody(refusal({ ok: false, code: "budget_exceeded", unit: "weshop_power", period: "day", limit: 50, remaining: 10, requested: 20 })),
  }),
  503: problemResponse(
    "A limit exists for the unit and no estimate could be had: nothing was created or sent",
    {
      quote_unavailable: problemBody(refusal({ ok: false, code: "quote_unavailable", unit: "weshop_power", period: "day" })),
    },
    { "Retry-After": { description: "Seconds to wait before asking again.", schema: { type: "string" as const } } },
  ),
};

const seedream = { model: "weshop/seedream", params: MODEL_EXAMPLES["weshop/seedream"].params };
const wiro = { model: "wiro/ByteDance/text-to-video-seedance-v1", params: MODEL_EXAMPLES["wiro/ByteDance/text-to-video-seedance-v1"].params };

export const createQuote = createRoute({
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
          examples: { one: { summary: "One job", value: seedream }, batch: { summary: "A batch", value: { jobs: [seedream, wiro] } } },
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
    ...jsonBodyProblems({ validation_failed: validationProblem([{ path: "jobs[0].params.textDescription", message: "is required" }]) }),
    ...authProblems,
  },
});

const budgetExample = {
  limits: [
    { unit: "weshop_power", period: "day", amount: 50, used: 20, reserved: 20, remaining: 10, resetsAt: "2026-11-22T00:00:00.000Z" },
    { unit: "usd", period: "month", amount: 20, used: 3.9, reserved: 0.26, remaining: 15.84, resetsAt: "2026-12-01T00:00:00.000Z" },
  ],
};

export const getBudgetRoute = createRoute({
  method: "get",
  path: "/v1/budget",
  operationId: "getBudget",
  summary: "Get the budget",
  description: "This key's limits, each with what the current period has used (settled jobs), reserved (jobs admitted and not ended) and left.",
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
    ...jsonBodyProblems({ validation_failed: validationProblem([{ path: "limits[1]", message: "repeats the day limit for usd" }]) }),
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
      validation_failed: validationProblem([{ path: "groupBy", message: "must be one of: day, model, batch, schedule, tag" }]),
    }),
    ...authProblems,
  },
});
