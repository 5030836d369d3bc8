// The problem+json answers of the route definitions: one builder, and the answers every route of
// a kind shares (authenticated routes: 401 and 500; JSON bodies: 400 invalid JSON, 413, 415),
// spread into each createRoute's `responses`. Examples are the real ApiErrors' bodies.
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { insufficientScope, type Scope } from "../../schemas/scopes.ts";
import { ApiError, type FieldError } from "../../lib/errors.ts";
import { validationError } from "../../lib/validation.ts";
import { problemSchema } from "../../schemas/views.ts";

export const REQUEST_ID_HEADER = { "X-Request-Id": { $ref: "#/components/headers/RequestId" } };
const EXAMPLE_REQUEST_ID = "req_3f9a1c7e5b2d4068";

/** The body the app's onError sends for `e` (src/lib/errors.ts problemResponse). */
export const problemBody = (e: ApiError, requestId: string | undefined = EXAMPLE_REQUEST_ID) => ({
  type: `https://seedrun.dev/problems/${e.code}`,
  title: e.title,
  status: e.status,
  detail: e.detail,
  code: e.code,
  ...(requestId ? { requestId } : {}),
  ...(e.errors ? { errors: e.errors } : {}),
});
export type ProblemExample = ReturnType<typeof problemBody>;

export const problem = (status: ContentfulStatusCode, code: string, title: string, detail: string): ProblemExample =>
  problemBody(new ApiError(status, code, title, detail));
export const validationProblem = (errors: FieldError[]): ProblemExample => problemBody(validationError(errors));

/** One documented problem answer; each example is named by its key and summarised by its title. */
export function problemResponse(description: string, examples: Record<string, ProblemExample>, headers: Record<string, unknown> = {}) {
  return {
    description,
    headers: { ...REQUEST_ID_HEADER, ...headers },
    content: {
      "application/problem+json": {
        schema: problemSchema,
        examples: Object.fromEntries(Object.entries(examples).map(([k, v]) => [k, { summary: v.title, value: v }])),
      },
    },
  };
}

export const INVALID_JSON = problem(400, "invalid_json", "Invalid JSON", "The request body is not valid JSON.");

/** Routes behind bearer auth: the security requirement and the answers of src/http/middleware.ts. */
export const authenticated = {
  security: [{ bearerAuth: [] }],
};
/**
 * A route that needs `scope` (src/schemas/scopes.ts), shown as the operation's `x-scopes` in
 * /openapi.json. A route with only `...authenticated` gets its method's default (src/http/route-scopes.ts).
 */
export const requires = (scope: Scope) => ({ security: [{ bearerAuth: [] }], "x-scopes": [scope] });

/** The 403 a key without the route's scope gets; added to each authenticated route by src/http/route-scopes.ts. */
export const scopeProblem = (scope: Scope) =>
  problemResponse(`The key lacks the scope \`${scope}\``, { insufficient_scope: { ...problemBody(insufficientScope(scope)), scope } as ProblemExample });

/**
 * Routes anyone may call (health, docs, signed media links, provider callbacks): said explicitly,
 * so linters and generated clients do not have to guess that the missing requirement is on purpose.
 */
export const unauthenticated = {
  security: [] as { [scheme: string]: string[] }[],
};
export const authProblems = {
  401: problemResponse("Missing or unknown API key", {
    unauthorized: problem(401, "unauthorized", "Unauthorized", "Send Authorization: Bearer <API key> with a valid key."),
  }),
  // API_KEYS is checked before the key, so without it nobody is authenticated and nothing is named;
  // only an authenticated caller is told which other settings are wrong (src/http/middleware.ts)
  500: problemResponse("Server misconfigured", {
    no_api_keys: problem(
      500,
      "configuration_error",
      "Server misconfigured",
      "The server configuration is invalid; its operator can see what is wrong at GET /healthz.",
    ),
    authenticated: problem(
      500,
      "configuration_error",
      "Server misconfigured",
      "The server configuration is invalid: SIGNING_SECRET (SIGNING_SECRET must be at least 16 characters).",
    ),
  }),
};

/** Routes reading a JSON body (src/http/request.ts readJsonBody and the 1 MB limit in app.ts); `invalid` adds the route's own 400 examples. */
export function jsonBodyProblems(invalid: Record<string, ProblemExample> = {}) {
  return {
    400: problemResponse(Object.keys(invalid).length > 0 ? "Invalid JSON or invalid fields" : "Invalid JSON", { ...invalid, invalid_json: INVALID_JSON }),
    413: problemResponse("Body over 1 MB", {
      payload_too_large: problem(413, "payload_too_large", "Payload Too Large", "Request bodies may be at most 1 MB."),
    }),
    415: problemResponse("Body is not JSON", {
      unsupported_media_type: problem(415, "unsupported_media_type", "Unsupported Media Type", "Send the request body as application/json."),
    }),
  };
}

/** 404 for an id that names nothing of this key (ids of the wrong shape included). */
export const notFoundProblem = (what: string, id: string) =>
  problemResponse(`No such ${what.toLowerCase()} for this key`, { not_found: problem(404, "not_found", "Not Found", `${what} ${id} was not found.`) });

/** The per-key rate limit's answer (src/http/rate-limit.ts), added to each authenticated route by src/http/route-scopes.ts. */
export const RATE_LIMITED = problemResponse(
  "Over this key's requests per minute",
  { rate_limited: problem(429, "rate_limited", "Too Many Requests", "This key may make 600 requests a minute; retry after 17 s.") },
  {
    "Retry-After": { description: "Seconds until the key's window ends.", schema: { type: "string" as const } },
    RateLimit: { description: 'The key\'s state (draft-ietf-httpapi-ratelimit-headers), e.g. `"per-key";r=0;t=17`.', schema: { type: "string" as const } },
    "RateLimit-Policy": { description: 'The key\'s quota, e.g. `"per-key";q=600;w=60`.', schema: { type: "string" as const } },
  },
);
