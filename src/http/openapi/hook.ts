// What happens when a route definition's zod schemas refuse a request: one problem+json answer,
// thrown to the app's single onError. A path id of the wrong shape names nothing (404); a bad
// query or header is a 400 naming every offending field by path, like the body validators.
// Bodies are read by the handlers (src/http/request.ts), which merge the schema's issues with the
// checks that depend on configuration (src/schemas/*) into one answer.
import { type Hook, OpenAPIHono } from "@hono/zod-openapi";
import { notFound } from "../../lib/problems.ts";
import { fieldErrors, validationError } from "../../lib/validation.ts";
import type { AppEnv } from "../context.ts";

// biome-ignore lint/suspicious/noExplicitAny: the hook serves every route, whatever its schemas
export const validationHook: Hook<any, AppEnv, any, any> = (result) => {
  if (result.success) return;
  const issues = result.error.issues;
  if (result.target === "param") throw notFound(issues[0]?.message ?? "Resource");
  throw validationError(fieldErrors(issues));
};

/** A group of route definitions, mounted by src/http/app.ts. */
export const routeGroup = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
