// Failures of a tool call: problems, in the same problem+json shape the HTTP API answers, so an
// agent reads one error format whether the /v1 route or the tool's own checks refused it.
import type { FieldError } from "../lib/problems.ts";

/** A problem+json body, as the HTTP API answers it. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId?: string;
  errors?: FieldError[];
  [key: string]: unknown;
}

/** Ends a tool call with this problem (thrown by the API caller and the argument checks). */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

export function invalidArguments(errors: FieldError[]): ProblemError {
  return new ProblemError({
    title: "Invalid arguments",
    status: 400,
    detail: `Invalid fields: ${errors.map((e) => e.path).join(", ")}.`,
    code: "validation_failed",
    errors,
  });
}
