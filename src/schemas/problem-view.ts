// The problem+json body (RFC 9457) of every error answer; its codes are src/lib/problems.ts's.
import { z } from "zod";

export const problemSchema = z
  .looseObject({
    type: z.string().meta({ description: "URI naming the problem type (RFC 9457)." }),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string(),
    code: z.string().meta({ description: "Stable machine-readable code, e.g. `validation_failed`." }),
    requestId: z
      .string()
      .optional()
      .meta({ description: "Same as the `X-Request-Id` header; quote it when asking for help." }),
    errors: z
      .array(
        z.strictObject({
          path: z.string().meta({ description: "e.g. `params.duration`, `params.images[0]`" }),
          message: z.string(),
        }),
      )
      .optional()
      .meta({ description: "Every offending field of a validation error." }),
  })
  .meta({ id: "Problem" });
