// GET /v1/stats: each provider's line now (from its gate object: a few rows, not the jobs), and
// the caller's last 24 hours from the hourly rollups (src/db/stats.ts) — never a scan of the jobs.
import { createRoute } from "@hono/zod-openapi";
import { jobCreatedAt, windowStats } from "../../db/stats.ts";
import { gateApi } from "../../jobs/gate/gate-client.ts";
import { type Stats, statsSchema } from "../../schemas/stats-view.ts";
import { routeGroup } from "../openapi/hook.ts";
import { authenticated, authProblems, REQUEST_ID_HEADER } from "../openapi/problems.ts";

const PROVIDERS = ["weshop", "wiro"] as const;

const example: Stats = {
  providers: [
    { name: "weshop", running: 3, cap: 10, waiting: 0, oldestWaitingSeconds: null },
    { name: "wiro", running: 3, cap: 3, waiting: 12, oldestWaitingSeconds: 95 },
  ],
  window: "24h",
  jobs: {
    byStatus: { succeeded: 41, failed: 2, canceled: 1 },
    byErrorCode: { provider_error: 2, canceled: 1 },
    runMs: { "weshop/seedream": { p50: 19_487, p95: 31_384 } },
    perHour: [{ start: "2026-11-21T09:00:00.000Z", succeeded: 4, failed: 1, canceled: 0 }],
  },
  cost: [{ unit: "weshop_power", amount: 820 }],
};

export const getStatsRoute = createRoute({
  method: "get",
  path: "/v1/stats",
  operationId: "getStats",
  summary: "Get operating statistics",
  description:
    "Each provider's concurrency line now (global counts), and this key's jobs that finished in the last 24 hours: by status and error code, run time percentiles per model, jobs per hour and actual cost. Read from hourly rollups kept as jobs finish, so the answer costs the same however many jobs there are.",
  tags: ["Service"],
  ...authenticated,
  responses: {
    200: {
      description: "The statistics.",
      headers: REQUEST_ID_HEADER,
      content: {
        "application/json": { schema: statsSchema, examples: { example: { summary: "A busy day", value: example } } },
      },
    },
    ...authProblems,
  },
});

export const statsRoutes = routeGroup().openapi(getStatsRoute, async (c) => {
  const now = Date.now();
  const config = c.get("config");
  const [window, ...lines] = await Promise.all([
    windowStats(c.env.DB, c.get("tenant"), now),
    ...PROVIDERS.map(async (name) => {
      const gate = gateApi(c.env, name);
      const [snapshot, oldest] = await Promise.all([gate.snapshot(), gate.oldestWaiter()]);
      const since = oldest ? await jobCreatedAt(c.env.DB, oldest) : null;
      return {
        name,
        running: snapshot.active,
        cap: config.maxConcurrency[name],
        waiting: snapshot.waiting,
        oldestWaitingSeconds: oldest ? Math.max(0, Math.round((now - (since ?? now)) / 1000)) : null,
      };
    }),
  ]);
  const { hours, cost, ...jobs } = window;
  return c.json({ providers: lines, window: "24h" as const, jobs: { ...jobs, perHour: hours }, cost }, 200);
});
