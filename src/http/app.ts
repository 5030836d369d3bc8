// Builds the Hono app: request ids, problem+json errors, auth, and the routes. Every route is a
// createRoute definition registered with app.openapi (src/http/routes/), so /openapi.json is
// generated from the same definitions that route and validate requests.
//
// A new route: in src/http/routes/<resource>.ts (a folder routes/<resource>/ once that passes 300 lines), `createRoute({ method, path, operationId, tags,
// ...authenticated, request: { params, query, headers }, responses: { 200: …, ...authProblems } })`
// with response schemas from src/schemas/ (`.meta({ id })` names their component) and the shared
// problem answers of openapi/problems.ts; path ids from openapi/params.ts (a wrong shape is 404);
// a JSON body is a `$ref` to a component of openapi/request-schemas.ts, read in the handler with
// readJsonBody + the spec's validator, so configuration-dependent checks join the same 400. Then
// `routeGroup().openapi(route, handler)` and `app.route("/", group)` below.
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { except } from "hono/combine";
import { handleError, problemResponse } from "../lib/errors.ts";
import { problem } from "../lib/problems.ts";
import type { AppEnv } from "./context.ts";
import { bearerAuth, requestId, requireConfig, securityHeaders } from "./middleware.ts";
import { documentConfig, registerDocumentParts } from "./openapi/document.ts";
import { validationHook } from "./openapi/hook.ts";
import { registerRouteScopes } from "./route-scopes.ts";
import { adminRoutes } from "./routes/admin.ts";
import { batchRoutes } from "./routes/batches.ts";
import { callbackRoutes } from "./routes/callbacks.ts";
import { costRoutes } from "./routes/costs.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import { deliveryRoutes } from "./routes/deliveries.ts";
import { docsRoutes } from "./routes/docs.ts";
import { healthRoutes } from "./routes/health.ts";
import { jobEventRoutes } from "./routes/jobs/events.ts";
import { jobRoutes } from "./routes/jobs/jobs.ts";
import { keyRoutes } from "./routes/keys.ts";
import { mcpRoutes } from "./routes/mcp.ts";
import { mountMedia } from "./routes/media.ts";
import { modelRoutes } from "./routes/models.ts";
import { serveDocument } from "./routes/openapi.ts";
import { pipelineRoutes } from "./routes/pipelines/pipelines.ts";
import { scheduleRoutes } from "./routes/schedules.ts";
import { settingsRoutes } from "./routes/settings.ts";
import { statsRoutes } from "./routes/stats.ts";
import { uploadRoutes } from "./routes/uploads/uploads.ts";

export function buildApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  registerDocumentParts(app);
  app.use("*", requestId(), securityHeaders());

  app.route("/", healthRoutes);
  mountMedia(app);
  app.route("/", callbackRoutes);
  app.route("/", docsRoutes);
  app.route("/", dashboardRoutes);

  app.use(
    "/v1/*",
    bearerAuth(),
    requireConfig(),
    // uploads read their own multipart body under its own limit: 10 MiB for `image`, 100 MiB for
    // `file`, which is streamed into R2 as it arrives (src/http/routes/uploads/)
    except(
      ["/v1/uploads", "/v1/uploads/*"],
      bodyLimit({
        maxSize: 1024 * 1024,
        onError: () => {
          throw problem("payload_too_large");
        },
      }),
    ),
  );
  app.route("/", uploadRoutes);
  app.route("/", jobRoutes);
  app.route("/", settingsRoutes);
  app.route("/", deliveryRoutes);
  app.route("/", jobEventRoutes);
  app.route("/", batchRoutes);
  app.route("/", scheduleRoutes);
  app.route("/", pipelineRoutes);
  app.route("/", costRoutes);
  app.route("/", modelRoutes);
  app.route("/", keyRoutes);
  app.route("/", adminRoutes);
  app.route("/", statsRoutes);
  app.route(
    "/",
    mcpRoutes((request, env, ctx) => app.fetch(request, env, ctx)),
  );

  // after every route: each route's scope (declared or its method's default) for bearerAuth and the document
  registerRouteScopes(app);
  serveDocument(app);

  app.notFound((c) => problemResponse(c, problem("not_found")));
  app.onError(handleError);
  return app;
}

let documented: OpenAPIHono<AppEnv> | undefined;

/** The document the app serves at /openapi.json; with `origin`, `servers` names it. */
export function openapiDocument(origin?: string): Record<string, unknown> {
  documented ??= buildApp();
  return documented.getOpenAPI31Document(documentConfig(origin)) as unknown as Record<string, unknown>;
}
