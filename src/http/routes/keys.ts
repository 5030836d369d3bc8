// /v1/keys: a tenant's keys. A key is created with scopes the caller's key has (no escalation),
// shown once and stored as its hash; revoking it takes effect on the next request (src/http/auth.ts).
// The definitions of its operations first, then their handlers.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { insertKey, type KeyRow, listKeys, revokeKey } from "../../db/keys.ts";
import { generateKey, keyHash, keyPrefix } from "../../keys/secrets.ts";
import { randomId } from "../../lib/crypto.ts";
import { notFound } from "../../lib/problems.ts";
import { validationError } from "../../lib/validation.ts";
import {
  createdKeySchema,
  createKeySchema,
  currentKeySchema,
  keyListSchema,
  validateCreateKey,
} from "../../schemas/keys.ts";
import { insufficientScope, missingScopes, parseScopes, SCOPES } from "../../schemas/scopes.ts";
import type { AppEnv } from "../context.ts";
import { routeGroup } from "../openapi/hook.ts";
import {
  authProblems,
  jsonBodyProblems,
  notFoundProblem,
  REQUEST_ID_HEADER,
  requires,
  validationProblem,
} from "../openapi/problems.ts";
import { readJsonBody } from "../request.ts";

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
      content: {
        "application/json": {
          schema: createKeySchema,
          example: { name: "dashboard viewer", scopes: ["read"], expiresAt: "2027-03-01T00:00:00Z" },
        },
      },
    },
  },
  responses: {
    201: ok("Created; `key` is shown only now.", createdKeySchema, {
      ...listed,
      lastUsedAt: null,
      key: "sr_7GxQp2Lk9ZrT4vW8yB1nC5dE3fH6jM0sA2uX4wY7",
    }),
    ...jsonBodyProblems({
      validation_failed: validationProblem([
        { path: "scopes[0]", message: "must be one of: read, jobs:write, schedules:write, budget:write, keys:write" },
      ]),
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
  description:
    "Refused from the next request on, everywhere (no server caches a key). The tenant's jobs, batches and schedules stay.",
  tags: ["Keys"],
  ...requires("keys:write"),
  request: { params: keyIdParams },
  responses: {
    204: { description: "Revoked.", headers: REQUEST_ID_HEADER },
    404: notFoundProblem("Key", EXAMPLE_KEY_ID),
    ...authProblems,
  },
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function keyView(row: KeyRow) {
  return {
    id: row.id,
    name: row.name,
    scopes: parseScopes(row.scopes),
    prefix: row.prefix,
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: iso(row.expires_at),
    lastUsedAt: iso(row.last_used_at),
  };
}

/** Makes a key of `tenant` and stores its hash; the secret is returned to be shown once. */
export async function mintKey(
  db: D1Database,
  tenant: string,
  tenantName: string,
  spec: { name: string; scopes: readonly string[]; expiresAt?: number | null },
) {
  const key = generateKey();
  const row: KeyRow = {
    id: randomId("key"),
    tenant,
    name: spec.name,
    hash: await keyHash(key),
    prefix: keyPrefix(key),
    scopes: JSON.stringify(SCOPES.filter((s) => spec.scopes.includes(s))),
    created_at: Date.now(),
    expires_at: spec.expiresAt ?? null,
    last_used_at: null,
    revoked_at: null,
  };
  await insertKey(db, row, tenantName);
  return { row, key };
}

function tenantName(c: Context<AppEnv>): string {
  return c.get("caller").root ? "API_KEYS tenant" : "tenant";
}

export const keyRoutes = routeGroup()
  .openapi(createKeyRoute, async (c) => {
    const { spec, errors } = validateCreateKey(await readJsonBody(c), Date.now());
    if (!spec) throw validationError(errors);
    // a key grants only what it has: no new key gets a scope its creator lacks
    const [lacking] = missingScopes(c.get("caller").scopes, spec.scopes);
    if (lacking) throw insufficientScope(lacking, `a key with ${lacking}`);
    const { row, key } = await mintKey(c.env.DB, c.get("tenant"), tenantName(c), {
      name: spec.name,
      scopes: spec.scopes,
      expiresAt: spec.expiresAt ? Date.parse(spec.expiresAt) : null,
    });
    c.header("Location", `/v1/keys/${row.id}`);
    c.header("Cache-Control", "no-store");
    return c.json({ ...keyView(row), key }, 201);
  })
  .openapi(listKeysRoute, async (c) => c.json({ data: (await listKeys(c.env.DB, c.get("tenant"))).map(keyView) }, 200))
  .openapi(currentKeyRoute, (c) => {
    const caller = c.get("caller");
    return c.json(
      { id: caller.keyId, name: caller.name, scopes: caller.scopes, root: caller.root, tenant: c.get("tenant") },
      200,
    );
  })
  .openapi(deleteKeyRoute, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await revokeKey(c.env.DB, c.get("tenant"), id, Date.now()))) throw notFound(`Key ${id}`);
    return c.body(null, 204);
  });
