// Idempotency-Key on POST /v1/jobs and POST /v1/batches, defined once: the header's schema (the
// route definitions validate and document it), the claim that decides which request's resource
// stands, and the documented 422 and `Idempotent-Replayed` answers.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { canonicalJson, idempotencyApi } from "../idempotency/idempotency-client.ts";
import { sha256Hex } from "../lib/crypto.ts";
import { IDEMPOTENCY_KEY } from "../lib/ids.ts";
import { problem } from "../lib/problems.ts";
import type { AppEnv } from "./context.ts";
import { problemExample, problemResponse } from "./openapi/problems.ts";

const REUSED = "This Idempotency-Key was already used with a different request body in the last 24 hours.";

/** The header, for a route creating `what` (`job`, `batch`). */
export const idempotencyKeyHeader = (what: string) =>
  z
    .string()
    .regex(IDEMPOTENCY_KEY, "must be 1 to 255 visible ASCII characters")
    .optional()
    .openapi({
      param: {
        name: "Idempotency-Key",
        in: "header",
        description: `Any 1–255 visible ASCII characters. For 24 hours, the same key with the same body returns the same ${what} (\`Idempotent-Replayed: true\`); with another body it is \`422\`.`,
        example: `order-1042-${what}`,
      },
    });

export const idempotencyResponses = {
  422: problemResponse("Idempotency-Key reused with another body", {
    idempotency_key_reused: problemExample("idempotency_key_reused", { detail: REUSED }),
  }),
};
export const replayedHeader = {
  "Idempotent-Replayed": {
    description: "`true` when an earlier request with the same `Idempotency-Key` made this.",
    schema: { type: "string" as const },
  },
};

/**
 * Without a key, `fresh` as it is. With one, the claim on `{tenant}:{scope}:{key}` decides whose
 * value stands: the first request's (replayed to later ones with the same body, marked
 * `Idempotent-Replayed: true`), or a 422 when the body differs. Every request then creates that
 * same resource, so one still being processed and one replayed answer alike.
 */
export async function claimIdempotent<T>(
  c: Context<AppEnv>,
  scope: "jobs" | "batches" | "pipelines",
  key: string | undefined,
  spec: unknown,
  fresh: T,
): Promise<T> {
  if (key === undefined) return fresh;
  const claim = await idempotencyApi(c.env, `${c.get("tenant")}:${scope}:${key}`).claim(
    await sha256Hex(canonicalJson(spec)),
    fresh,
  );
  if (claim.kind === "mismatch") throw problem("idempotency_key_reused", { detail: REUSED });
  if (claim.kind === "replay") c.header("Idempotent-Replayed", "true");
  return claim.value;
}
