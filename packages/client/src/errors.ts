// SeedrunError: every failure the client reports. An HTTP error carries the API's problem+json
// fields; a job that failed or was canceled carries the job (and its error code).
import type { Job } from "./types.ts";

export interface FieldError {
  path: string;
  message: string;
}

export interface SeedrunErrorInit {
  status: number;
  code: string;
  title: string;
  detail?: string | undefined;
  errors?: FieldError[] | undefined;
  requestId?: string | undefined;
  job?: Job | undefined;
  cause?: unknown;
}

export class SeedrunError extends Error {
  /** HTTP status; 0 when no answer came (network error, abort) or the error is a job's. */
  readonly status: number;
  /** Machine-readable code: the API's (`validation_failed`, `budget_exceeded`, …), the job's error code, or `canceled`, `aborted`, `network_error`, `timeout`. */
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  /** Every offending field of a validation error, by path (e.g. `params.duration`). */
  readonly errors: FieldError[];
  /** The server's `X-Request-Id`, for support. */
  readonly requestId: string | undefined;
  /** The job, when a job failed, was canceled, or the wait for it was aborted. */
  readonly job: Job | undefined;

  constructor(init: SeedrunErrorInit) {
    const fields = init.errors?.length ? ` (${init.errors.map((e) => `${e.path}: ${e.message}`).join("; ")})` : "";
    super(`${init.detail ?? init.title}${fields}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "SeedrunError";
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.errors = init.errors ?? [];
    this.requestId = init.requestId;
    this.job = init.job;
  }
}

/** Builds the error of an HTTP answer that is not 2xx, from its problem+json body when it has one. */
export async function errorFromResponse(res: Response): Promise<SeedrunError> {
  const requestId = res.headers.get("x-request-id") ?? undefined;
  const text = await res.text().catch(() => "");
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: a proxy's page or an empty body; the status speaks for itself
  }
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return new SeedrunError({
    status: res.status,
    code: str(body.code) ?? `http_${res.status}`,
    title: str(body.title) ?? (res.statusText || `HTTP ${res.status}`),
    detail: str(body.detail) ?? (text && !text.startsWith("{") ? text.slice(0, 200) : undefined),
    errors: Array.isArray(body.errors) ? (body.errors as FieldError[]) : [],
    requestId: str(body.requestId) ?? requestId,
  });
}

/** The error a failed or canceled job rejects with. */
export function jobError(job: Job): SeedrunError {
  const error = (job as { error?: { code: string; message: string } | null }).error ?? undefined;
  const code = error?.code ?? job.status;
  return new SeedrunError({
    status: 0,
    code,
    title: job.status === "canceled" ? "Job canceled" : "Job failed",
    detail: error?.message ?? `Job ${job.id} ended as ${job.status}.`,
    job,
  });
}
