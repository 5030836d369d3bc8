// Problem+json (RFC 9457) errors: one error type carried to the app's single onError.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

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
  ) {
    super(detail);
  }
}

export const notFound = (what: string): ApiError =>
  new ApiError(404, "not_found", "Not Found", `${what} was not found.`);

export function problemResponse(c: Context, err: ApiError): Response {
  const body = {
    type: `https://seedrun.dev/problems/${err.code}`,
    title: err.title,
    status: err.status,
    detail: err.detail,
    code: err.code,
    requestId: c.get("requestId") as string | undefined,
    ...(err.errors ? { errors: err.errors } : {}),
  };
  return c.newResponse(JSON.stringify(body), err.status, {
    "Content-Type": "application/problem+json",
    ...(body.requestId ? { "X-Request-Id": body.requestId } : {}),
    ...err.headers,
  });
}
