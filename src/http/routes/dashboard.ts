// GET /dashboard: the web page for watching jobs, batches and schedules (public/dashboard.html,
// its modules and styles under /dashboard/, served by the assets router). The page holds no data
// and no key: it calls the public /v1 API with the key the user pastes. Its CSP keeps scripts,
// styles and requests on this origin; media may also come from PUBLIC_BASE_URL, which signs the
// output links when it is set.
import { createRoute } from "@hono/zod-openapi";
import { readConfig } from "../../config.ts";
import { problem } from "../../lib/problems.ts";
import { routeGroup } from "../openapi/hook.ts";
import { unauthenticated } from "../openapi/problems.ts";

export function dashboardPolicy(mediaOrigin?: string): string {
  const media = mediaOrigin ? `'self' ${mediaOrigin}` : "'self'";
  return (
    `default-src 'self'; script-src 'self'; style-src 'self'; img-src ${media} data: blob:; media-src ${media}; connect-src 'self'; ` +
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
  );
}

export const dashboardRoute = createRoute({
  method: "get",
  path: "/dashboard",
  operationId: "dashboard",
  summary: "Dashboard",
  description:
    "A web page for people: paste an API key to see its jobs (outputs playing from their signed links), batches and schedules, and start jobs.",
  tags: ["Service"],
  ...unauthenticated,
  responses: { 200: { description: "HTML page.", content: { "text/html": { schema: { type: "string" } } } } },
});

export const dashboardRoutes = routeGroup().openapi(dashboardRoute, async (c) => {
  const page = await c.env.ASSETS.fetch(new URL("/dashboard", c.req.url));
  if (!page.ok) throw problem("dashboard_unavailable");
  const config = readConfig(c.env);
  const base = config.ok ? config.config.publicBaseUrl : undefined;
  const mediaOrigin = base && new URL(base).origin !== new URL(c.req.url).origin ? new URL(base).origin : undefined;
  return new Response(page.body, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": dashboardPolicy(mediaOrigin),
      "Cache-Control": "no-cache",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
    },
  });
});
