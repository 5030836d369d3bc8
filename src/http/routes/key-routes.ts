// The definitions of /v1/keys (handlers in keys.ts).
import { createRoute, z } from "@hono/zod-openapi";
import { createdKeySchema, createKeySchema, currentKeySchema, keyListSchema } from "../../schemas/keys.ts";
import { authProblems, jsonBodyProblems, notFoundProblem, REQUEST_ID_HEADER, requires, validationProblem } from "../openapi/problems.ts";

export const EXAMPLE_KEY_ID = "key_4n7q2w9e5r1t8y3u6i0o";
export const KEY_ID = /^key_[0-9a-z]{20}$/;

const ok = (description: string, schema: z.ZodType, example: unknown) => ({
  description,
  headers: REQUEST_ID_HEADER,
  content: { "application/json": { schema, example } },
});

const listed = {
  id: EXAMPLE_KEY_ID,
  name: "dashboard viewer",
  scopes: ["read"],
  prefix: "sr_7GxQ",
  createdAt: "2026-12-06T10:00:00.000Z",
  expiresAt: "2027-03-01T00:00:00.000Z",
  lastUsedAt: "2026-12-06T11:42:00.000Z",
};

export const keyIdParams = z.object({
  id: z
    .string()
    .regex(KEY_ID, { error: (issue) => `Key ${String(issue.input)}` })
    .openapi({ param: { name: "id", in: "path", description: "Key id.", example: EXAMPLE_KEY_ID } }),
});

export const createKeyRoute = createRoute({
  method: "post",
  path: "/v1/keys",
  operationId: "createKey",
  summary: "Create a key",
  description:
    "A new key of the caller's tenant: it sees everything the tenant owns, with only the scopes given (each must be one the caller's key has). The secret (`key`) is in this answer only; the server keeps its SHA-256 hash.",
  tags: ["Keys"],
  ...requires("keys:write"),
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: createKeySchema, example: { name: "dashboard viewer", scopes: ["read"], expiresAt: "2027-03-01T00:00:00Z" } } },
    },
  },
  responses: {
    201: ok("Created; `key` is shown only now.", createdKeySchema, {
      ...listed,
      lastUsedAt: null,
      key: "sr_7GxQp2Lk9ZrT4vW8yB1nC5dE3fH6jM0sA2uX4wY7",
    }),
    ...jsonBodyProblems({
      validation_failed: validationProblem([{ path: "scopes[0]", message: "must be one of: read, jobs:write, schedules:write, budget:write, keys:write" }]),
    }),
    ...authProblems,
  },
});

export const listKeysRoute = createRoute({
  method: "get",
  path: "/v1/keys",
  operationId: "listKeys",
  summary: "List keys",
  description: "The tenant's created keys that are not revoked (API_KEYS entries are not listed). Never the secrets.",
  tags: ["Keys"],
  ...requires("read"),
  responses: { 200: ok("The keys.", keyListSchema, { data: [listed] }), ...authProblems },
});

export const currentKeyRoute = createRoute({
  method: "get",
  path: "/v1/keys/current",
  operationId: "currentKey",
  summary: "The key you are calling with",
  description: "Its id, name and scopes (the dashboard shows only what they allow).",
  tags: ["Keys"],
  ...requires("read"),
  responses: {
    200: ok("The calling key.", currentKeySchema, {
      id: EXAMPLE_KEY_ID,
      name: "dashboard viewer",
      scopes: ["read"],
      root: false,
      tenant: "4f0c2d9e8b7a61534c2e1d0f9a8b7c6d",
    }),
    ...authProblems,
  },
});

export const deleteKeyRoute = createRoute({
  method: "delete",
  path: "/v1/keys/{id}",
  operationId: "deleteKey",
  summary: "Revoke a key",
  description: "Refused from the next request on, everywhere (no server caches a key). The tenant's jobs, batches and schedules stay.",
  tags: ["Keys"],
  ...requires("keys:write"),
  request: { params: keyIdParams },
  responses: {
    204: { description: "Revoked.", headers: REQUEST_ID_HEADER },
    404: notFoundProblem("Key", EXAMPLE_KEY_ID),
    ...authProblems,
  },
});
