// Property-based tests of every route that takes input (RELIABILITY.md: "random and mutated
// request bodies → 2xx for valid, 4xx with field paths for invalid; 0 5xx"). Random JSON values
// and mutations of valid bodies (a field dropped, a type changed, numbers out of range, huge and
// odd unicode strings, prototype keys, deep nesting) go to the worker's own fetch with a valid key.
// Fixed seeds make a failure reproducible: fast-check prints the counterexample and its path.
// This file: request bodies of POST /v1/jobs, POST /v1/batches and /v1/schedules.
import { env } from "cloudflare:test";
import fc from "fast-check";
import { beforeEach, describe, expect } from "vitest";
import { batchJobId } from "../../src/batches/batch-object.ts";
import { it } from "../support/fixture.ts";
import { api } from "../support/harness.ts";
import { anyJson, deepText, mutation, oddString, validSpec } from "./fuzz-arbitraries.ts";
import { BATCH_FIELDS, check, JOB_FIELDS, post, SCHEDULE_FIELDS, SEED } from "./fuzz-check.ts";
import { cancelOpenJobs, restoreProviderPace } from "./support.ts";

it.beforeEach(async () => {
  await restoreProviderPace();
});
it.afterEach(async ({ h }) => {
  await cancelOpenJobs(h);
});

// ---- POST /v1/jobs ---------------------------------------------------------------------------

