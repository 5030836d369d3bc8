// The cost contract: quotes, budgets and usage (docs/spend.md). Request
// schemas validate; response schemas document (the OpenAPI document is generated from them).
import { z } from "zod";
import type { CostUnit } from "../jobs/record.ts";
import type { FieldError } from "../lib/problems.ts";
import { fieldErrors } from "../lib/validation.ts";
import { tagSchema } from "./lifecycle-fields.ts";

export const COST_UNIT_NAMES = ["weshop_power", "usd"] as const satisfies readonly CostUnit[];
const unit = z.enum(COST_UNIT_NAMES, { error: `must be one of: ${COST_UNIT_NAMES.join(", ")}` });
const period = z.enum(["day", "month"], { error: "must be day or month" });

export const limitSchema = z.strictObject({
  unit,
  period,
  amount: z
    .number({ error: "must be a number" })
    .finite("must be a finite number")
    .min(0, "must be 0 or more")
    .max(1e12, "must be at most 1e12"),
  tag: tagSchema.optional().meta({ description: "Counts only jobs carrying this tag." }),
});

export const putBudgetSchema = z.strictObject({
  limits: z
    .array(limitSchema, { error: "must be an array of limits" })
    .max(24, "takes at most 24 limits (one per unit, period and tag)"),
});
export type PutBudget = z.infer<typeof putBudgetSchema>;

/** PUT /v1/budget's body: the schema's problems and every repeated unit and period, all by path. */
export function validateBudget(body: unknown): { budget?: PutBudget; errors: FieldError[] } {
  const parsed = putBudgetSchema.safeParse(body);
  const errors = parsed.success ? [] : fieldErrors(parsed.error.issues);
  const raw =
    typeof body === "object" && body !== null && Array.isArray((body as { limits?: unknown }).limits)
      ? (body as { limits: unknown[] }).limits
      : [];
  const seen = new Set<string>();
  raw.forEach((entry, i) => {
    const l = (typeof entry === "object" && entry !== null ? entry : {}) as {
      unit?: unknown;
      period?: unknown;
      tag?: unknown;
    };
    if (typeof l.unit !== "string" || typeof l.period !== "string") return;
    const tag = typeof l.tag === "string" ? l.tag : "";
    const key = `${l.unit}/${l.period}/${tag}`;
    if (seen.has(key))
      errors.push({
        path: `limits[${i}]`,
        message: `repeats the ${l.period} limit for ${l.unit}${tag ? ` tagged ${tag}` : ""}`,
      });
    seen.add(key);
  });
  return parsed.success && errors.length === 0 ? { budget: parsed.data, errors } : { errors };
}

export const amountSchema = z.strictObject({ unit, amount: z.number() }).meta({ id: "CostAmount" });
export const estimateSchema = z
  .strictObject({
    unit,
    amount: z.number(),
    source: z.enum(["provider", "price_table", "history"]).meta({
      description:
        "`provider`: WeShop's power estimate; `price_table`: WIRO_PRICE_TABLE; `history`: what recent runs of the same configuration actually cost.",
    }),
    exact: z.boolean().meta({
      description:
        "`false` when the provider called its figure approximate (WeShop `isEstimated`, e.g. Seedance 2.5 with `duration: \"-1\"`): `amount` is then the most the model's rules let the run cost (its longest duration), and that is what a limit reserves; `quoted` is the provider's own figure.",
    }),
    quoted: z
      .number()
      .optional()
      .meta({ description: "The provider's own approximate figure, when `exact` is false." }),
  })
  .nullable()
  .meta({ id: "CostEstimate" });

export const jobCostSchema = z
  .strictObject({
    estimate: estimateSchema.meta({
      description: "The quote the job was admitted with; null when none could be had (and no limit needed one).",
    }),
    actual: amountSchema.nullable().meta({
      description:
        "What the provider reported: WeShop `powerConsumption`, Wiro `totalcost` (0 for a failed task); 0 when the job never reached the provider; null until known, or when never reported.",
    }),
  })
  .meta({ id: "JobCost" });

export const batchCostSchema = z
  .strictObject({
    estimate: z.array(amountSchema).meta({ description: "Sum of the jobs' estimates per unit, at admission." }),
    actual: z.array(amountSchema).meta({ description: "Sum of the actual costs known so far per unit." }),
  })
  .meta({ id: "BatchCost" });

export const budgetSchema = z
  .strictObject({
    limits: z.array(
      z.strictObject({
        unit,
        period,
        amount: z.number(),
        tag: z.string().optional(),
        used: z.number().describe("Settled cost of jobs admitted in the current period"),
        reserved: z.number().describe("Estimates of jobs admitted in the current period and not yet ended"),
        remaining: z.number(),
        resetsAt: z.string().describe("When the current period ends (UTC)"),
      }),
    ),
  })
  .meta({ id: "Budget" });

export const quoteResponseSchema = z
  .strictObject({
    total: z.array(amountSchema).describe("Sum per unit of the estimates that could be had"),
    jobs: z
      .array(z.strictObject({ model: z.string(), estimate: estimateSchema }))
      .describe("One per spec, in order; `estimate` null where none could be had"),
  })
  .meta({ id: "Quote" });

export const USAGE_GROUP_NAMES = ["day", "model", "batch", "schedule", "tag"] as const;
const DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/;
/** A date or ISO time (read with Date.parse by the route). */
const instant = z
  .string()
  .refine(
    (v) => DATE.test(v) && !Number.isNaN(Date.parse(v)),
    "must be a date (2026-12-01) or an ISO time (2026-12-01T00:00:00Z)",
  );

export const usageQuerySchema = z.strictObject({
  from: instant
    .optional()
    .describe("Start (inclusive) of the jobs' admission time; default: the start of the current UTC month"),
  to: instant.optional().describe("End (exclusive); default: now"),
  groupBy: z.enum(USAGE_GROUP_NAMES, { error: `must be one of: ${USAGE_GROUP_NAMES.join(", ")}` }).default("day"),
});

export const usageResponseSchema = z
  .strictObject({
    data: z.array(
      z.strictObject({
        key: z
          .string()
          .nullable()
          .describe(
            "The day (YYYY-MM-DD, UTC), model, batch id, schedule id or tag; null for jobs outside any batch or schedule (or without tags)",
          ),
        unit,
        amount: z.number(),
        jobs: z.number().int().describe("Jobs whose actual cost is counted"),
      }),
    ),
  })
  .meta({ id: "Usage" });
