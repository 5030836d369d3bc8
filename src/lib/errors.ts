// Problem+json (RFC 9457) answers: the app's single onError, and the body every ApiError becomes.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { errorMessage } from "./error-message.ts";
import { type Logger, log } from "./log.ts";
import { ApiError, problem } from "./problems.ts";

export function problemResponse(c: Context, err: ApiError): Response {
  const body = {
    type: `https://seedrun.dev/problems/${err.code}`,
    title: err.title,
    status: err.status,
    detail: err.detail,
    code: err.code,
    requestId: c.get("requestId") as string | undefined,
    ...err.extensions,
    ...(err.errors ? { errors: err.errors } : {}),
  };
  return c.newResponse(JSON.stringify(body), err.status, {
    "Content-Type": "application/problem+json",
    ...(body.requestId ? { "X-Request-Id": body.requestId } : {}),
    ...err.headers,
  });
}

/** The app's single error path (app.onError): ApiErrors as they are, anything else a 500 without details. */
export function handleError(err: Error, c: Context): Response {
  if (err instanceof ApiError) return problemResponse(c, err);
  if (err instanceof HTTPException)
    // hono's own refusals (none are expected: every route answers through ApiError) keep their status
    return problemResponse(
      c,
      new ApiError({
        status: err.status as 400,
        code: `http_${err.status}`,
        title: err.message || "Error",
        detail: err.message || "Request failed.",
      }),
    );
  const requestLog = c.get("log") as Logger | undefined;
  if (requestLog) requestLog.error("unhandled error", { error: errorMessage(err) });
  else log("error", "unhandled error", { requestId: c.get("requestId"), error: errorMessage(err) });
  return problemResponse(
    c,
    problem("internal_error", { detail: "Something went wrong on our side; the request id helps us find it." }),
  );
}
