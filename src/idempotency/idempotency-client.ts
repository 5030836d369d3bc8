// How the routes reach an Idempotency-Key's Durable Object: the claim call, its answers, the stub
// builder, and the canonical JSON a body is hashed from, apart from the class.

export type ClaimResult<T> = { kind: "new"; value: T } | { kind: "replay"; value: T } | { kind: "mismatch" };

/** The stub's shape for callers (RPC typing cannot carry the generic claim value). */
export interface IdempotencyApi {
  claim<T>(bodyHash: string, value: T): Promise<ClaimResult<T>>;
}

export function idempotencyApi(env: Env, name: string): IdempotencyApi {
  return env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(name)) as unknown as IdempotencyApi;
}

/** JSON with object keys sorted, so the same parameters hash the same however they were written. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}
