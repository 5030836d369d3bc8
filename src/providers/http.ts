// One provider HTTP call with a timeout, turned into JSON or a classified ProviderError.
import type { ProviderError } from "./types.ts";

export type FetchFn = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

export type HttpResult =
  | { ok: true; status: number; headers: Headers; json: unknown }
  | { ok: false; error: ProviderError };

/** Parses Retry-After given as seconds or as an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export async function callJson(
  fetchFn: FetchFn,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  mutating: boolean,
): Promise<HttpResult> {
  let response: Response;
  // the caller's signal (a cancel) aborts the request as well as the timeout does
  const caller = init.signal ?? undefined;
  const signal = caller ? AbortSignal.any([caller, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
  try {
    // never follow a redirect: it would carry the provider key to wherever the Location points
    response = await fetchFn(url, { ...init, redirect: "manual", signal });
  } catch (err) {
    if (caller?.aborted)
      return {
        ok: false,
        error: {
          retryable: true,
          code: "aborted",
          message: "the request was abandoned because the job was canceled",
          uncertain: mutating,
        },
      };
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return {
      ok: false,
      error: {
        retryable: true,
        code: timedOut ? "timeout" : "network_error",
        message: timedOut ? `provider did not answer within ${timeoutMs} ms` : "could not reach the provider",
        uncertain: mutating,
      },
    };
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => undefined);
    return {
      ok: false,
      error: {
        retryable: false,
        code: "provider_redirect",
        message: `provider answered HTTP ${response.status} (a redirect); not followed, so no key leaves the provider's host`,
        httpStatus: response.status,
        // a redirected submit was not handled by the provider's run endpoint
        uncertain: false,
        // asking again would meet the same redirect: this ends a poll too
        fatal: true,
      },
    };
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    if (caller?.aborted)
      return {
        ok: false,
        error: {
          retryable: true,
          code: "aborted",
          message: "the request was abandoned because the job was canceled",
          uncertain: mutating,
        },
      };
    return {
      ok: false,
      error: { retryable: true, code: "network_error", message: "provider connection dropped", uncertain: mutating },
    };
  }
  try {
    return { ok: true, status: response.status, headers: response.headers, json: JSON.parse(text) as unknown };
  } catch {
    // refused credentials, whatever the body: asking again cannot help
    if (response.status === 401)
      return {
        ok: false,
        error: authFailure("The provider", 401, "the body is not JSON", "check its API key settings"),
      };
    return {
      ok: false,
      error: {
        retryable: true,
        code: "bad_response",
        message: `provider answered HTTP ${response.status} with a body that is not JSON`,
        httpStatus: response.status,
        retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
        // a 2xx we cannot read may still mean the task was created
        uncertain: mutating && response.status < 300,
        ...(response.status === 429 ? { pushback: true } : {}),
      },
    };
  }
}

/** The provider refused our credentials: no request succeeds until the keys are fixed, so the job ends. */
export function authFailure(provider: string, status: number, detail: string, hint: string): ProviderError {
  return {
    retryable: false,
    fatal: true,
    code: "provider_auth_failed",
    message: `${provider} refused the credentials (HTTP ${status}: ${detail}); ${hint}`,
    httpStatus: status,
  };
}
