// Builds the Hono app: request ids, problem+json errors, auth, and the routes.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { except } from "hono/combine";
import { readConfig, readSigningSecret } from "../config.ts";
import { ApiError, handleError, problemResponse } from "../lib/errors.ts";
import { mediaRoutes } from "../media/route.ts";
import { bearerAuth, requestId, requireConfig, securityHeaders } from "./middleware.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { callbackRoutes } from "./routes/callbacks.ts";
import { batchRoutes } from "./routes/batches.ts";
import { scheduleRoutes } from "./routes/schedules.ts";
import { uploadRoutes } from "./routes/uploads.ts";
import { openapiRoutes } from "./routes/openapi.ts";
import { docsRoutes } from "./routes/docs.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import { modelRoutes } from "./routes/models.ts";
import { batchListRoutes } from "./routes/batch-list.ts";
import type { AppEnv } from "./context.ts";

export function buildApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", requestId(), securityHeaders());

  app.get("/healthz", (c) => {
    const config = readConfig(c.env);
    if (!config.ok) return c.json({ status: "misconfigured", problems: config.problems.map((p) => p.name) }, 503);
    return c.json({ status: "ok" });
  });

  app.route(
    "/media",
    mediaRoutes((env) => readSigningSecret(env)),
  );
  app.route("/callbacks", callbackRoutes);
  app.route("/", openapiRoutes);
  app.route("/", docsRoutes);
  app.route("/", dashboardRoutes);

  app.use(
    "/v1/*",
    bearerAuth(),
    requireConfig(),
    // uploads read their own multipart body under a 10 MiB limit (src/api/uploads.ts)
    except(
      ["/v1/uploads", "/v1/uploads/*"],
      bodyLimit({
        maxSize: 1024 * 1024,
        onError: () => {
          throw new ApiError(413, "payload_too_large", "Payload Too Large", "Request bodies may be at most 1 MB.");
        },
      }),
    ),
  );
  app.route("/v1/uploads", uploadRoutes);
  app.route("/v1/jobs", jobRoutes);
  app.route("/v1/batches", batchListRoutes);
  app.route("/v1/batches", batchRoutes);
  app.route("/v1/schedules", scheduleRoutes);
  app.route("/v1/models", modelRoutes);

  app.notFound((c) => problemResponse(c, new ApiError(404, "not_found", "Not Found", "No such route.")));
  app.onError(handleError);
  return app;
}
