// Property-based tests of every route that takes input (RELIABILITY.md: "random and mutated
// request bodies → 2xx for valid, 4xx with field paths for invalid; 0 5xx"). Random JSON values
// and mutations of valid bodies (a field dropped, a type changed, numbers out of range, huge and
// odd unicode strings, prototype keys, deep nesting) go to the worker's own fetch with a valid key.
// Fixed seeds make a failure reproducible: fast-check prints the counterexample and its path.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { batchJobId } from "../../src/batches/batch-object.ts";
import { JOB_EVENTS } from "../../src/jobs/record.ts";
import { signMediaUrl } from "../../src/media/links.ts";
import { TEST_BINDINGS } from "../support/bindings.ts";
import { api, BASE, HOOK_ORIGIN, KEY_A, startHarness, type Harness } from "../support/harness.ts";
import { cancelOpenJobs, restoreProviderPace } from "./support.ts";

let h: Harness;
beforeEach(async () => {
  h = startHarness();
  await restoreProviderPace();
});
afterEach(async () => {
  await cancelOpenJobs(h);
  await h.stop();
});

const SEED = 42;
const JOB_FIELDS = ["model", "params", "webhookUrl", "webhookEvents", "metadata"];
const BATCH_FIELDS = ["jobs", "webhookUrl"];
const SCHEDULE_FIELDS = ["name", "cron", "timezone", "batch", "enabled"];
const QUERY_FIELDS = ["status", "model", "batchId", "limit", "cursor"];

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: { path: string; message: string }[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const rootOf = (path: string) => path.split(/[.[]/)[0]!;

/**
 * The route's answer to one input: never 5xx; 2xx when `valid`; otherwise a problem+json whose
 * validation errors name fields — each path's first segment is a key the client sent or a field
 * the route knows (a missing required one). Returns the parsed body.
 */
async function check(res: Response, input: { valid?: boolean; body?: unknown; fields?: string[] }): Promise<Record<string, unknown>> {
  const text = await res.text();
  const where = `${res.status} for ${JSON.stringify(input.body)?.slice(0, 300)}: ${text.slice(0, 400)}`;
  expect(res.status, where).toBeLessThan(500);
  expect(res.headers.get("X-Request-Id"), where).toBeTruthy();
  if (input.valid) expect(res.status, where).toBeGreaterThanOrEqual(200);
  if (input.valid) expect(res.status, where).toBeLessThan(300);
  if (res.status < 400) return /json/.test(res.headers.get("Content-Type") ?? "") && text !== "" ? (JSON.parse(text) as Record<string, unknown>) : {};
  // a byte range past the end: no body to speak of, the size in Content-Range (RFC 9110 15.5.17)
  if (res.status === 416) {
    expect(res.headers.get("Content-Range"), where).toMatch(/^bytes \*\/\d+$/);
    return {};
  }
  expect(res.headers.get("Content-Type"), where).toBe("application/problem+json");
  const problem = JSON.parse(text) as Problem;
  expect(problem, where).toMatchObject({ status: res.status, code: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  if (res.status === 400 && problem.code === "validation_failed") {
    expect(problem.errors?.length, where).toBeGreaterThan(0);
    for (const e of problem.errors!) {
      expect(e, where).toEqual({ path: expect.any(String), message: expect.any(String) });
      if (isPlainObject(input.body) && input.fields) {
        // the path starts with a field the client sent or one the route requires; a top-level key
        // that itself contains "." or "[" (or is "") is named as it was sent
        const keys = Object.keys(input.body);
        const named = keys.includes(e.path) || [...keys, ...input.fields, "Idempotency-Key"].includes(rootOf(e.path));
        expect(named, `${where}\npath ${JSON.stringify(e.path)} names no field`).toBe(true);
      }
    }
  }
  return problem as unknown as Record<string, unknown>;
}

const post = (path: string, body: unknown, init: { method?: string; headers?: Record<string, string> } = {}) =>
  api(path, {
    method: init.method ?? "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "Content-Type": "application/json", ...init.headers },
  });

// ---- arbitraries -------------------------------------------------------------------------------

const ODD_STRINGS = [
  "",
  " ",
  "\u0000",
  "\ud800",
  "\u202e",
  "🦊".repeat(50),
  "a".repeat(5001),
  "__proto__",
  "constructor",
  "../../etc/passwd",
  "%00",
  "'; DROP TABLE jobs;--",
];
const oddString = fc.oneof(fc.string({ unit: "binary", maxLength: 80 }), fc.constantFrom(...ODD_STRINGS));
const prompt = fc.string({ unit: "grapheme", minLength: 1, maxLength: 120 }).filter((s) => s.trim().length > 0);
const safeImage = fc.constantFrom("https://images.example.com/a.png", "https://cdn.example.org/x/y.jpg?sig=1", `http://127.0.0.1:8790/files/assets/a.png`);
const metadata = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 64 }).filter((k) => k !== "__proto__"),
  fc.string({ maxLength: 512 }),
  { maxKeys: 16 },
);
const webhook = fc.option(
  fc.record({
    webhookUrl: fc.constant(`${HOOK_ORIGIN}/fuzz`),
    webhookEvents: fc.option(fc.uniqueArray(fc.constantFrom(...JOB_EVENTS), { minLength: 1 }), { nil: undefined }),
  }),
  { nil: undefined, freq: 4 },
);

const RATIOS = ["21:9", "16:9", "9:16", "3:4", "4:3", "1:1"] as const;
/** [min s, max s, audio, aspect ratios, max images] per variant (docs/providers.md, the official clients' tables) */
const VARIANTS = {
  Seedance_20: [4, 15, true, RATIOS, 9],
  Seedance_20_Mini: [4, 15, true, RATIOS, 9],
  Seedance_15_Pro: [4, 15, true, RATIOS, 1],
  Seedance_10_Pro: [2, 12, false, RATIOS.slice(1), 1],
  Seedance_10_Pro_Fast: [2, 12, false, RATIOS.slice(1), 1],
} as const;

const seedanceParams = fc.constantFrom(...(Object.keys(VARIANTS) as (keyof typeof VARIANTS)[])).chain((variant) => {
  const [min, max, audio, ratios, maxImages] = VARIANTS[variant];
  return fc.record(
    {
      images: fc.array(safeImage, { minLength: 1, maxLength: maxImages }),
      textDescription: prompt,
      modelName: fc.constant(variant),
      duration: fc.integer({ min, max }).map((s) => `${s}s`),
      aspectRatio: fc.constantFrom(...ratios),
      generateAudio: audio ? fc.constantFrom(true, false, "true", "false") : fc.constantFrom(false, "false"),
      batchCount: fc.integer({ min: 1, max: 16 }),
      safeGenerate: fc.constantFrom("on", "off", true, false),
    },
    { requiredKeys: ["images", "textDescription", "modelName"] },
  );
});
const seedance25Params = fc.record(
  {
    images: fc.array(safeImage, { maxLength: 30 }),
    textDescription: prompt,
    duration: fc.oneof(
      fc.constant("-1"),
      fc.integer({ min: 4, max: 30 }).map((s) => `${s}s`),
    ),
    aspectRatio: fc.constantFrom(...RATIOS),
    resolution: fc.constantFrom("480p", "720p", "1080p"),
    outputFormat: fc.constantFrom("mp4", "mov"),
    generateAudio: fc.constantFrom(true, false, "true", "false"),
    batchCount: fc.integer({ min: 1, max: 16 }),
  },
  { requiredKeys: ["textDescription"] },
);
const seedreamParams = fc.record(
  {
    images: fc.array(safeImage, { maxLength: 14 }),
    textDescription: prompt,
    imageSize: fc.constantFrom("2K", "3K"),
    aspectRatio: fc.constantFrom("1:1", "2:3", "3:2", "4:3", "3:4", "16:9", "9:16", "21:9"),
    outputFormat: fc.constantFrom("jpeg", "png"),
    tools: fc.constantFrom([], ["web_search"]),
    batchCount: fc.integer({ min: 1, max: 16 }),
  },
  { requiredKeys: ["textDescription"] },
);
const wiroParams = fc.record(
  {
    prompt,
    resolution: fc.constantFrom("480p", "720p"),
    ratio: fc.constantFrom("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "9:21"),
    duration: fc.constantFrom("5", "10", 5, 10),
    fps: fc.constantFrom("24", "16", 24, 16),
    watermark: fc.constantFrom(true, false, "true", "false"),
    seed: fc.oneof(fc.integer({ min: -1, max: 4294967295 }), fc.integer({ min: -1, max: 99999 }).map(String)),
    camerafixed: fc.constantFrom(true, false, "true", "false"),
  },
  { requiredKeys: ["prompt"] },
);

const validSpec = fc
  .tuple(
    fc.oneof(
      seedanceParams.map((params) => ({ model: "weshop/seedance", params })),
      seedreamParams.map((params) => ({ model: "weshop/seedream", params })),
      seedance25Params.map((params) => ({ model: "weshop/seedance-25", params })),
      wiroParams.map((params) => ({ model: "wiro/ByteDance/text-to-video-seedance-v1", params })),
    ),
    fc.option(metadata, { nil: undefined }),
    webhook,
  )
  .map(([spec, meta, hook]) => ({ ...spec, ...(meta ? { metadata: meta } : {}), ...(hook ?? {}) }) as Record<string, unknown>);

/** A structured clone with JSON's own-property semantics (a "__proto__" key stays a key). */
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

type Mutation = (spec: Record<string, unknown>) => { body: unknown; invalid: boolean };

function setIn(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let at: Record<string, unknown> = obj;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(at[key])) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  Object.defineProperty(at, path.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
}

const anyJson = fc.jsonValue({ maxDepth: 3 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // a required field dropped
  fc.constantFrom("model", "params").map(
    (field): Mutation =>
      (spec) => {
        const body = clone(spec);
        delete body[field];
        return { body, invalid: true };
      },
  ),
  fc.constant<Mutation>((spec) => {
    const body = clone(spec);
    const params = body.params as Record<string, unknown>;
    delete params[params.prompt !== undefined ? "prompt" : "textDescription"];
    return { body, invalid: true };
  }),
  // a field given a value of another type (or any JSON at all)
  fc
    .tuple(
      fc.constantFrom<string[]>(
        ["model"],
        ["params"],
        ["metadata"],
        ["webhookEvents"],
        ["params", "batchCount"],
        ["params", "images"],
        ["params", "duration"],
        ["params", "seed"],
      ),
      anyJson,
    )
    .map(
      ([path, value]): Mutation =>
        (spec) => {
          const body = clone(spec);
          setIn(body, path, value);
          return { body, invalid: false };
        },
    ),
  // numbers out of range
  fc
    .tuple(
      fc.constantFrom<string[]>(["params", "batchCount"], ["params", "seed"], ["params", "fps"], ["params", "duration"]),
      fc.constantFrom(0, -1, 17, 1.5, 1e308, -0, 4294967296, 2 ** 53 + 1, -2),
    )
    .map(
      ([path, value]): Mutation =>
        (spec) => {
          const body = clone(spec);
          setIn(body, path, value);
          return { body, invalid: false };
        },
    ),
  // huge or odd unicode strings in every string field
  fc
    .tuple(
      fc.constantFrom<string[]>(["params", "textDescription"], ["params", "prompt"], ["model"], ["webhookUrl"], ["metadata", "k"], ["params", "aspectRatio"]),
      oddString,
    )
    .map(
      ([path, value]): Mutation =>
        (spec) => {
          const body = clone(spec);
          setIn(body, path, value);
          return { body, invalid: false };
        },
    ),
  // prototype-pollution keys at every level
  fc.tuple(fc.constantFrom<string[]>([], ["params"], ["metadata"]), fc.constantFrom("__proto__", "constructor", "prototype"), anyJson).map(
    ([at, key, value]): Mutation =>
      (spec) => {
        const body = clone(spec);
        setIn(body, [...at, key], value);
        // metadata."__proto__" is dropped unchecked (see the known-bug test below), so not asserted here
        return { body, invalid: at[0] !== "metadata" };
      },
  ),
  // an unknown field
  fc.tuple(fc.constantFrom<string[]>([], ["params"]), fc.string({ minLength: 1, maxLength: 20 }), anyJson).map(
    ([at, key, value]): Mutation =>
      (spec) => {
        const body = clone(spec);
        const known =
          at.length === 0
            ? JOB_FIELDS
            : Object.keys(body.params as object).concat([
                "images",
                "textDescription",
                "prompt",
                "modelName",
                "duration",
                "aspectRatio",
                "generateAudio",
                "batchCount",
                "imageSize",
                "outputFormat",
                "tools",
                "resolution",
                "ratio",
                "fps",
                "watermark",
                "seed",
                "camerafixed",
                "safeGenerate",
                "firstFrame",
                "lastFrame",
                "extendVideo",
                "extendDirection",
                "returnLastFrame",
                "videos",
                "audios",
              ]);
        if (known.includes(key)) return { body, invalid: false };
        setIn(body, [...at, key], value);
        return { body, invalid: true };
      },
  ),
  // deep nesting where a value goes
  fc.integer({ min: 50, max: 3000 }).map(
    (depth): Mutation =>
      (spec) => {
        const body = clone(spec);
        let nested: unknown = "x";
        for (let i = 0; i < depth; i++) nested = [nested];
        setIn(body, ["params", "textDescription"], nested);
        return { body, invalid: true };
      },
  ),
  // too many metadata values
  fc.constant<Mutation>((spec) => ({
    body: { ...clone(spec), metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])) },
    invalid: true,
  })),
  // the right fields in the wrong container
  fc.constant<Mutation>((spec) => ({ body: [clone(spec)], invalid: true })),
  fc.constant<Mutation>((spec) => ({ body: { ...clone(spec), params: [spec.params] }, invalid: true })),
);

