// What a key may do. Every route and MCP tool names one scope; a route that names none gets the
// default of its method (reads `read`, anything else `jobs:write`), so a route added without a
// thought about scopes is still refused to a read-only key.
import { type ApiError, problem } from "../lib/problems.ts";

export const SCOPES = ["read", "jobs:write", "schedules:write", "budget:write", "keys:write"] as const;
export type Scope = (typeof SCOPES)[number];

export const isScope = (value: unknown): value is Scope =>
  typeof value === "string" && (SCOPES as readonly string[]).includes(value);

/** The scope of a route that declares none. */
export function defaultScope(method: string): Scope {
  const m = method.toUpperCase();
  return m === "GET" || m === "HEAD" || m === "OPTIONS" ? "read" : "jobs:write";
}

/** The scopes of `wanted` that `held` lacks, in the canonical order. */
export function missingScopes(held: readonly Scope[], wanted: readonly Scope[]): Scope[] {
  return SCOPES.filter((s) => wanted.includes(s) && !held.includes(s));
}

/** Stored scopes (a JSON array) back to a list; anything unknown is dropped, never granted. */
export function parseScopes(stored: string): Scope[] {
  try {
    const value = JSON.parse(stored) as unknown;
    return Array.isArray(value) ? SCOPES.filter((s) => value.includes(s)) : [];
  } catch {
    return [];
  }
}

/** The 403 for a key without `scope`; `extensions.scope` names it for programs. */
export function insufficientScope(scope: Scope, doing = "this"): ApiError {
  return problem("insufficient_scope", {
    detail: `This key lacks the scope ${scope}, which ${doing} needs.`,
    extensions: { scope },
  });
}
