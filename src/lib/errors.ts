// Problem+json (RFC 9457) errors: one error type carried to the app's single onError.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { errorMessage } from "./error-message.ts";
import { log, type Logger } from "./log.ts";

export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
    /** Extension members of the problem (RFC 9457 §3.2), e.g. the limit a request would pass. */
    readonly extensions?: Record<string, unknown>,
  ) {
    super(detail);
  }
}

export const notFound = (what: string): ApiError => new ApiError(404, "not_found", "Not Found", `${what} was not found.`);

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
    return problemResponse(c, new ApiError(err.status as 400, `http_${err.status}`, err.message || "Error", err.message || "Request failed."));
  const requestLog = c.get("log") as Logger | undefined;
  if (requestLog) requestLog.error("unhandled error", { error: errorMessage(err) });
  else log("error", "unhandled error", { requestId: c.get("requestId"), error: errorMessage(err) });
  return problemResponse(c, new ApiError(500, "internal_error", "Internal Server Error", "Something went wrong on our side; the request id helps us find it."));
}
