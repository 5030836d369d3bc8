// The keys and tenants contract (docs/keys.md): request schemas validate,
// response schemas document. A key's secret appears in one schema only, the answer to its creation.
import { z } from "zod";
import type { FieldError } from "../lib/problems.ts";
import { fieldErrors } from "../lib/validation.ts";
import { SCOPES } from "./scopes.ts";

const scope = z.enum(SCOPES, { error: `must be one of: ${SCOPES.join(", ")}` });
const name = z
  .string({ error: "must be a string" })
  .trim()
  .min(1, "must not be blank")
  .max(100, "must be at most 100 characters");
const time = z.iso.datetime({ offset: true, error: "must be an ISO-8601 time, e.g. 2027-01-01T00:00:00Z" });

export const createKeySchema = z
  .strictObject({
    name,
    scopes: z.array(scope, { error: "must be an array of scopes" }).min(1, "must name at least one scope"),
    expiresAt: time.nullish(),
  })
  .meta({ id: "CreateKey" });
export type CreateKey = z.output<typeof createKeySchema>;

/** POST /v1/keys's body: the schema's problems and an expiry that has passed, all by path. */
export function validateCreateKey(body: unknown, now: number): { spec?: CreateKey; errors: FieldError[] } {
  const parsed = createKeySchema.safeParse(body);
  const errors = parsed.success ? [] : fieldErrors(parsed.error.issues);
  if (parsed.success && parsed.data.expiresAt && Date.parse(parsed.data.expiresAt) <= now)
    errors.push({ path: "expiresAt", message: "must be in the future" });
  return errors.length > 0 ? { errors } : { spec: parsed.data, errors };
}

const iso = z.string().meta({ description: "ISO-8601 UTC time." });

export const keySchema = z
  .object({
    id: z.string().meta({ example: "key_4n7q2w9e5r1t8y3u6i0o" }),
    name: z.string(),
    scopes: z.array(scope),
    prefix: z
      .string()
      .meta({ description: "The key's first characters, to recognise it (`sr_` and 4 more).", example: "sr_7GxQ" }),
    createdAt: iso,
    expiresAt: iso.nullable(),
    lastUsedAt: iso.nullable().meta({ description: "To the minute; null if never used." }),
  })
  .meta({ id: "ApiKey" });

export const createdKeySchema = keySchema
  .extend({
    key: z
      .string()
      .meta({ description: "The secret: `sr_` + 40 base62 characters. Shown only in this answer; store it now." }),
  })
  .meta({ id: "CreatedApiKey" });

export const keyListSchema = z.object({ data: z.array(keySchema) }).meta({ id: "ApiKeyList" });

export const currentKeySchema = z
  .object({
    id: z.string().nullable().meta({ description: "null for a key of the server's API_KEYS (a root key)." }),
    name: z.string(),
    scopes: z.array(scope),
    root: z.boolean(),
    tenant: z.string(),
  })
  .meta({ id: "CurrentKey" });

export const createTenantSchema = z.strictObject({ name }).meta({ id: "CreateTenant" });

export const tenantSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: iso,
    disabledAt: iso.nullable(),
    source: z
      .enum(["api_keys", "admin"])
      .meta({ description: "`api_keys`: the tenant of an API_KEYS entry; `admin`: created here." }),
  })
  .meta({ id: "Tenant" });
export const tenantListSchema = z.object({ data: z.array(tenantSchema) }).meta({ id: "TenantList" });
export const createdTenantSchema = z.object({ tenant: tenantSchema, key: z.string() }).meta({ id: "CreatedTenant" });
