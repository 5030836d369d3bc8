// GET /v1/stats (docs/operations.md): the providers' lines now, and the caller's last 24 hours.
import { z } from "zod";
import { COST_UNIT_NAMES } from "./costs.ts";

const count = z.number().int().min(0);

export const statsSchema = z
  .strictObject({
    providers: z
      .array(
        z.strictObject({
          name: z.enum(["weshop", "wiro"]),
          running: count.describe("Provider tasks running now (slots held), every tenant's"),
          cap: count.describe("Tasks allowed at once (WESHOP_MAX_CONCURRENCY / WIRO_MAX_CONCURRENCY)"),
          waiting: count.describe("Jobs waiting in line for a slot, every tenant's"),
          oldestWaitingSeconds: count
            .nullable()
            .describe("Age of the job at the head of the line; null when nobody waits"),
        }),
      )
      .describe("Global counts: the line is shared by every tenant, but no other tenant's job is named"),
    window: z.literal("24h"),
    jobs: z.strictObject({
      byStatus: z.record(z.string(), count).describe("This key's jobs that finished in the window, by status"),
      byErrorCode: z.record(z.string(), count).describe("Failed and canceled jobs by error code"),
      runMs: z
        .record(z.string(), z.strictObject({ p50: count, p95: count }))
        .describe(
          "Run time at the provider of succeeded jobs, per model: median and 95th percentile in ms (within 10 %)",
        ),
      perHour: z
        .array(
          z.strictObject({
            start: z.string().describe("Start of the hour (UTC, ISO 8601)"),
            succeeded: count,
            failed: count,
            canceled: count,
          }),
        )
        .describe("Finished jobs per hour of the window, oldest first"),
    }),
    cost: z
      .array(z.strictObject({ unit: z.enum(COST_UNIT_NAMES), amount: z.number() }))
      .describe("Actual cost of the window's finished jobs, per unit"),
  })
  .meta({ id: "Stats" });

export type Stats = z.infer<typeof statsSchema>;
