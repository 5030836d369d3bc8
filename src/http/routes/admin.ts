// /v1/admin/tenants: tenants as records, for the operator (ADMIN_API_KEY, checked in src/http/auth.ts).
import type { Context } from "hono";
import { readApiKeys } from "../../config.ts";
import { insertTenant, listTenants, readTenant, type TenantRow } from "../../db/keys.ts";
import { SCOPES } from "../../schemas/scopes.ts";
import { rootTenantId } from "../../keys/secrets.ts";
import { disableTenant } from "../../keys/tenants.ts";
import { toHex } from "../../lib/crypto.ts";
import { notFound } from "../../lib/problems.ts";
import { fieldErrors, validationError } from "../../lib/validation.ts";
import { createTenantSchema } from "../../schemas/keys.ts";
import type { AppEnv } from "../context.ts";
import { routeGroup } from "../openapi/hook.ts";
import { readJsonBody } from "../request.ts";
import { createTenantRoute, disableTenantRoute, listTenantsRoute } from "./admin-routes.ts";
import { mintKey } from "./keys.ts";

type Source = "api_keys" | "admin";

const view = (row: TenantRow, source: Source) => ({
  id: row.id,
  name: row.name,
  createdAt: new Date(row.created_at).toISOString(),
  disabledAt: row.disabled_at === null ? null : new Date(row.disabled_at).toISOString(),
  source,
});

/** The tenants of the API_KEYS entries (named by position, never by key), whether or not they have a row yet. */
async function configuredTenants(c: Context<AppEnv>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const keys = readApiKeys(c.env) ?? [];
  for (const [i, key] of keys.entries()) out.set(await rootTenantId(key), `API_KEYS entry ${i + 1}`);
  return out;
}

export const adminRoutes = routeGroup()
  .openapi(createTenantRoute, async (c) => {
    const parsed = createTenantSchema.safeParse(await readJsonBody(c));
    if (!parsed.success) throw validationError(fieldErrors(parsed.error.issues));
    const row: TenantRow = { id: toHex(crypto.getRandomValues(new Uint8Array(16))), name: parsed.data.name, created_at: Date.now(), disabled_at: null };
    await insertTenant(c.env.DB, row);
    const { key } = await mintKey(c.env.DB, row.id, row.name, { name: "root", scopes: SCOPES });
    c.header("Cache-Control", "no-store");
    return c.json({ tenant: view(row, "admin"), key }, 201);
  })
  .openapi(listTenantsRoute, async (c) => {
    const configured = await configuredTenants(c);
    const rows = new Map((await listTenants(c.env.DB)).map((r) => [r.id, r]));
    const data = [...configured].map(([id, name]) => view(rows.get(id) ?? { id, name, created_at: 0, disabled_at: null }, "api_keys"));
    for (const row of rows.values()) if (!configured.has(row.id)) data.push(view(row, "admin"));
    return c.json({ data }, 200);
  })
  .openapi(disableTenantRoute, async (c) => {
    const { id } = c.req.valid("param");
    const configured = await configuredTenants(c);
    const existing = await readTenant(c.env.DB, id);
    if (!existing && !configured.has(id)) throw notFound(`Tenant ${id}`);
    const report = await disableTenant(c.env, id, existing?.name ?? configured.get(id) ?? "tenant");
    const row = (await readTenant(c.env.DB, id)) ?? { id, name: "tenant", created_at: 0, disabled_at: Date.now() };
    return c.json({ ...view(row, configured.has(id) ? "api_keys" : "admin"), ...report }, 200);
  });
