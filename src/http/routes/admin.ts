// /v1/admin/tenants: tenants as records, for the operator (ADMIN_API_KEY, checked in src/http/auth.ts).
// The definitions of its operations first, then their handlers.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { readApiKeys } from "../../config.ts";
import { insertTenant, listTenants, readTenant, type TenantRow } from "../../db/keys.ts";
import { rootTenantId } from "../../keys/secrets.ts";
import { disableTenant } from "../../keys/tenants.ts";
import { toHex } from "../../lib/crypto.ts";
import { notFound } from "../../lib/problems.ts";
import { fieldErrors, validationError } from "../../lib/validation.ts";
import { createdTenantSchema, createTenantSchema, tenantListSchema, tenantSchema } from "../../schemas/keys.ts";
import { SCOPES } from "../../schemas/scopes.ts";
import type { AppEnv } from "../context.ts";
import { routeGroup } from "../openapi/hook.ts";
import {
  authProblems,
  jsonBodyProblems,
  notFoundProblem,
  problemExample,
  problemResponse,
  REQUEST_ID_HEADER,
  validationProblem,
} from "../openapi/problems.ts";
import { readJsonBody } from "../request.ts";
import { mintKey } from "./keys.ts";

export const EXAMPLE_TENANT_ID = "9c1e5a7b3d2f4e6a8b0c1d2e3f4a5b6c";
export const TENANT_ID = /^[0-9a-f]{32}$/;

const admin = { security: [{ adminAuth: [] }] };
const ok = (description: string, schema: z.ZodType, example: unknown) => ({
  description,
  headers: REQUEST_ID_HEADER,
  content: { "application/json": { schema, example } },
});
const tenant = {
  id: EXAMPLE_TENANT_ID,
  name: "Acme",
  createdAt: "2026-12-06T10:00:00.000Z",
  disabledAt: null,
  source: "admin",
};
const adminProblems = {
  401: authProblems[401],
  404: problemResponse("ADMIN_API_KEY is not set (the admin routes do not exist), or no such tenant", {
    not_found: problemExample("not_found"),
  }),
};

export const tenantIdParams = z.object({
  id: z
    .string()
    .regex(TENANT_ID, { error: (issue) => `Tenant ${String(issue.input)}` })
    .openapi({ param: { name: "id", in: "path", description: "Tenant id.", example: EXAMPLE_TENANT_ID } }),
});

export const createTenantRoute = createRoute({
  method: "post",
  path: "/v1/admin/tenants",
  operationId: "createTenant",
  summary: "Create a tenant",
  description: "A new tenant and a root key of it (every scope), shown only in this answer.",
  tags: ["Admin"],
  ...admin,
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: createTenantSchema, example: { name: "Acme" } } },
    },
  },
  responses: {
    201: ok("Created; `key` is shown only now.", createdTenantSchema, {
      tenant,
      key: "sr_Q8mT2pL6vZ9xK1rW4yB7nC3dE5fH0jM2sA6uX8wY",
    }),
    ...jsonBodyProblems({ validation_failed: validationProblem([{ path: "name", message: "must not be blank" }]) }),
    ...adminProblems,
  },
});

export const listTenantsRoute = createRoute({
  method: "get",
  path: "/v1/admin/tenants",
  operationId: "listTenants",
  summary: "List tenants",
  description: "Every tenant: those of the API_KEYS entries and those created here.",
  tags: ["Admin"],
  ...admin,
  responses: { 200: ok("The tenants.", tenantListSchema, { data: [tenant] }), ...adminProblems },
});

export const disableTenantRoute = createRoute({
  method: "post",
  path: "/v1/admin/tenants/{id}/disable",
  operationId: "disableTenant",
  summary: "Disable a tenant",
  description:
    "From the next request on every key of the tenant is refused (`401`); its schedules are paused and its unfinished batches and jobs canceled, as a client's cancel does (Wiro tasks are stopped at Wiro).",
  tags: ["Admin"],
  ...admin,
  request: { params: tenantIdParams },
  responses: {
    200: ok(
      "The tenant, disabled, and what was canceled.",
      tenantSchema.extend({ jobsCanceled: z.int(), batchesCanceled: z.int() }),
      {
        ...tenant,
        disabledAt: "2026-12-06T12:00:00.000Z",
        jobsCanceled: 3,
        batchesCanceled: 1,
      },
    ),
    ...adminProblems,
    404: notFoundProblem("Tenant", EXAMPLE_TENANT_ID),
  },
});

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
    const row: TenantRow = {
      id: toHex(crypto.getRandomValues(new Uint8Array(16))),
      name: parsed.data.name,
      created_at: Date.now(),
      disabled_at: null,
    };
    await insertTenant(c.env.DB, row);
    const { key } = await mintKey(c.env.DB, row.id, row.name, { name: "root", scopes: SCOPES });
    c.header("Cache-Control", "no-store");
    return c.json({ tenant: view(row, "admin"), key }, 201);
  })
  .openapi(listTenantsRoute, async (c) => {
    const configured = await configuredTenants(c);
    const rows = new Map((await listTenants(c.env.DB)).map((r) => [r.id, r]));
    const data = [...configured].map(([id, name]) =>
      view(rows.get(id) ?? { id, name, created_at: 0, disabled_at: null }, "api_keys"),
    );
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