/** JSON text nested deeper than any parser's recursion, sent raw. */
const deepText = fc.integer({ min: 1000, max: 200_000 }).map((depth) => "[".repeat(depth) + "]".repeat(depth));

// ---- POST /v1/jobs ---------------------------------------------------------------------------

describe("POST /v1/jobs", () => {
  it("valid bodies: 202 with the normalised job", async () => {
    await fc.assert(
      fc.asyncProperty(validSpec, async (spec) => {
        const body = await check(await post("/v1/jobs", spec), { valid: true, body: spec });
        expect(body).toMatchObject({ model: spec.model, status: expect.stringMatching(/^(queued|running|copying|succeeded|failed|canceled)$/) });
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  it("random JSON values: 4xx problem+json naming fields, 0 5xx, nothing sent to a provider", async () => {
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
        fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "application/merge-patch+json", ""),
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
  it("valid batches: 202; random and mutated ones: 4xx naming jobs[i] paths; 0 5xx", async () => {
    const batch = fc.oneof(
      { weight: 1, arbitrary: fc.array(validSpec, { minLength: 1, maxLength: 3 }).map((jobs) => ({ body: { jobs } as unknown, valid: true })) },
      {
        weight: 3,
        arbitrary: fc.tuple(fc.array(validSpec, { minLength: 1, maxLength: 3 }), mutation, fc.nat()).map(([jobs, mutate, at]) => {
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
  fc.array(fc.constantFrom("*", "*/3", "0", "5-10", "1,2", "L", "?", "#", "W", "99", "-1"), { minLength: 1, maxLength: 7 }).map((parts) => parts.join(" ")),
);
const timezone = fc.oneof(
  fc.constantFrom("UTC", "Europe/Istanbul", "America/New_York", "Asia/Kathmandu", "Etc/GMT+12", "Mars/Base", "utc", "", "Europe/../../etc"),
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
        fc.oneof({ weight: 3, arbitrary: scheduleBody as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) }),
        async (body) => {
          const res = await post("/v1/schedules", body);
          const answer = await check(res, { body, fields: SCHEDULE_FIELDS });
          if (res.status === 201) expect((await api(`/v1/schedules/${answer.id as string}`, { method: "DELETE" })).status).toBe(204);
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
        fc.oneof({ weight: 3, arbitrary: scheduleBody as fc.Arbitrary<unknown> }, { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) }),
        async (body) => {
          await check(await post(`/v1/schedules/${id}`, body, { method: "PATCH" }), { body, fields: SCHEDULE_FIELDS });
        },
      ),
      { seed: SEED, numRuns: 80 },
    );
  });
});

// ---- GET /v1/jobs query ------------------------------------------------------------------------

describe("GET /v1/jobs", () => {
  it("random query parameters: 200 with a page, or 400 naming the parameter; 0 5xx", async () => {
    const value = fc.oneof(
      oddString,
      fc.constantFrom(
        "queued",
        "succeeded",
        "weshop/seedream",
        "batch_00000000000000000000",
        "0",
        "1",
        "100",
        "101",
        "-1",
        "1e2",
        "0x10",
        "NaN",
        "Infinity",
        " 5",
        "eyJ4IjoxfQ",
        "WzEsImpvYl94Il0",
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.oneof(fc.constantFrom(...QUERY_FIELDS), fc.string({ minLength: 1, maxLength: 12 })), value, { maxKeys: 5 }),
        async (query) => {
          const search = Object.entries(query)
            .map(([k, v]) => `${pct(k)}=${pct(v)}`)
            .join("&");
          const res = await api(`/v1/jobs?${search}`);
          const body = await check(res, { body: query, fields: QUERY_FIELDS });
          if (res.status === 200)
            expect(body).toEqual({ data: expect.any(Array), nextCursor: expect.toSatisfy((c: unknown) => c === null || typeof c === "string") });
          else expect(res.status).toBe(400);
        },
      ),
      { seed: SEED, numRuns: 80 },
    );
  });
});

// ---- ids and tokens in paths -------------------------------------------------------------------

/** Percent-encodes any string, lone surrogates included (as U+FFFD, the way a client's UTF-8 encoder sends them). */
const pct = (s: string) =>
  Array.from(new TextEncoder().encode(s), (b) =>
    /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
  ).join("");

const segment = fc
  .oneof(
    oddString,
    fc.constantFrom("job_00000000000000000000", "job_zzzzzzzzzzzzzzzzzzzz", "A".repeat(43), "..", ".", "%2e%2e", "%2F", "job_%00", "%E0%A4%A", "%ZZ"),
  )
  .map((s) => (/%[0-9A-Za-z]{1,2}/.test(s) ? s : pct(s)));

describe("ids and tokens in paths", () => {
  it("POST /callbacks/wiro/{jobId}/{token} with odd segments and bodies: 404, no provider call; 0 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(segment, segment, fc.jsonValue({ maxDepth: 3 }), async (jobId, token, body) => {
        const res = await exports.default.fetch(
          new Request(`${BASE}/callbacks/wiro/${jobId}/${token}`, {
            method: "POST",
            body: JSON.stringify(body),
            headers: { "Content-Type": "application/json" },
          }),
        );
        await check(res, {});
        expect(res.status).toBe(404);
      }),
      { seed: SEED, numRuns: 60 },
    );
    expect(h.sim.requests).toEqual([]);
  });

  it("POST /v1/jobs/{id}/cancel and GET /v1/jobs/{id} with odd ids: 404; 0 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(segment, async (id) => {
        await check(await api(`/v1/jobs/${id}/cancel`, { method: "POST" }), {});
        const res = await api(`/v1/jobs/${id}`);
        await check(res, {});
        expect([404, 200]).toContain(res.status);
      }),
      { seed: SEED, numRuns: 60 },
    );
    expect(h.sim.requests).toEqual([]);
  });
});

