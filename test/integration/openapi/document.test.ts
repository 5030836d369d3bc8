// The OpenAPI document itself: valid OpenAPI 3.1 with resolvable references, examples that validate,
// the list query and 400/500 examples generated from what the code does, every route documented
// and every documented operation routed, and /openapi.json serving it with this origin.
import { env } from "cloudflare:test";
import oas31Schema from "@seriousme/openapi-schema-validator/schemas/v3.1/schema.json";
import { describe, expect, it, vi } from "vitest";
import { buildApp, openapiDocument } from "../../../src/http/app.ts";
import { MODEL_IDS } from "../../../src/providers/models.ts";
import { listQuery } from "../../../src/schemas/job-query.ts";
import { BASE, KEY_A } from "../../support/harness.ts";
import { component, doc, expectValid, type Json, schemaValidator, viaBuiltApp, withRoutes } from "./support.ts";

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
    // public routes say so explicitly (no requirement), rather than leaving it out
    expect(ops["/healthz"].get.security).toEqual([]);
    expect(Object.keys(ops["/v1/jobs"].post.responses)).toEqual(
      expect.arrayContaining(["202", "400", "401", "413", "415"]),
    );
    expect(ops["/v1/jobs"].post.responses["202"].headers.Location).toBeDefined();
    expect(Object.keys(ops["/media/{key}"].get.responses)).toEqual(
      expect.arrayContaining(["200", "206", "304", "403", "404", "410"]),
    );
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
      ["tag", "campaign:spring", true],
      ["tag", "Spring!", false],
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
    const example =
      doc().paths["/v1/jobs"].post.responses["400"].content["application/problem+json"].examples.validation_failed
        .value;
    expect(example.code).toBe("validation_failed");
    expect(example.errors.map((e: Json) => e.path)).toEqual(
      expect.arrayContaining([
        "surprise",
        "params.images",
        "params.textDescription",
        "params.duration",
        "params.batchCount",
      ]),
    );
  });
});

describe("the documented 500 examples are what the worker answers", () => {
  const app = buildApp();
  const answer = async (overrides: Partial<Record<keyof Env, string | undefined>>) => {
    const res = await app.fetch(new Request(`${BASE}/v1/jobs`, { headers: { Authorization: `Bearer ${KEY_A}` } }), {
      ...env,
      ...overrides,
    } as Env);
    expect(res.status).toBe(500);
    return (await res.json()) as Json;
  };

  it("without API_KEYS (naming nothing) and, to an authenticated caller, with a short SIGNING_SECRET", async () => {
    const examples = doc().paths["/v1/jobs"].get.responses["500"].content["application/problem+json"].examples as Json;
    expect(Object.keys(examples).sort()).toEqual(["authenticated", "no_api_keys"]);
    const real = {
      no_api_keys: await answer({ API_KEYS: undefined }),
      authenticated: await answer({ SIGNING_SECRET: "short" }),
    };
    for (const [name, body] of Object.entries(real)) {
      expectValid(component("Problem"), body, name);
      const { code, title, status, detail } = examples[name].value;
      expect({ code: body.code, title: body.title, status: body.status, detail: body.detail }, name).toEqual({
        code,
        title,
        status,
        detail,
      });
    }
  });
});

describe("the document is complete", () => {
  const documented = () =>
    new Set(
      Object.entries(doc().paths as Json).flatMap(([path, item]) =>
        Object.keys(item as Json).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
  /** Every route the app serves (middleware is `ALL`), written as the document writes paths. */
  const served = () =>
    withRoutes.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}")}`);

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
