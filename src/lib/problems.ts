// The error catalogue: every code the API answers with (problem+json, RFC 9457) and every code a
// job can end with. Throws (`problem(code, { detail })`) and the OpenAPI examples both read their
// status and title from here, so a code's words are written once. `docs` is the page and heading
// (docs/*.md#anchor) that explains it; test/docs/problems.test.ts checks that every anchor exists
// and that docs/jobs.md's "Why a job ended" table lists exactly JOB_ERROR_CODES.
import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface FieldError {
  path: string;
  message: string;
}

interface ProblemType {
  status: ContentfulStatusCode;
  title: string;
  docs: string;
  /** The words of a code that always says the same; a throw may still say more. */
  detail?: string;
}

const CLIENT_ERRORS = "client.md#errors";
const JOBS = "jobs.md#jobs-models-and-why-a-job-ended";
const SPEND = "spend.md#control-spend-costs-quotes-budgets-usage";
const DELETE = "lifecycle.md#delete";
const UPLOADS = "uploads.md#what-is-checked";
const MCP = "mcp.md#how-it-is-built";

export const PROBLEMS = {
  // any request
  validation_failed: { status: 400, title: "Invalid request", docs: CLIENT_ERRORS },
  invalid_json: {
    status: 400,
    title: "Invalid JSON",
    docs: CLIENT_ERRORS,
    detail: "The request body is not valid JSON.",
  },
  payload_too_large: {
    status: 413,
    title: "Payload Too Large",
    docs: CLIENT_ERRORS,
    detail: "Request bodies may be at most 1 MB.",
  },
  unsupported_media_type: {
    status: 415,
    title: "Unsupported Media Type",
    docs: CLIENT_ERRORS,
    detail: "Send the request body as application/json.",
  },
  not_found: { status: 404, title: "Not Found", docs: CLIENT_ERRORS, detail: "No such route." },
  internal_error: {
    status: 500,
    title: "Internal Server Error",
    docs: "operations.md#logs",
    detail: "Something went wrong on our side; the request id helps us find it.",
  },
  configuration_error: {
    status: 500,
    title: "Server misconfigured",
    docs: "configuration.md#configuration",
    // without API_KEYS nobody is authenticated, so nothing is named (src/http/auth.ts)
    detail: "The server configuration is invalid; its operator can see what is wrong at GET /healthz.",
  },
  idempotency_key_reused: { status: 422, title: "Idempotency-Key reused", docs: JOBS },
  // keys
  unauthorized: {
    status: 401,
    title: "Unauthorized",
    docs: "keys.md#how-keys-are-stored-and-checked",
    detail: "Send Authorization: Bearer <API key> with a valid key.",
  },
  insufficient_scope: { status: 403, title: "Insufficient scope", docs: "keys.md#how-scopes-are-declared-and-checked" },
  rate_limited: { status: 429, title: "Too Many Requests", docs: "keys.md#rate-limits" },
  // spend
  budget_exceeded: { status: 402, title: "Budget exceeded", docs: SPEND },
  quote_unavailable: { status: 503, title: "Quote unavailable", docs: SPEND },
  // jobs, batches, pipelines, schedules
  job_finished: { status: 409, title: "Job already finished", docs: "jobs.md#why-a-job-ended" },
  batch_finished: { status: 409, title: "Batch already finished", docs: JOBS },
  pipeline_finished: { status: 409, title: "Pipeline already finished", docs: "pipelines.md#rules" },
  too_many_schedules: { status: 422, title: "Too many schedules", docs: JOBS },
  schedule_conflict: { status: 409, title: "Schedule changed meanwhile", docs: JOBS },
  // delete
  job_unfinished: { status: 409, title: "Job not finished", docs: DELETE },
  batch_unfinished: { status: 409, title: "Batch not finished", docs: DELETE },
  pipeline_unfinished: { status: 409, title: "Pipeline not finished", docs: DELETE },
  delete_incomplete: { status: 503, title: "Delete incomplete", docs: DELETE },
  // uploads
  invalid_multipart: {
    status: 400,
    title: "Invalid multipart body",
    docs: UPLOADS,
    detail: "The multipart/form-data body could not be parsed.",
  },
  provider_not_configured: {
    status: 503,
    title: "Provider not configured",
    docs: "configuration.md#configuration",
    detail: "Uploads go to WeShop, and WESHOP_API_KEY is not set on this server.",
  },
  provider_error: { status: 502, title: "Provider error", docs: UPLOADS },
  provider_unavailable: { status: 504, title: "Provider unavailable", docs: UPLOADS },
  // signed media links
  invalid_signature: {
    status: 403,
    title: "Forbidden",
    docs: JOBS,
    detail: "The media link signature is missing or invalid.",
  },
  link_expired: { status: 410, title: "Gone", docs: JOBS, detail: "The media link has expired." },
  precondition_failed: {
    status: 412,
    title: "Precondition Failed",
    docs: JOBS,
    detail: "The stored media does not match If-Match / If-Unmodified-Since.",
  },
  // MCP, dashboard, reference page
  origin_not_allowed: {
    status: 403,
    title: "Forbidden",
    docs: MCP,
    detail: "Requests from this Origin are refused (MCP's guard against DNS rebinding).",
  },
  method_not_allowed: {
    status: 405,
    title: "Method Not Allowed",
    docs: MCP,
    detail: "This MCP server is stateless: send JSON-RPC messages with POST.",
  },
  dashboard_unavailable: {
    status: 503,
    title: "Service Unavailable",
    docs: "dashboard.md#dashboard",
    detail: "The dashboard page is missing from this deployment.",
  },
  docs_unavailable: {
    status: 503,
    title: "Service Unavailable",
    docs: "operations.md#docs-swagger-ui",
    detail: "The reference page is missing from this deployment.",
  },
} as const satisfies Record<string, ProblemType>;

