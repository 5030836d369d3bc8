// The problem+json answers of the route definitions: one builder, and the answers every route of
// a kind shares (authenticated routes: 401 and 500; JSON bodies: 400 invalid JSON, 413, 415),
// spread into each createRoute's `responses`. Examples are real ApiErrors' bodies, built from the
// same catalogue (src/lib/problems.ts) the throws use.
import { refusal } from "../../budgets/admission.ts";
import {
  type ApiError,
  type FieldError,
  type FixedCode,
  PROBLEMS,
  type ProblemCode,
  type ProblemFields,
  problem,
} from "../../lib/problems.ts";
import { validationError } from "../../lib/validation.ts";
import { problemSchema } from "../../schemas/problem-view.ts";
import { insufficientScope, type Scope } from "../../schemas/scopes.ts";

export const REQUEST_ID_HEADER = { "X-Request-Id": { $ref: "#/components/headers/RequestId" } };
const EXAMPLE_REQUEST_ID = "req_3f9a1c7e5b2d4068";

export interface ProblemExample {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** The body the app's onError sends for `e` (src/lib/errors.ts problemResponse), extension members included. */
export const problemBody = (e: ApiError, requestId: string | undefined = EXAMPLE_REQUEST_ID): ProblemExample => ({
  type: `https://seedrun.dev/problems/${e.code}`,
  title: e.title,
  status: e.status,
  detail: e.detail,
  code: e.code,
  ...(requestId ? { requestId } : {}),
  ...e.extensions,
  ...(e.errors ? { errors: e.errors } : {}),
});

/** The example body of catalogue problem `code`; `fields` as its throw would give them (a code with fixed words needs none). */
export function problemExample(code: FixedCode, fields?: Partial<ProblemFields>): ProblemExample;
export function problemExample(code: ProblemCode, fields: ProblemFields): ProblemExample;
export function problemExample(code: ProblemCode, fields?: Partial<ProblemFields>): ProblemExample {
  // the overloads above say which codes may come without a detail; problem() checks the same
  return problemBody(problem(code as FixedCode, fields));
}
export const validationProblem = (errors: FieldError[]): ProblemExample => problemBody(validationError(errors));

/** One documented problem answer; each example is named by its key and summarised by its title. */
export function problemResponse(
  description: string,
  examples: Record<string, ProblemExample>,
  headers: Record<string, unknown> = {},
) {
  return {
    description,
    headers: { ...REQUEST_ID_HEADER, ...headers },
    content: {
      "application/problem+json": {
        schema: problemSchema,
        examples: Object.fromEntries(
          Object.entries(examples).map(([k, v]) => [k, { summary: v.title, description: seeAlso(v.code), value: v }]),
        ),
      },
    },
  };
}

/** The examples of a documented JSON answer, each named by its key. */
export type Examples = Record<string, { summary: string; value: unknown }>;

/** A resource's documented JSON answer: its schema, named examples and the request id header (plus any given). */
export function resourceResponse<S>(schema: S) {
  return (description: string, examples: Examples, headers: Record<string, unknown> = {}) => ({
    description,
    headers: { ...REQUEST_ID_HEADER, ...headers },
    content: { "application/json": { schema, examples } },
  });
}

/** Where the docs explain the example's code (its catalogue entry), for readers of /docs. */
function seeAlso(code: string): string | undefined {
  const docs = code in PROBLEMS ? PROBLEMS[code as ProblemCode].docs : undefined;
  return docs && `Explained in docs/${docs}.`;
}

export const INVALID_JSON = problemExample("invalid_json");

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
  problemResponse(`The key lacks the scope \`${scope}\``, {
    insufficient_scope: problemBody(insufficientScope(scope)),
  });

/**
 * Routes anyone may call (health, docs, signed media links, provider callbacks): said explicitly,
 * so linters and generated clients do not have to guess that the missing requirement is on purpose.
 */
export const unauthenticated = {
  security: [] as { [scheme: string]: string[] }[],
};
export const authProblems = {
  401: problemResponse("Missing or unknown API key", {
    unauthorized: problemExample("unauthorized"),
  }),
  // API_KEYS is checked before the key, so without it nobody is authenticated and nothing is named;
  // only an authenticated caller is told which other settings are wrong (src/http/middleware.ts)
  500: problemResponse("Server misconfigured", {
    no_api_keys: problemExample("configuration_error"),
    authenticated: problemExample("configuration_error", {
      detail: "The server configuration is invalid: SIGNING_SECRET (SIGNING_SECRET must be at least 16 characters).",
    }),
  }),
};

/** Routes reading a JSON body (src/http/request.ts readJsonBody and the 1 MB limit in app.ts); `invalid` adds the route's own 400 examples. */
export function jsonBodyProblems(invalid: Record<string, ProblemExample> = {}) {
  return {
    400: problemResponse(Object.keys(invalid).length > 0 ? "Invalid JSON or invalid fields" : "Invalid JSON", {
      ...invalid,
      invalid_json: INVALID_JSON,
    }),
    413: problemResponse("Body over 1 MB", {
      payload_too_large: problemExample("payload_too_large"),
    }),
    415: problemResponse("Body is not JSON", {
      unsupported_media_type: problemExample("unsupported_media_type"),
    }),
  };
}

/** 404 for an id that names nothing of this key (ids of the wrong shape included). */
export const notFoundProblem = (what: string, id: string) =>
  problemResponse(`No such ${what.toLowerCase()} for this key`, {
    not_found: problemExample("not_found", { detail: `${what} ${id} was not found.` }),
  });

/** The per-key rate limit's answer (src/http/rate-limit.ts), added to each authenticated route by src/http/route-scopes.ts. */
export const RATE_LIMITED = problemResponse(
  "Over this key's requests per minute",
  {
    rate_limited: problemExample("rate_limited", {
      detail: "This key may make 600 requests a minute; retry after 17 s.",
    }),
  },
  {
    "Retry-After": { description: "Seconds until the key's window ends.", schema: { type: "string" as const } },
    RateLimit: {
      description: 'The key\'s state (draft-ietf-httpapi-ratelimit-headers), e.g. `"per-key";r=0;t=17`.',
      schema: { type: "string" as const },
    },
    "RateLimit-Policy": {
      description: 'The key\'s quota, e.g. `"per-key";q=600;w=60`.',
      schema: { type: "string" as const },
    },
  },
);

/** What admission may answer instead of creating: spread into the responses of routes that create jobs. */
export const admissionProblems = {
  402: problemResponse("Over budget: nothing was created or sent", {
    budget_exceeded: problemBody(
      refusal({
        ok: false,
        code: "budget_exceeded",
        unit: "weshop_power",
        period: "day",
        limit: 50,
        remaining: 10,
        requested: 20,
      }),
    ),
  }),
  503: problemResponse(
    "A limit exists for the unit and no estimate could be had: nothing was created or sent",
    {
      quote_unavailable: problemBody(
        refusal({ ok: false, code: "quote_unavailable", unit: "weshop_power", period: "day" }),
      ),
    },
    { "Retry-After": { description: "Seconds to wait before asking again.", schema: { type: "string" as const } } },
  ),
};
