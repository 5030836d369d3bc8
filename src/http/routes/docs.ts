// GET /docs: Swagger UI reading /openapi.json. The page and Swagger UI's files are static assets
// (public/); this route only serves the page with a CSP that keeps every script, style and
// request on this origin, so the reference works offline and cannot call out.
import { createRoute } from "@hono/zod-openapi";
import { problem } from "../../lib/problems.ts";
import { routeGroup } from "../openapi/hook.ts";
import { unauthenticated } from "../openapi/problems.ts";

/** Swagger UI's icons are data: SVGs in its stylesheet; nothing else needs more than 'self'. */
export const DOCS_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export const docsRoute = createRoute({
  method: "get",
  path: "/docs",
  operationId: "docs",
  summary: "Interactive reference",
  description: "A self-contained page that renders `/openapi.json` and can send requests.",
  tags: ["Service"],
  ...unauthenticated,
  responses: { 200: { description: "HTML page.", content: { "text/html": { schema: { type: "string" } } } } },
});

export const docsRoutes = routeGroup().openapi(docsRoute, async (c) => {
  // public/docs.html; its scripts and styles under /docs/ are served by the assets router
  const page = await c.env.ASSETS.fetch(new URL("/docs", c.req.url));
  if (!page.ok) throw problem("docs_unavailable");
  return new Response(page.body, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": DOCS_POLICY,
      "Cache-Control": "public, max-age=300",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
    },
  });
});
