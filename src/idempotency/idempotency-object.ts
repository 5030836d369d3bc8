// One Durable Object per (client key, Idempotency-Key): the first request claims the key with
// its body's hash and the job it will create; every later one within 24 h gets that same job,
// or a mismatch when the body differs. Claims are serialised by the object, so races are safe.
import { DurableObject } from "cloudflare:workers";
import type { ClaimResult, IdempotencyApi } from "./idempotency-client.ts";

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

interface Claim<T> {
  bodyHash: string;
  value: T;
  createdAt: number;
}

export class IdempotencyKeys extends DurableObject<Env> implements IdempotencyApi {
  async claim<T>(bodyHash: string, value: T): Promise<ClaimResult<T>> {
    const now = Date.now();
    const existing = await this.ctx.storage.get<Claim<T>>("claim");
    if (existing && now - existing.createdAt < IDEMPOTENCY_TTL_MS) {
      return existing.bodyHash === bodyHash ? { kind: "replay", value: existing.value } : { kind: "mismatch" };
    }
    await this.ctx.storage.put("claim", { bodyHash, value, createdAt: now } satisfies Claim<T>);
    // forget the key a day later
    await this.ctx.storage.setAlarm(now + IDEMPOTENCY_TTL_MS);
    return { kind: "new", value };
  }

  override async alarm(): Promise<void> {
    const existing = await this.ctx.storage.get<Claim<unknown>>("claim");
    if (existing && Date.now() - existing.createdAt < IDEMPOTENCY_TTL_MS) {
      await this.ctx.storage.setAlarm(existing.createdAt + IDEMPOTENCY_TTL_MS);
      return;
    }
    await this.ctx.storage.deleteAll();
  }
}