describe("POST /v1/jobs", () => {
  it("valid bodies: 202 with the normalised job", async () => {
    await fc.assert(
      fc.asyncProperty(validSpec, async (spec) => {
        const body = await check(await post("/v1/jobs", spec), { valid: true, body: spec });
        expect(body).toMatchObject({
          model: spec.model,
          status: expect.stringMatching(/^(queued|running|copying|succeeded|failed|canceled)$/),
        });
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  it("random JSON values: 4xx problem+json naming fields, 0 5xx, nothing sent to a provider", async ({ h }) => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 5 }), async (value) => {
        const res = await post("/v1/jobs", value);
        await check(res, { body: value, fields: JOB_FIELDS });
        expect(res.status).toBeGreaterThanOrEqual(400);
      }),
      { seed: SEED, numRuns: 60 },
    );
    expect(h.sim.requests).toEqual([]);
  });

  it("mutated valid bodies: 4xx naming the field when invalid, 0 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(validSpec, mutation, async (spec, mutate) => {
        const { body, invalid } = mutate(spec);
        const res = await post("/v1/jobs", body);
        await check(res, { body, fields: JOB_FIELDS });
        if (invalid) expect(res.status, JSON.stringify(body).slice(0, 300)).toBeGreaterThanOrEqual(400);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("raw bodies: deep nesting, truncated JSON, other content types, odd Idempotency-Keys: 0 5xx", async () => {
    const raw = fc.oneof(
      deepText,
      fc.string({ maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)),
    );
    await fc.assert(
      fc.asyncProperty(
        raw,
        fc.constantFrom(
          "application/json",
          "text/plain",
          "application/x-www-form-urlencoded",
          "application/merge-patch+json",
          "",
        ),
        fc.option(fc.string({ unit: "binary-ascii", maxLength: 300 }), { nil: undefined }),
        async (text, type, key) => {
          const headers: Record<string, string> = { "Content-Type": type };
          if (key !== undefined && /^[\t\x20-\x7e]*$/.test(key)) headers["Idempotency-Key"] = key;
          const res = await api("/v1/jobs", { method: "POST", body: text, headers });
          await check(res, {});
          expect(res.status).toBeGreaterThanOrEqual(400);
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });
});

// ---- POST /v1/batches ------------------------------------------------------------------------

describe("POST /v1/batches", () => {
  it("valid batches: 202; random and mutated ones: 4xx naming jobs[i] paths; 0 5xx", async ({ h }) => {
    const batch = fc.oneof(
      {
        weight: 1,
        arbitrary: fc
          .array(validSpec, { minLength: 1, maxLength: 3 })
          .map((jobs) => ({ body: { jobs } as unknown, valid: true })),
      },
      {
        weight: 3,
        arbitrary: fc
          .tuple(fc.array(validSpec, { minLength: 1, maxLength: 3 }), mutation, fc.nat())
          .map(([jobs, mutate, at]) => {
            const i = at % jobs.length;
            const copy: unknown[] = [...jobs];
            copy[i] = mutate(jobs[i]!).body;
            return { body: { jobs: copy } as unknown, valid: false };
          }),
      },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((body) => ({ body, valid: false })) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((jobs) => ({ body: { jobs }, valid: false })) },
    );
    await fc.assert(
      fc.asyncProperty(batch, async ({ body, valid }) => {
        const res = await post("/v1/batches", body);
        const answer = await check(res, { valid, body, fields: BATCH_FIELDS });
        if (res.status === 202) {
          // its jobs will exist: end them with the test
          const total = (body as { jobs: unknown[] }).jobs.length;
          for (let i = 0; i < total; i++) h.jobs.push(await batchJobId(answer.id as string, i));
        }
      }),
      { seed: SEED, numRuns: 50 },
    );
  });
});

// ---- /v1/schedules ---------------------------------------------------------------------------

const cron = fc.oneof(
  fc.constantFrom(
    "*/5 * * * *",
    "0 3 * * *",
    "0 9 * * 1-5",
    "15 14 1 * *",
    "0 0 29 2 *",
    "0 0 31 2 *",
    "59 23 31 12 *",
    "@daily",
    "* * * *",
    "61 * * * *",
    "* * * * * *",
    "0 0 * * 7",
    "0-59/7 */2 1,15 * MON",
  ),
  fc.string({ maxLength: 40 }),
  fc
    .array(fc.constantFrom("*", "*/3", "0", "5-10", "1,2", "L", "?", "#", "W", "99", "-1"), {
      minLength: 1,
      maxLength: 7,
    })
    .map((parts) => parts.join(" ")),
);
const timezone = fc.oneof(
  fc.constantFrom(
    "UTC",
    "Europe/Istanbul",
    "America/New_York",
    "Asia/Kathmandu",
    "Etc/GMT+12",
    "Mars/Base",
    "utc",
    "",
    "Europe/../../etc",
  ),
  fc.string({ maxLength: 30 }),
);
const scheduleBody = fc.record(
  {
    name: fc.oneof(fc.string({ maxLength: 120 }), oddString),
    cron,
    timezone,
    batch: fc.oneof(
      fc.array(validSpec, { minLength: 1, maxLength: 2 }).map((jobs) => ({ jobs })),
      fc.jsonValue({ maxDepth: 3 }),
    ),
    enabled: fc.oneof(fc.boolean(), anyJson),
  },
  { requiredKeys: [] },
);

describe("/v1/schedules", () => {
  beforeEach(async () => {
    await env.DB.exec("DELETE FROM schedules");
  });

  it("POST with random and mutated bodies: 201 or 4xx naming fields; 0 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 3, arbitrary: scheduleBody as fc.Arbitrary<unknown> },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
        ),
        async (body) => {
          const res = await post("/v1/schedules", body);
          const answer = await check(res, { body, fields: SCHEDULE_FIELDS });
          if (res.status === 201)
            expect((await api(`/v1/schedules/${answer.id as string}`, { method: "DELETE" })).status).toBe(204);
        },
      ),
      { seed: SEED, numRuns: 80 },
    );
  });

  it("a valid schedule body is accepted", async () => {
    const body = {
      name: "nightly",
      cron: "0 3 * * *",
      timezone: "Europe/Istanbul",
      batch: { jobs: [{ model: "weshop/seedream", params: { textDescription: "x" } }] },
    };
    await check(await post("/v1/schedules", body), { valid: true, body });
  });

  it("PATCH with random and partial bodies: 200 or 4xx naming fields; 0 5xx", async () => {
    const created = await post("/v1/schedules", {
      name: "n",
      cron: "0 3 * * *",
      batch: { jobs: [{ model: "weshop/seedream", params: { textDescription: "x" } }] },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 3, arbitrary: scheduleBody as fc.Arbitrary<unknown> },
          { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
        ),
        async (body) => {
          await check(await post(`/v1/schedules/${id}`, body, { method: "PATCH" }), { body, fields: SCHEDULE_FIELDS });
        },
      ),
      { seed: SEED, numRuns: 80 },
    );
  });
});
