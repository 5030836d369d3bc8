// /v1/keys: a tenant's keys. A key is created with scopes the caller's key has (no escalation),
// shown once and stored as its hash; revoking it takes effect on the next request (src/http/auth.ts).
import type { Context } from "hono";
import { insertKey, listKeys, revokeKey, type KeyRow } from "../../db/keys.ts";
import { insufficientScope, missingScopes, parseScopes, SCOPES } from "../../schemas/scopes.ts";
import { generateKey, keyHash, keyPrefix } from "../../keys/secrets.ts";
import { randomId } from "../../lib/crypto.ts";
import { notFound } from "../../lib/problems.ts";
import { validationError } from "../../lib/validation.ts";
import { validateCreateKey } from "../../schemas/keys.ts";
import type { AppEnv } from "../context.ts";
import { routeGroup } from "../openapi/hook.ts";
import { readJsonBody } from "../request.ts";
import { createKeyRoute, currentKeyRoute, deleteKeyRoute, listKeysRoute } from "./key-routes.ts";

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
    return c.json({ id: caller.keyId, name: caller.name, scopes: caller.scopes, root: caller.root, tenant: c.get("tenant") }, 200);
  })
  .openapi(deleteKeyRoute, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await revokeKey(c.env.DB, c.get("tenant"), id, Date.now()))) throw notFound(`Key ${id}`);
    return c.body(null, 204);
  });
