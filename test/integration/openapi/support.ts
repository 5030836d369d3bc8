// Shared by the test/integration/openapi/ files: the document as the worker serves it, JSON Schema
// validators for its parts resolving `#/components/...`, and the two ways of calling the app.
import { createExecutionContext, env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { Validator as JsonSchemaValidator } from "@cfworker/json-schema";
import { expect } from "vitest";
import { buildApp, openapiDocument } from "../../../src/http/app.ts";
import { BASE, KEY_A } from "../../support/harness.ts";

// biome-ignore lint/suspicious/noExplicitAny: the document and its examples are JSON walked by path; typing every level would be noise
export type Json = Record<string, any>;
export type Fetcher = (request: Request) => Promise<Response>;

/** The app as src/http/app.ts builds it. */
export const withRoutes = buildApp();
export const viaBuiltApp: Fetcher = async (req) => withRoutes.fetch(req, env, createExecutionContext());
/** The worker entry itself. */
export const viaWorker: Fetcher = (req) => exports.default.fetch(req);

export const doc = () => JSON.parse(JSON.stringify(openapiDocument())) as Json;

/** A JSON Schema validator for one component, resolving `#/components/...` against the document. */
export function schemaValidator(
  schema: Json,
  d: Json = doc(),
): (value: unknown) => { valid: boolean; errors: unknown[] } {
  const validator = new JsonSchemaValidator({ ...schema, components: d.components } as never, "2020-12", false);
  return (value) => validator.validate(value);
}
export const component = (name: string, d: Json = doc()) =>
  schemaValidator({ $ref: `#/components/schemas/${name}` }, d);

export function expectValid(
  check: (v: unknown) => { valid: boolean; errors: unknown[] },
  value: unknown,
  what: string,
): void {
  const result = check(value);
  expect(result.valid, `${what}: ${JSON.stringify(result.errors.slice(0, 3))}\n${JSON.stringify(value)}`).toBe(true);
}

/** An API call as KEY_A through the worker entry. */
export const call = (path: string, init: RequestInit = {}) =>
  viaWorker(
    new Request(`${BASE}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${KEY_A}`, ...(init.headers as Record<string, string>) },
    }),
  );
