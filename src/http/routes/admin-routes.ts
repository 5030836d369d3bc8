// The definitions of /v1/admin (handlers in admin.ts): the operator's routes, behind ADMIN_API_KEY.
import { createRoute, z } from "@hono/zod-openapi";
import { createdTenantSchema, createTenantSchema, tenantListSchema, tenantSchema } from "../../schemas/keys.ts";
import { authProblems, jsonBodyProblems, notFoundProblem, problemExample, problemResponse, REQUEST_ID_HEADER, validationProblem } from "../openapi/problems.ts";

export const EXAMPLE_TENANT_ID = "9c1e5a7b3d2f4e6a8b0c1d2e3f4a5b6c";
export const TENANT_ID = /^[0-9a-f]{32}$/;

const admin = { security: [{ adminAuth: [] }] };
const ok = (description: string, schema: z.ZodType, example: unknown) => ({
  description,
  headers: REQUEST_ID_HEADER,
  content: { "application/json": { schema, example } },
});
const tenant = { id: EXAMPLE_TENANT_ID, name: "Acme", createdAt: "2026-12-06T10:00:00.000Z", disabledAt: null, source: "admin" };
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
  request: { body: { required: true, content: { "application/json": { schema: createTenantSchema, example: { name: "Acme" } } } } },
  responses: {
    201: ok("Created; `key` is shown only now.", createdTenantSchema, { tenant, key: "sr_Q8mT2pL6vZ9xK1rW4yB7nC3dE5fH0jM2sA6uX8wY" }),
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
    200: ok("The tenant, disabled, and what was canceled.", tenantSchema.extend({ jobsCanceled: z.int(), batchesCanceled: z.int() }), {
      ...tenant,
      disabledAt: "2026-12-06T12:00:00.000Z",
      jobsCanceled: 3,
      batchesCanceled: 1,
    }),
    ...adminProblems,
    404: notFoundProblem("Tenant", EXAMPLE_TENANT_ID),
  },
});