// ---- GET /media ----------------------------------------------------------------------------------

describe("GET /media/...", () => {
  const KEY = "jobs/job_fuzzfuzzfuzzfuzzfuzz/0.png";
  const BYTES = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);

  it("odd keys, expiries and signatures: 403/404/410, never 5xx", async () => {
    const expires = fc.oneof(fc.constantFrom("", "0", "-1", "1e10", "99999999999999999999", "NaN", "1.5"), fc.nat().map(String), oddString);
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        expires,
        fc.oneof(oddString, fc.base64String({ maxLength: 60 })),
        async (parts, exp, sig) => {
          const res = await exports.default.fetch(new Request(`${BASE}/media/${parts.join("/")}?expires=${pct(exp)}&sig=${pct(sig)}`));
          await check(res, {});
          expect([403, 404, 410]).toContain(res.status);
        },
      ),
      { seed: SEED, numRuns: 80 },
    );
  });

  it("validly signed odd keys and random Range headers on a stored object: 200/206/304/404/416, never 5xx", async () => {
    await env.MEDIA.put(KEY, BYTES, { httpMetadata: { contentType: "image/png" } });
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    const range = fc.oneof(
      fc.constantFrom(
        "bytes=0-0",
        "bytes=0-",
        "bytes=-1",
        "bytes=999-",
        "bytes=1000-",
        "bytes=5-2",
        "bytes=-0",
        "bytes=0-99999999999999999999",
        "items=0-1",
        "bytes=0-1,5-6",
        "bytes=",
        "bytes=a-b",
      ),
      fc
        .tuple(fc.option(fc.nat({ max: 3000 }), { nil: undefined }), fc.option(fc.nat({ max: 3000 }), { nil: undefined }))
        .map(([a, b]) => `bytes=${a ?? ""}-${b ?? ""}`),
      oddString.filter((s) => /^[\t\x20-\x7e]*$/.test(s)),
    );
    // ("." and ".." segments excepted: a URL cannot carry them, and no stored key has them)
    const part = fc.string({ minLength: 1, maxLength: 20 }).filter((p) => p !== "." && p !== ".." && !p.includes("/"));
    const key = fc.oneof(
      fc.constant(KEY),
      fc.array(part, { minLength: 1, maxLength: 3 }).map((p) => p.join("/")),
    );
    await fc.assert(
      fc.asyncProperty(key, range, fc.option(fc.constantFrom("*", '"nope"', 'W/"x"'), { nil: undefined }), async (k, r, ifNoneMatch) => {
        const url = await signMediaUrl(TEST_BINDINGS.SIGNING_SECRET, BASE, k, expiresAt);
        const headers: Record<string, string> = { Range: r };
        if (ifNoneMatch) headers["If-None-Match"] = ifNoneMatch;
        const res = await exports.default.fetch(new Request(url, { headers }));
        const body = new Uint8Array(await res.clone().arrayBuffer());
        await check(res, {});
        expect([200, 206, 304, 404, 416]).toContain(res.status);
        if (res.status === 206) {
          const m = /^bytes (\d+)-(\d+)\/1000$/.exec(res.headers.get("Content-Range") ?? "");
          expect(m, res.headers.get("Content-Range") ?? "").not.toBeNull();
          const [first, last] = [Number(m![1]), Number(m![2])];
          expect(body).toEqual(BYTES.slice(first, last + 1));
        }
        if (res.status === 200 && k === KEY) expect(body).toEqual(BYTES);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});

describe("bugs the fuzzer found, kept as regressions", () => {
  // zod's z.record skips a "__proto__" key without validating it, so such metadata was accepted and
  // silently lost; and a primitive PATCH body made `"batch" in raw` throw, answering 500.
  it.each(["0", '"x"', "true"])("PATCH /v1/schedules/{id} with the body %s answers 400, not 500", async (text) => {
    const created = await post("/v1/schedules", {
      name: "n",
      cron: "0 3 * * *",
      batch: { jobs: [{ model: "weshop/seedream", params: { textDescription: "x" } }] },
    });
    const { id } = (await created.json()) as { id: string };
    const res = await post(`/v1/schedules/${id}`, text, { method: "PATCH" });
    expect(res.status).toBe(400);
  });

  it('metadata {"__proto__": {}} is refused with 400 naming metadata.__proto__', async () => {
    const res = await post("/v1/jobs", '{"model":"weshop/seedream","params":{"textDescription":"x"},"metadata":{"__proto__":{"a":1}}}');
    expect(res.status).toBe(400);
    expect(((await res.json()) as Problem).errors?.map((e) => e.path)).toContain("metadata.__proto__");
  });
});

it("the fuzzed API key is the one the harness uses", () => {
  // a guard: every property above ran authenticated, so 401s cannot hide a 5xx behind auth
  expect(TEST_BINDINGS.API_KEYS.split(",")).toContain(KEY_A);
});