export type ProblemCode = keyof typeof PROBLEMS;
export const PROBLEM_CODES = Object.keys(PROBLEMS) as ProblemCode[];

/** One problem answer, carried to the app's single onError (src/lib/errors.ts). */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  /** Extension members of the problem (RFC 9457 §3.2), e.g. the limit a request would pass. */
  readonly extensions?: Record<string, unknown>;

  constructor(
    p: { status: ContentfulStatusCode; code: string; title: string; detail: string } & Omit<ProblemFields, "detail">,
  ) {
    super(p.detail);
    this.status = p.status;
    this.code = p.code;
    this.title = p.title;
    this.detail = p.detail;
    if (p.errors) this.errors = p.errors;
    if (p.headers) this.headers = p.headers;
    if (p.extensions) this.extensions = p.extensions;
  }
}

export interface ProblemFields {
  detail: string;
  /** Every offending field, by path. */
  errors?: FieldError[];
  /** Response headers the answer needs (Retry-After, WWW-Authenticate, Allow, …). */
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
  /** Only where one code answers differently on one route: /media's missing secret is 503, not the API's 500. */
  status?: ContentfulStatusCode;
  title?: string;
}

/** The codes whose entry has its own `detail`: for them the fields are optional. */
export type FixedCode = {
  [K in ProblemCode]: (typeof PROBLEMS)[K] extends { detail: string } ? K : never;
}[ProblemCode];

/** The problem `code` of the catalogue, with this occurrence's words. */
export function problem(code: FixedCode, fields?: Partial<ProblemFields>): ApiError;
export function problem(code: ProblemCode, fields: ProblemFields): ApiError;
export function problem(code: ProblemCode, fields: Partial<ProblemFields> = {}): ApiError {
  const type: ProblemType = PROBLEMS[code];
  const detail = fields.detail ?? type.detail ?? type.title;
  return new ApiError({
    ...fields,
    code,
    detail,
    status: fields.status ?? type.status,
    title: fields.title ?? type.title,
  });
}

export const notFound = (what: string): ApiError => problem("not_found", { detail: `${what} was not found.` });

/**
 * Every `error.code` a job of ours can end with (docs/jobs.md#why-a-job-ended). A provider that
 * refuses a run for good at submit, or fatally on a poll, gives its own code instead
 * (`INSUFFICIENT_POWER`, Wiro `97`, …), kept as it said it: the job schema allows that as well.
 */
export const JOB_ERROR_CODES = [
  "provider_auth_failed",
  "run_failed",
  "provider_unavailable",
  "submit_uncertain",
  "provider_redirect",
  "timeout",
  "queue_timeout",
  "media_copy_failed",
  "no_outputs",
  "provider_not_configured",
  "configuration_error",
  "canceled_by_client",
  "provider_canceled",
  "deadline_exceeded",
] as const;
export type JobErrorCode = (typeof JOB_ERROR_CODES)[number];
