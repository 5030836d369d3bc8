// /openapi.json and /docs: the document is valid OpenAPI 3.1, says what the code does (the request
// schemas agree with the real validator, real responses match the response schemas), every route
// it names answers, and the reference page works offline.
import { createExecutionContext, env, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { Validator as JsonSchemaValidator } from "@cfworker/json-schema";
import oas31Schema from "@seriousme/openapi-schema-validator/schemas/v3.1/schema.json";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { buildApp } from "../../src/http/app.ts";
import { openapiDocument } from "../../src/http/app.ts";
import { BAD_SCHEDULE_REQUEST } from "../../src/http/openapi/examples.ts";
import { listQuery } from "../../src/schemas/job-query.ts";
import { validateJobSpec } from "../../src/schemas/job-spec.ts";
import { validateBatch } from "../../src/schemas/batch-spec.ts";
import { MODEL_IDS } from "../../src/providers/models.ts";
import { batchJobId } from "../../src/batches/batch-object.ts";
import { messageId } from "../../src/webhooks/events.ts";
import { BASE, driveJob, fireDelivery, HOOK_ORIGIN, KEY_A, startHarness, type Harness } from "../helpers.ts";

// The validator reads its bundled OpenAPI schema with fs, which workerd cannot reach: hand it the same file.
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const readFileSync = ((path: string, ...rest: unknown[]) =>
    String(path).endsWith("/schemas/v3.1/schema.json")
      ? JSON.stringify(oas31Schema)
      : (fs.readFileSync as (...a: unknown[]) => unknown)(path, ...rest)) as typeof fs.readFileSync;
  return { ...fs, default: { ...fs, readFileSync }, readFileSync };
});
const { Validator: OpenApiValidator } = await import("@seriousme/openapi-schema-validator");

// biome-ignore lint/suspicious/noExplicitAny: the document and its examples are JSON walked by path; typing every level would be noise
type Json = Record<string, any>;
type Fetcher = (request: Request) => Promise<Response>;

/** The app as src/http/app.ts builds it. */
const withRoutes = buildApp();
const viaBuiltApp: Fetcher = async (req) => withRoutes.fetch(req, env, createExecutionContext());
/** The worker entry itself. */
const viaWorker: Fetcher = (req) => exports.default.fetch(req);

const doc = () => JSON.parse(JSON.stringify(openapiDocument())) as Json;

/** A JSON Schema validator for one component, resolving `#/components/...` against the document. */
function schemaValidator(schema: Json, d: Json = doc()): (value: unknown) => { valid: boolean; errors: unknown[] } {
  const validator = new JsonSchemaValidator({ ...schema, components: d.components } as never, "2020-12", false);
  return (value) => validator.validate(value);
}
const component = (name: string, d: Json = doc()) => schemaValidator({ $ref: `#/components/schemas/${name}` }, d);

