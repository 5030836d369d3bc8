// The scope each route needs, read from the route definitions themselves: a route declares it with
// `...requires("jobs:write")` (openapi/problems.ts), which /openapi.json shows as the operation's
// `x-scopes` (its `security` stays `bearerAuth: []`: an http bearer scheme has no OAuth scopes). A route that declares none (`...authenticated`, or a plain Hono route outside the
// registry) gets the default of its method (src/schemas/scopes.ts), filled into the document here too,
// so routes added without a thought about scopes are still covered. bearerAuth asks scopeOf for the
// route Hono matched, so the check is in one place.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { matchedRoutes } from "hono/route";
import { defaultScope, isScope, type Scope } from "../schemas/scopes.ts";
import type { AppEnv } from "./context.ts";
import { RATE_LIMITED, scopeProblem } from "./openapi/problems.ts";

/** "METHOD /path/{param}" → scope; the same for every app built in this isolate. */
const declared = new Map<string, Scope>();

const routeKey = (method: string, path: string) =>
  `${method.toUpperCase() === "HEAD" ? "GET" : method.toUpperCase()} ${path}`;

/** `/v1/jobs/:id{…}` (Hono) → `/v1/jobs/{id}` (OpenAPI). */
const openapiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}");

type Security = Record<string, string[]>[];

/** Call once every route is registered: records each route's scope and writes the defaults into the document. */
export function registerRouteScopes(app: OpenAPIHono<AppEnv>): void {
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== "route") continue;
    const route = definition.route;
    if (!(route.security as Security | undefined)?.some((s) => "bearerAuth" in s)) continue;
    const named = (route as { "x-scopes"?: unknown[] })["x-scopes"]?.[0];
    const scope = isScope(named) ? named : defaultScope(route.method);
    declared.set(routeKey(route.method, route.path), scope);
    (route as { "x-scopes"?: Scope[] })["x-scopes"] = [scope];
    route.responses[403] ??= scopeProblem(scope);
    route.responses[429] ??= RATE_LIMITED;
  }
}

export function scopeOf(method: string, honoPath: string | undefined): Scope {
  if (honoPath === undefined) return defaultScope(method);
  return declared.get(routeKey(method, openapiPath(honoPath))) ?? defaultScope(method);
}

/** The scope of the route this request matched (a handler's route, not a middleware's `*`). */
export function requestScope(c: Context<AppEnv>): Scope {
  const route = matchedRoutes(c).find((r) => r.method !== "ALL");
  return scopeOf(c.req.method, route?.path);
}
