// Turns zod issues into problem+json field errors with paths like `params.images[0]`.
import type { z } from "zod";
import { type ApiError, type FieldError, problem } from "./problems.ts";

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function fieldErrors(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        errors.push({ path: formatPath([...prefix, ...issue.path, key]), message: "is not a known field" });
    } else if (issue.code === "invalid_union" && issue.errors.length > 0 && !issue.message) {
      errors.push({ path: formatPath([...prefix, ...issue.path]), message: "is not valid" });
    } else {
      errors.push({ path: formatPath([...prefix, ...issue.path]), message: issue.message });
    }
  }
  return errors;
}

export function validationError(errors: FieldError[]): ApiError {
  const fields = errors.map((e) => e.path).join(", ");
  return problem("validation_failed", { detail: `Invalid fields: ${fields}.`, errors });
}