function expectValid(check: (v: unknown) => { valid: boolean; errors: unknown[] }, value: unknown, what: string): void {
  const result = check(value);
  expect(result.valid, `${what}: ${JSON.stringify(result.errors.slice(0, 3))}\n${JSON.stringify(value)}`).toBe(true);
}

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1 with resolvable references", async () => {
    const validator = new OpenApiValidator();
    const result = await validator.validate(doc());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    // every component also compiles and resolves as JSON Schema 2020-12
    for (const name of Object.keys(doc().components.schemas)) expect(() => component(name)({})).not.toThrow();
  });

  it("has a request schema per model, discriminated by `model`", () => {
    const createJob = doc().components.schemas.CreateJob;
    expect(createJob.oneOf).toHaveLength(MODEL_IDS.length);
    expect(Object.keys(createJob.discriminator.mapping).sort()).toEqual([...MODEL_IDS].sort());
    const ops = doc().paths;
    expect(ops["/v1/jobs"].post.security).toEqual([{ bearerAuth: [] }]);
    expect(ops["/healthz"].get.security).toBeUndefined();
    expect(Object.keys(ops["/v1/jobs"].post.responses)).toEqual(expect.arrayContaining(["202", "400", "401", "413", "415"]));
    expect(ops["/v1/jobs"].post.responses["202"].headers.Location).toBeDefined();
    expect(Object.keys(ops["/media/{key}"].get.responses)).toEqual(expect.arrayContaining(["200", "206", "304", "403", "404", "410"]));
  });

  it("every example validates against the schema it illustrates", () => {
    const d = doc();
    let checked = 0;
    // the outgoing webhooks are operations too: their headers and bodies have examples
    for (const [path, item] of [...Object.entries(d.paths as Json), ...Object.entries(d.webhooks as Json)]) {
      for (const [method, op] of Object.entries(item as Json)) {
        const where = `${method.toUpperCase()} ${path}`;
        for (const p of op.parameters ?? [])
          if (p.example !== undefined) {
            expectValid(schemaValidator(p.schema, d), p.example, `${where} ${p.name}`);
            checked++;
          }
        const bodies = [op.requestBody, ...Object.values(op.responses as Json)].filter(Boolean);
        for (const body of bodies)
          for (const media of Object.values((body.content ?? {}) as Json))
            for (const [name, ex] of Object.entries((media.examples ?? {}) as Json)) {
              expectValid(schemaValidator(media.schema, d), ex.value, `${where} ${name}`);
              checked++;
            }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("the list query parameters are generated from listQuery, the schema the list routes validate with", () => {
    const d = doc();
    const query = (op: Json) => (op.parameters as Json[]).filter((p) => p.in === "query");
    const keys = Object.keys(listQuery.shape);
    expect(query(d.paths["/v1/jobs"].get).map((p) => p.name)).toEqual(keys);
    // a batch's list takes batchId from its path
    expect(query(d.paths["/v1/batches/{id}/jobs"].get).map((p) => p.name)).toEqual(keys.filter((k) => k !== "batchId"));
    const param = (name: string) => query(d.paths["/v1/jobs"].get).find((p) => p.name === name)!;
    expect(param("limit").schema.default).toBe(listQuery.parse({}).limit);
    // the documented schemas accept what the validator accepts (query values arrive as strings)
    const cases: [string, unknown, boolean][] = [
      ["status", "succeeded", true],
      ["status", "done", false],
      ["model", MODEL_IDS[0], true],
      ["model", "weshop/nope", false],
      ["batchId", "batch_4n7q2w9e5r1t8y3u6i0o", true],
      ["batchId", "batch_1", false],
      ["pipelineId", "pipe_6t2m9q4w8e1r5y7u3i0o", true],
      ["pipelineId", "pipe_1", false],
      ["limit", 1, true],
      ["limit", 100, true],
      ["limit", 0, false],
      ["limit", 101, false],
      ["limit", 2.5, false],
      ["cursor", "abc", true],
    ];
    expect([...new Set(cases.map(([name]) => name))]).toEqual(keys);
    for (const [name, value, ok] of cases) {
      expect(listQuery.safeParse({ [name]: String(value) }).success, `${name}=${value}`).toBe(ok);
      expect(schemaValidator(param(name).schema, d)(value).valid, `${name}=${value} (documented)`).toBe(ok);
    }
  });

  it("the 400 example lists the field paths the real validator reports", () => {
    const example = doc().paths["/v1/jobs"].post.responses["400"].content["application/problem+json"].examples.validation_failed.value;
    expect(example.code).toBe("validation_failed");
    expect(example.errors.map((e: Json) => e.path)).toEqual(
      expect.arrayContaining(["surprise", "params.images", "params.textDescription", "params.duration", "params.batchCount"]),
    );
  });
});

describe("request schemas agree with validateJobSpec", () => {
  const ctx = { allowLoopbackHttp: false, webhooksEnabled: true };
  const real = (body: unknown) => validateJobSpec(body, ctx).errors.length === 0;
  const seedance = (params: Json) => ({ model: "weshop/seedance", params: { images: ["https://img.example.com/a.jpg"], textDescription: "spin", ...params } });
  const seedream = (params: Json, rest: Json = {}) => ({ model: "weshop/seedream", params: { textDescription: "a lighthouse", ...params }, ...rest });
  const wiro = (params: Json) => ({ model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a boat", ...params } });
  const meta = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));

  const valid: [string, unknown][] = [
    ["seedream, only the prompt", seedream({})],
    [
      "seedream, every field",
      seedream({ images: ["https://img.example.com/a.png"], imageSize: "3K", aspectRatio: "21:9", outputFormat: "png", tools: ["web_search"], batchCount: 16 }),
    ],
    ["seedance 10 Pro at 12s without audio", seedance({ modelName: "Seedance_10_Pro", duration: "12s", generateAudio: false })],
    ["seedance default variant at 15s with audio", seedance({ duration: "15s", generateAudio: "true" })],
    ["seedance 20 text only", { model: "weshop/seedance", params: { textDescription: "spin" } }],
    [
      "seedance 20 with 9 images, 3 videos, 3 audios",
      seedance({
        images: Array.from({ length: 9 }, (_, i) => `https://img.example.com/${i}.png`),
        videos: ["https://v.example.com/1.mp4"],
        audios: ["https://a.example.com/1.mp3"],
      }),
    ],
    [
      "seedance Mini with a first and last frame, adaptive",
      {
        model: "weshop/seedance",
        params: {
          textDescription: "spin",
          modelName: "Seedance_20_Mini",
          firstFrame: "https://img.example.com/f.png",
          lastFrame: "https://img.example.com/l.png",
          aspectRatio: "adaptive",
          resolution: "720p",
          returnLastFrame: true,
        },
      },
    ],
    [
      "seedance 20 extending a video",
      {
        model: "weshop/seedance",
        params: { textDescription: "spin", extendVideo: "https://v.example.com/1.mp4", extendDirection: "backward", resolution: "4k" },
      },
    ],
    ["seedance 10 Pro Fast at 2s", seedance({ modelName: "Seedance_10_Pro_Fast", duration: "2s", aspectRatio: "16:9", generateAudio: "false" })],
    ["seedream Pro at 1K auto", seedream({ modelName: "Seedream_50_Pro", imageSize: "1K", aspectRatio: "auto" })],
    [
      "seedream Lite at 3K with web_search and 14 images",
      seedream({
        modelName: "Seedream_50_Lite",
        imageSize: "3K",
        tools: ["web_search"],
        images: Array.from({ length: 14 }, (_, i) => `https://img.example.com/${i}.png`),
      }),
    ],
    ["seedream 1K auto without modelName", seedream({ imageSize: "1K", aspectRatio: "auto", safeGenerate: false })],
    [
      "seedance-25 auto duration as mov",
      { model: "weshop/seedance-25", params: { textDescription: "x", duration: "-1", outputFormat: "mov", resolution: "1080p", aspectRatio: "adaptive" } },
    ],
    [
      "seedance-25 at 30s with references",
      {
        model: "weshop/seedance-25",
        params: {
          textDescription: "x",
          duration: "30s",
          images: ["https://img.example.com/a.png"],
          videos: ["https://v.example.com/1.mp4"],
          audios: ["https://a.example.com/1.mp3"],
        },
      },
    ],
    ["wiro, strings", wiro({ duration: "10", fps: "16", watermark: "true", seed: "-1", camerafixed: false })],
    ["wiro, numbers", wiro({ duration: 10, fps: 24, seed: 4294967295 })],
    ["16 metadata values", seedream({}, { metadata: meta(16) })],
    ["a webhook", seedream({}, { webhookUrl: "https://hooks.example.com/seedrun", webhookEvents: ["job.running", "job.failed"] })],
  ];
  const invalid: [string, unknown][] = [
    ["unknown model", { model: "weshop/nope", params: {} }],
    ["params not an object", { model: "weshop/seedream", params: [] }],
    ["unknown top-level field", seedream({}, { surprise: 1 })],
    ["unknown param", seedream({ colour: "red" })],
    ["blank prompt", seedream({ textDescription: "   " })],
    ["batchCount 0", seedream({ batchCount: 0 })],
    ["batchCount 1.5", seedream({ batchCount: 1.5 })],
    ["batchCount 17", seedream({ batchCount: 17 })],
    ["imageSize 4K", seedream({ imageSize: "4K" })],
    ["15 images", seedream({ images: Array.from({ length: 15 }, (_, i) => `https://img.example.com/${i}.png`) })],
    // the seed's one-image rule stays for the 1.x variants; Seedance 2.0 takes text only or up to 9 images
    ["seedance 1.5 Pro without images", { model: "weshop/seedance", params: { textDescription: "spin", modelName: "Seedance_15_Pro" } }],
    ["seedance 10 Pro with two images", seedance({ modelName: "Seedance_10_Pro", images: ["https://a.example.com/1.png", "https://a.example.com/2.png"] })],
    ["seedance 20 with ten images", seedance({ images: Array.from({ length: 10 }, (_, i) => `https://img.example.com/${i}.png`) })],
    ["seedance 10 Pro at 21:9", seedance({ modelName: "Seedance_10_Pro", aspectRatio: "21:9" })],
    ["seedance Mini at 1080p", seedance({ modelName: "Seedance_20_Mini", resolution: "1080p" })],
    ["seedance 15 Pro with a resolution", seedance({ modelName: "Seedance_15_Pro", resolution: "720p" })],
    ["seedance adaptive without a first frame", seedance({ aspectRatio: "adaptive" })],
    [
      "seedance last frame without a first frame",
      { model: "weshop/seedance", params: { textDescription: "spin", lastFrame: "https://img.example.com/l.png" } },
    ],
    ["seedance first frame with images", seedance({ firstFrame: "https://img.example.com/f.png" })],
    [
      "seedance four videos",
      {
        model: "weshop/seedance",
        params: {
          textDescription: "spin",
          images: ["https://img.example.com/a.png"],
          videos: Array.from({ length: 4 }, (_, i) => `https://v.example.com/${i}.mp4`),
        },
      },
    ],
    ["seedream Pro at 3K", seedream({ modelName: "Seedream_50_Pro", imageSize: "3K" })],
    ["seedream Pro with tools", seedream({ modelName: "Seedream_50_Pro", tools: ["web_search"] })],
    ["seedream Lite at auto", seedream({ modelName: "Seedream_50_Lite", aspectRatio: "auto" })],
    ["seedream 11 images on Pro", seedream({ modelName: "Seedream_50_Pro", images: Array.from({ length: 11 }, (_, i) => `https://img.example.com/${i}.png`) })],
    ["seedream 3K at auto", seedream({ imageSize: "3K", aspectRatio: "auto" })],
    ["seedance-25 at 31s", { model: "weshop/seedance-25", params: { textDescription: "x", duration: "31s" } }],
    ["seedance-25 at 4k", { model: "weshop/seedance-25", params: { textDescription: "x", resolution: "4k" } }],
    ["seedance-25 as webm", { model: "weshop/seedance-25", params: { textDescription: "x", outputFormat: "webm" } }],
    ["safeGenerate maybe", seedream({ safeGenerate: "maybe" })],
    ["seedance 10 Pro at 13s", seedance({ modelName: "Seedance_10_Pro", duration: "13s" })],
    ["seedance default variant at 3s", seedance({ duration: "3s" })],
    ["seedance 20 at 16s", seedance({ modelName: "Seedance_20", duration: "16s" })],
    ["seedance 10 Pro with audio (boolean)", seedance({ modelName: "Seedance_10_Pro", generateAudio: true })],
    ["seedance 10 Pro Fast with audio (string)", seedance({ modelName: "Seedance_10_Pro_Fast", generateAudio: "true" })],
    ["seedance duration without s", seedance({ duration: "5" })],
    ["seedance zero-padded seconds", seedance({ modelName: "Seedance_10_Pro_Fast", duration: "02s" })],
    ["wiro without prompt", { model: "wiro/ByteDance/text-to-video-seedance-v1", params: {} }],
    ["wiro duration 7", wiro({ duration: 7 })],
    ["wiro duration '7'", wiro({ duration: "7" })],
    ["wiro fps 30", wiro({ fps: 30 })],
    ["wiro seed -2", wiro({ seed: -2 })],
    ["wiro seed 2^32", wiro({ seed: 4294967296 })],
    ["wiro seed 1.5", wiro({ seed: 1.5 })],
    ["wiro seed 'abc'", wiro({ seed: "abc" })],
    ["wiro watermark 'yes'", wiro({ watermark: "yes" })],
    ["17 metadata values", seedream({}, { metadata: meta(17) })],
    ["a number in metadata", seedream({}, { metadata: { a: 1 } })],
    ["events without a webhook URL", seedream({}, { webhookEvents: ["job.failed"] })],
    ["a repeated event", seedream({}, { webhookUrl: "https://hooks.example.com/x", webhookEvents: ["job.failed", "job.failed"] })],
    ["an unknown event", seedream({}, { webhookUrl: "https://hooks.example.com/x", webhookEvents: ["job.done"] })],
  ];

  it("the documented examples are accepted by both", () => {
    const documented = component("CreateJob");
    const examples = doc().paths["/v1/jobs"].post.requestBody.content["application/json"].examples as Json;
    expect(Object.keys(examples)).toHaveLength(MODEL_IDS.length);
    for (const [name, ex] of Object.entries(examples)) {
      expectValid(documented, ex.value, name);
      expect(validateJobSpec(ex.value, ctx).errors, name).toEqual([]);
    }
  });

  it.each(valid)("both accept: %s", (_, body) => {
    expect(validateJobSpec(body, ctx).errors).toEqual([]);
    expectValid(component("CreateJob"), body, "documented schema");
  });

  it.each(invalid)("both refuse: %s", (_, body) => {
    expect(real(body)).toBe(false);
    expect(component("CreateJob")(body).valid).toBe(false);
  });

  it("batches: the documented schema and validateBatch agree", () => {
    const documented = component("CreateBatch");
    const example = doc().paths["/v1/batches"].post.requestBody.content["application/json"].examples.twoModels.value;
    const cases: [unknown, boolean][] = [
      [example, true],
      [{ jobs: [seedream({})], webhookUrl: "https://hooks.example.com/b" }, true],
      [{ jobs: Array.from({ length: 1000 }, () => seedream({})) }, true],
      [{ jobs: [] }, false],
      [{ jobs: Array.from({ length: 1001 }, () => seedream({})) }, false],
      [{ jobs: [seedream({}), wiro({ duration: 7 })] }, false],
      [{ jobs: [seedream({})], extra: true }, false],
      [{}, false],
    ];
    for (const [body, ok] of cases) {
      expect(validateBatch(body, ctx).errors.length === 0, JSON.stringify(body).slice(0, 120)).toBe(ok);
      expect(documented(body).valid, JSON.stringify(body).slice(0, 120)).toBe(ok);
    }
  });
});

describe("real responses match the documented schemas", () => {
  let h: Harness;
  /** Schedules a test made, deleted afterwards (before the harness stops) so the per-key limit and other files are unaffected. */
  const schedules: string[] = [];
  beforeEach(() => {
    h = startHarness();
  });
  afterEach(async () => {
    for (const id of schedules.splice(0)) await call(`/v1/schedules/${id}`, { method: "DELETE" });
    await h.stop();
  });

  const call = (path: string, init: RequestInit = {}) =>
    viaWorker(new Request(`${BASE}${path}`, { ...init, headers: { Authorization: `Bearer ${KEY_A}`, ...(init.headers as Record<string, string>) } }));

  it("a job, as created, read and finished, is a documented Job", async () => {
    const job = component("Job");
    const res = await call("/v1/jobs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: "weshop/seedream", params: { textDescription: "x" } }),
    });
    expect(res.status).toBe(202);
    const created = (await res.json()) as Json;
    expectValid(job, created, "202 body");
    expect(res.headers.get("Location")).toBe(`/v1/jobs/${created.id}`);
    h.jobs.push(created.id);

    const read = await call(`/v1/jobs/${created.id}`);
    expect(read.status).toBe(200);
    expectValid(job, await read.json(), "200 body");

    await driveJob(h, created.id);
    const done = (await (await call(`/v1/jobs/${created.id}`)).json()) as Json;
    expect(done.status).toBe("succeeded");
    expect(done.outputs.length).toBeGreaterThan(0);
    expectValid(job, done, "finished job");
  });

  const json = (path: string, method: string, body: unknown) =>
    call(path, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const NIGHTLY = { name: "n", cron: "0 3 * * *", batch: { jobs: [{ model: "weshop/seedream", params: { textDescription: "x" } }] } };
  async function createSchedule(body: unknown): Promise<Response> {
    const res = await json("/v1/schedules", "POST", body);
    if (res.status === 201) schedules.push(((await res.clone().json()) as Json).id);
    return res;
  }

  it("a schedule, as created, listed, read, changed and deleted, is a documented Schedule", async () => {
    const schedule = component("Schedule");
    const problem = component("Problem");
    const res = await createSchedule(NIGHTLY);
    expect(res.status).toBe(201);
    const created = (await res.json()) as Json;
    expectValid(schedule, created, "201 body");
    expect(res.headers.get("Location")).toBe(`/v1/schedules/${created.id}`);
    expect(created).toMatchObject({ timezone: "UTC", enabled: true, lastRunAt: null, lastBatchId: null });

    const withAll = await createSchedule({
      ...NIGHTLY,
      timezone: "Europe/Istanbul",
      enabled: false,
      batch: {
        jobs: [{ ...NIGHTLY.batch.jobs[0], metadata: { k: "v" }, webhookUrl: "https://hooks.example.com/s", webhookEvents: ["job.failed"] }],
        webhookUrl: "https://hooks.example.com/b",
      },
    });
    expect(withAll.status).toBe(201);
    const disabled = (await withAll.json()) as Json;
    expectValid(schedule, disabled, "201 body, every field");
    expect(disabled.nextRunAt).toBeNull();
    expect(disabled.batch.jobs[0].webhook).toEqual({ url: "https://hooks.example.com/s", events: ["job.failed"] });

    const list = await call("/v1/schedules");
    expect(list.status).toBe(200);
    const page = (await list.json()) as Json;
    expectValid(component("ScheduleList"), page, "list");
    expect(page.data.map((s: Json) => s.id)).toEqual(expect.arrayContaining([created.id, disabled.id]));

    const read = await call(`/v1/schedules/${created.id}`);
    expect(read.status).toBe(200);
    expectValid(schedule, await read.json(), "200 body");

    const patched = await json(`/v1/schedules/${created.id}`, "PATCH", { enabled: false, cron: "30 6 * * 1-5", timezone: "Asia/Tokyo" });
    expect(patched.status).toBe(200);
    expectValid(schedule, await patched.json(), "PATCH body");

    const badPatch = await json(`/v1/schedules/${created.id}`, "PATCH", { cron: "0 25 * * *" });
    expect(badPatch.status).toBe(400);
    const badBody = (await badPatch.json()) as Json;
    expectValid(problem, badBody, "PATCH 400");
    const documented = doc().paths["/v1/schedules/{id}"].patch.responses["400"].content["application/problem+json"].examples.validation_failed.value;
    expect(badBody.errors).toEqual(documented.errors);

    const deleted = await call(`/v1/schedules/${created.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe("");
    const gone = await call(`/v1/schedules/${created.id}`);
    expect(gone.status).toBe(404);
    expectValid(problem, await gone.json(), "404");
  });

  it("the documented schedule 400 example is what the route answers to the same request", async () => {
    const res = await createSchedule(BAD_SCHEDULE_REQUEST);
    expect(res.status).toBe(400);
    const body = (await res.json()) as Json;
    expectValid(component("Problem"), body, "400");
    const documented = doc().paths["/v1/schedules"].post.responses["400"].content["application/problem+json"].examples.validation_failed.value;
    expect(body.errors).toEqual(documented.errors);
    expect(body.errors.map((e: Json) => e.path).sort()).toEqual(["batch.jobs[0].params.textDescription", "cron", "timezone"]);
  });

  it("the documented schedule request schemas and the real route agree", async () => {
    const create = component("CreateSchedule");
    const job = NIGHTLY.batch.jobs[0]!;
    const cases: [string, unknown, boolean][] = [
      ["the documented example", doc().paths["/v1/schedules"].post.requestBody.content["application/json"].examples.nightly.value, true],
      ["name, cron and batch only", NIGHTLY, true],
      ["every field", { ...NIGHTLY, timezone: "America/New_York", enabled: false }, true],
      ["steps", { ...NIGHTLY, cron: "*/15 * * * *" }, true],
      ["names and ranges", { ...NIGHTLY, cron: "0 9 * * MON-FRI" }, true],
      ["extra whitespace in cron", { ...NIGHTLY, cron: " 0  3 * * * " }, true],
      ["a batch webhook", { ...NIGHTLY, batch: { ...NIGHTLY.batch, webhookUrl: "https://hooks.example.com/b" } }, true],
      ["a 100-character name", { ...NIGHTLY, name: "n".repeat(100) }, true],
      ["no name", { cron: NIGHTLY.cron, batch: NIGHTLY.batch }, false],
      ["a blank name", { ...NIGHTLY, name: "   " }, false],
      ["a 101-character name", { ...NIGHTLY, name: "n".repeat(101) }, false],
      ["no cron", { name: "n", batch: NIGHTLY.batch }, false],
      ["a 6-field cron", { ...NIGHTLY, cron: "0 0 3 * * *" }, false],
      ["a 4-field cron", { ...NIGHTLY, cron: "0 3 * *" }, false],
      ["a nickname cron", { ...NIGHTLY, cron: "@daily" }, false],
      ["a numeric cron", { ...NIGHTLY, cron: 5 }, false],
      ["a numeric time zone", { ...NIGHTLY, timezone: 3 }, false],
      ["enabled as a string", { ...NIGHTLY, enabled: "yes" }, false],
      ["an unknown field", { ...NIGHTLY, surprise: true }, false],
      ["no batch", { name: "n", cron: NIGHTLY.cron }, false],
      ["an empty batch", { ...NIGHTLY, batch: { jobs: [] } }, false],
      ["a bad job in the batch", { ...NIGHTLY, batch: { jobs: [{ ...job, params: { textDescription: "x", batchCount: 0 } }] } }, false],
      ["an extra batch field", { ...NIGHTLY, batch: { ...NIGHTLY.batch, extra: 1 } }, false],
      ["not an object", [NIGHTLY], false],
    ];
    for (const [name, body, ok] of cases) {
      const res = await createSchedule(body);
      expect(res.status, `${name}: ${await res.clone().text()}`).toBe(ok ? 201 : 400);
      expect(create(body).valid, `${name} (documented)`).toBe(ok);
    }
    // what JSON Schema cannot say: the route parses each cron field and knows the IANA zones
    for (const body of [
      { ...NIGHTLY, cron: "61 * * * *" },
      { ...NIGHTLY, timezone: "Mars/Base" },
    ]) {
      expect((await createSchedule(body)).status).toBe(400);
      expectValid(create, body, "documented schema, syntax only");
    }

    const patch = component("PatchSchedule");
    const id = schedules[0]!;
    const patches: [unknown, boolean][] = [
      [{}, true],
      [{ enabled: false }, true],
      [{ name: "renamed", cron: "30 6 * * 1-5", timezone: "Asia/Tokyo", enabled: true, batch: NIGHTLY.batch }, true],
      [{ name: "" }, false],
      [{ cron: "* * * *" }, false],
      [{ enabled: 1 }, false],
      [{ batch: { jobs: [] } }, false],
      [{ batch: null }, false],
      [{ id: "sched_00000000000000000000" }, false],
    ];
    for (const [body, ok] of patches) {
      const res = await json(`/v1/schedules/${id}`, "PATCH", body);
      expect(res.status, `${JSON.stringify(body)}: ${await res.clone().text()}`).toBe(ok ? 200 : 400);
      expect(patch(body).valid, `${JSON.stringify(body)} (documented)`).toBe(ok);
    }
  });

  it("an upload, real and as documented, is a documented Upload; its problems are documented Problems", async () => {
    const upload = component("Upload");
    const op = doc().paths["/v1/uploads"].post;
    expect(Object.keys(op.requestBody.content)).toEqual(["multipart/form-data"]);
    const media = op.requestBody.content["multipart/form-data"];
    expect(doc().components.schemas.UploadImage).toMatchObject({
      required: ["image"],
      properties: { image: { type: "string", format: "binary" } },
      additionalProperties: false,
    });
    expect(media.encoding.image.contentType).toMatch(/image\/png/);
    expectValid(upload, op.responses["201"].content["application/json"].examples.uploaded.value, "documented example");

    const png = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="), (ch) =>
      ch.charCodeAt(0),
    );
    const form = new FormData();
    form.append("image", new File([png], "dot.png", { type: "image/png" }));
    const res = await call("/v1/uploads", { method: "POST", body: form });
    expect(res.status, await res.clone().text()).toBe(201);
    expectValid(upload, await res.json(), "201 body");

    const problem = component("Problem");
    const text = new FormData();
    text.append("image", "not a file");
    for (const [init, status] of [
      [{ method: "POST", body: text }, 400],
      [{ method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }, 415],
    ] as const) {
      const bad = await call("/v1/uploads", init);
      expect(bad.status).toBe(status);
      expect(Object.keys(op.responses)).toContain(String(status));
      expectValid(problem, await bad.json(), String(status));
    }
  });

  it("webhooks, a job event and batch.completed, are delivered with the documented bodies and headers", async () => {
    const res = await json("/v1/batches", "POST", {
      jobs: [{ model: "weshop/seedream", params: { textDescription: "x" }, webhookUrl: `${HOOK_ORIGIN}/job`, webhookEvents: ["job.succeeded"] }],
      webhookUrl: `${HOOK_ORIGIN}/batch`,
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const batch = (await res.json()) as Json;
    const jobId = await batchJobId(batch.id, 0);
    h.jobs.push(jobId);
    /** Runs the batch's alarm now: the first run creates the job, the last announces the end. */
    const batchAlarm = () =>
      runInDurableObject(env.BATCHES.get(env.BATCHES.idFromName(batch.id)), async (instance, state) => {
        await state.storage.deleteAlarm();
        await instance.alarm();
      });
    await batchAlarm();
    expect((await driveJob(h, jobId)).status).toBe("succeeded");
    await fireDelivery(messageId(jobId, "job.succeeded"));
    await batchAlarm();
    await fireDelivery(`msg_${batch.id.slice(6)}_completed`);

    const d = doc();
    for (const [name, path] of [
      ["jobEvent", "/job"],
      ["batchCompleted", "/batch"],
    ] as const) {
      const op = d.webhooks[name].post;
      const delivery = h.webhooks.find((w) => new URL(w.url).pathname === path);
      expect(delivery, `${name} delivered`).toBeDefined();
      expectValid(schemaValidator(op.requestBody.content["application/json"].schema, d), JSON.parse(delivery!.body), `${name} body`);
      for (const p of op.parameters as Json[]) expectValid(schemaValidator(p.schema, d), delivery!.headers[p.name], `${name} ${p.name} header`);
    }
    expect(JSON.parse(h.webhooks.find((w) => w.url.endsWith("/batch"))!.body)).toMatchObject({
      type: "batch.completed",
      data: { id: batch.id, status: "completed" },
    });
  });

  it("problems are documented Problems", async () => {
    const problem = component("Problem");
    const bad = await call("/v1/jobs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: "weshop/seedream", params: {}, x: 1 }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as Json;
    expectValid(problem, body, "400");
    expect(body.errors.map((e: Json) => e.path).sort()).toEqual(["params.textDescription", "x"]);
    const unauthorized = await viaWorker(new Request(`${BASE}/v1/jobs/job_00000000000000000000`));
    expect(unauthorized.status).toBe(401);
    expectValid(problem, await unauthorized.json(), "401");
    const health = await viaWorker(new Request(`${BASE}/healthz`));
    expectValid(component("Health"), await health.json(), "healthz");
  });
});

describe("the documented 500 examples are what the worker answers", () => {
  const app = buildApp();
  const answer = async (overrides: Partial<Record<keyof Env, string | undefined>>) => {
    const res = await app.fetch(new Request(`${BASE}/v1/jobs`, { headers: { Authorization: `Bearer ${KEY_A}` } }), { ...env, ...overrides } as Env);
    expect(res.status).toBe(500);
    return (await res.json()) as Json;
  };

  it("without API_KEYS (naming nothing) and, to an authenticated caller, with a short SIGNING_SECRET", async () => {
    const examples = doc().paths["/v1/jobs"].get.responses["500"].content["application/problem+json"].examples as Json;
    expect(Object.keys(examples).sort()).toEqual(["authenticated", "no_api_keys"]);
    const real = { no_api_keys: await answer({ API_KEYS: undefined }), authenticated: await answer({ SIGNING_SECRET: "short" }) };
    for (const [name, body] of Object.entries(real)) {
      expectValid(component("Problem"), body, name);
      const { code, title, status, detail } = examples[name].value;
      expect({ code: body.code, title: body.title, status: body.status, detail: body.detail }, name).toEqual({ code, title, status, detail });
    }
  });
});

/** A concrete request for a documented operation: path parameters from their examples. */
function requestFor(path: string, method: string, op: Json): Request {
  let url = path;
  const query = new URLSearchParams();
  for (const p of op.parameters ?? []) {
    // a path parameter is percent-encoded, as OpenAPI clients send it (a model id's slashes stay in one segment)
    if (p.in === "path") url = url.replace(`{${p.name}}`, encodeURIComponent(String(p.example)));
    if (p.in === "query" && p.example !== undefined) query.set(p.name, String(p.example));
  }
  const headers: Record<string, string> = op.security ? { Authorization: `Bearer ${KEY_A}` } : {};
  // an empty body (no fields) is invalid for every documented body, so nothing is created
  const type = Object.keys(op.requestBody?.content ?? {})[0];
  let body: BodyInit | undefined;
  if (type === "multipart/form-data")
    body = new FormData(); // fetch writes the Content-Type with its boundary
  else if (type) {
    headers["Content-Type"] = type;
    body = "{}";
  }
  return new Request(`${BASE}${url}${String(query) ? `?${query}` : ""}`, { method: method.toUpperCase(), headers, ...(body ? { body } : {}) });
}

describe.each([
  ["buildApp()", viaBuiltApp],
  ["the worker entry (exports.default)", viaWorker],
])("every documented route answers: %s", (_, fetcher) => {
  it("no documented operation is 'no such route', and /openapi.json and /docs are served", async () => {
    const missing = await fetcher(new Request(`${BASE}/no/such/route/${crypto.randomUUID()}`));
    const notFound = `${missing.status} ${await missing.text()}`.replace(/"requestId":"[^"]*"/, "");
    const d = doc();
    for (const [path, item] of Object.entries(d.paths as Json))
      for (const [method, op] of Object.entries(item as Json)) {
        const res = await fetcher(requestFor(path, method, op));
        const seen = `${res.status} ${await res.text()}`.replace(/"requestId":"[^"]*"/, "");
        expect(seen, `${method.toUpperCase()} ${path}`).not.toBe(notFound);
        expect(Object.keys(op.responses), `${method.toUpperCase()} ${path} answered an undocumented ${res.status}`).toContain(String(res.status));
      }
    expect(d.paths["/openapi.json"]).toBeDefined();
    const spec = await fetcher(new Request(`${BASE}/openapi.json`));
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as Json).openapi).toBe("3.1.1");
    expect((await fetcher(new Request(`${BASE}/docs`))).status).toBe(200);
  });
});

describe("the document is complete", () => {
  const documented = () =>
    new Set(Object.entries(doc().paths as Json).flatMap(([path, item]) => Object.keys(item as Json).map((m) => `${m.toUpperCase()} ${path}`)));
  /** Every route the app serves (middleware is `ALL`), written as the document writes paths. */
  const served = () => withRoutes.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}")}`);

  it("every route of the app is documented", () => {
    const routes = served();
    expect(routes.length).toBeGreaterThan(5);
    expect(routes.filter((r) => !documented().has(r))).toEqual([]);
  });

  it("every documented operation is a route of the app", () => {
    const routes = new Set(served());
    expect([...documented()].filter((op) => !routes.has(op))).toEqual([]);
  });
});

describe("GET /openapi.json", () => {
  it("serves the document with this origin as its server", async () => {
    const res = await viaBuiltApp(new Request("https://api.example.com/openapi.json"));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = (await res.json()) as Json;
    expect(body.servers).toEqual([{ url: "https://api.example.com" }]);
    expect(body).toEqual(JSON.parse(JSON.stringify(openapiDocument("https://api.example.com"))));
    expect(openapiDocument().servers).toBeUndefined();
  });
});

describe("GET /docs", () => {
  const assets = env.ASSETS;

  it("is Swagger UI loaded from this origin only, reading /openapi.json, under a CSP of 'self'", async () => {
    for (const fetcher of [viaBuiltApp, viaWorker]) {
      const res = await fetcher(new Request(`${BASE}/docs`));
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html).toMatch(/^<!doctype html>/i);
      // nothing on the page names another host, and no code or style is inline
      expect(html).not.toMatch(/https?:\/\/|\/\/[a-z0-9.-]+\.[a-z]{2,}\//i);
      expect(html).not.toMatch(/<style|\son\w+=|\sstyle=/i);
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attrs, body] of scripts)
        expect({ attrs, body: body!.trim() }).toEqual({ attrs: expect.stringMatching(/\bsrc="\/docs\/[\w.-]+\.js"/), body: "" });
      const sheets = [...html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"/gi)].map((m) => m[1]!);
      expect(sheets.length).toBeGreaterThan(0);
      for (const link of html.match(/<link\b[^>]*>/gi) ?? []) expect(link).toMatch(/href="(\/docs\/[\w.-]+\.css|data:[^"]*)"/);

      // each script and stylesheet is a file of this deployment, served as what the page expects
      for (const [src, type] of [
        ...scripts.map(([, attrs]) => [/src="([^"]+)"/.exec(attrs!)![1]!, /javascript/] as const),
        ...sheets.map((h) => [h, /^text\/css/] as const),
      ]) {
        const file = await assets.fetch(new Request(`${BASE}${src}`));
        expect(file.status, src).toBe(200);
        expect(file.headers.get("Content-Type"), src).toMatch(type);
        expect((await file.text()).length, src).toBeGreaterThan(100);
      }
      // the bundle is Swagger UI's; the starter hands it this worker's document and no validator
      expect(await (await assets.fetch(new Request(`${BASE}/docs/swagger-ui-bundle.js`))).text()).toContain("SwaggerUIBundle");
      const init = scripts.find(([, attrs]) => /init\.js/.test(attrs!))![1]!;
      expect(init).toContain('data-openapi="/openapi.json"');
      const starter = await (await assets.fetch(new Request(`${BASE}/docs/init.js`))).text();
      expect(starter).toMatch(/url:\s*url\b/);
      expect(starter).toMatch(/getAttribute\("data-openapi"\)/);
      expect(starter).toMatch(/validatorUrl:\s*null/);

      const csp = res.headers.get("Content-Security-Policy")!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("style-src 'self';");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    }
  });
});
