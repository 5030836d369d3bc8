// Who is calling, checked on every /v1 and /mcp request: an API_KEYS entry (a root key: every
// scope, its tenant the hash of the key as always) or a created `sr_` key, found by one indexed
// D1 read of its hash joined with its tenant. Nothing about a created key is cached: a revoked or
// expired key, or a disabled tenant, is refused from the very next request on every isolate.
// Then the key's rate limit (rate-limit.ts) and the matched route's scope (route-scopes.ts).
import type { Context } from "hono";
import { readAdminKey, readApiKeys } from "../config.ts";
import { findKeyByHash, tenantDisabledAt, touchKey } from "../db/keys.ts";
import { KEY_FORMAT, keyHash, rootTenantId } from "../keys/secrets.ts";
import { timingSafeEqualText } from "../lib/crypto.ts";
import { log } from "../lib/log.ts";
import { problem } from "../lib/problems.ts";
import { insufficientScope, parseScopes, SCOPES } from "../schemas/scopes.ts";
import type { AppEnv, Caller } from "./context.ts";
import { enforceRateLimit } from "./rate-limit.ts";
import { requestScope } from "./route-scopes.ts";

export const ADMIN_PATH = /^\/v1\/admin(\/|$)/;

const UNAUTHORIZED = () => problem("unauthorized", { headers: { "WWW-Authenticate": 'Bearer realm="seedrun"' } });

const NO_ROUTE = () => problem("not_found");

/** The token of `Authorization: Bearer <token>`, if the header has that form. */
export function presentedToken(c: Context<AppEnv>): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("Authorization") ?? "")?.[1];
}

/** Runs `work` after the answer (lastUsedAt); inline where there is no execution context (tests calling app.fetch). */
function afterAnswer(c: Context<AppEnv>, work: Promise<unknown>): void {
  const quiet = work.catch((err: unknown) =>
    log("warn", "key bookkeeping failed", { error: err instanceof Error ? err.message : String(err) }),
  );
  try {
    c.executionCtx.waitUntil(quiet);
  } catch {
    // no execution context: the promise still runs, unawaited
  }
}

/** The operator's routes: ADMIN_API_KEY only; without it set they do not exist. */
function checkAdmin(c: Context<AppEnv>): void {
  const admin = readAdminKey(c.env);
  if (!admin) throw NO_ROUTE();
  const presented = presentedToken(c);
  if (!presented || !timingSafeEqualText(presented, admin)) throw UNAUTHORIZED();
}

async function identify(
  c: Context<AppEnv>,
  apiKeys: string[],
  presented: string | undefined,
): Promise<{ tenant: string; caller: Caller } | undefined> {
  if (!presented) return undefined;
  // compare against every entry so the time taken does not reveal which one matched
  let matched: string | undefined;
  for (const key of apiKeys) if (timingSafeEqualText(presented, key)) matched = key;
  const now = Date.now();
  if (matched) {
    const tenant = await rootTenantId(matched);
    if ((await tenantDisabledAt(c.env.DB, tenant)) !== null) return undefined;
    return { tenant, caller: { keyId: null, name: "API_KEYS", scopes: [...SCOPES], root: true } };
  }
  if (!KEY_FORMAT.test(presented)) return undefined;
  const row = await findKeyByHash(c.env.DB, await keyHash(presented));
  if (!row || row.revoked_at !== null || row.disabled_at !== null || (row.expires_at !== null && row.expires_at <= now))
    return undefined;
  // lastUsedAt to the minute, written at most once a minute per key (the read above says when it last was)
  const minute = now - (now % 60_000);
  if (row.last_used_at === null || row.last_used_at < minute) afterAnswer(c, touchKey(c.env.DB, row.id, minute));
  return {
    tenant: row.tenant,
    caller: { keyId: row.id, name: row.name, scopes: parseScopes(row.scopes), root: false },
  };
}

/**
 * Checks the key before the rest of the configuration, so an unauthenticated caller learns nothing
 * about the settings. Without a usable API_KEYS nobody can be authenticated: the answer is a
 * configuration error that names no setting.
 */
export async function authenticate(c: Context<AppEnv>): Promise<void> {
  if (ADMIN_PATH.test(c.req.path)) return checkAdmin(c);
  const apiKeys = readApiKeys(c.env);
  if (!apiKeys) throw problem("configuration_error");
  const started = Date.now();
  const who = await identify(c, apiKeys, presentedToken(c));
  if (!who) throw UNAUTHORIZED();
  // what finding the key took (its D1 read included), for operators and the api benchmark
  c.header("Server-Timing", `auth;dur=${Date.now() - started}`);
  c.set("tenant", who.tenant);
  c.set("caller", who.caller);
  await enforceRateLimit(c, who.caller.keyId ?? `root:${who.tenant}`);
  const scope = requestScope(c);
  if (!who.caller.scopes.includes(scope)) throw insufficientScope(scope, `${c.req.method} ${c.req.path}`);
}
