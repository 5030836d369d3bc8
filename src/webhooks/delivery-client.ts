// How other code reaches a webhook message's delivery object: its interface and stub builder,
// apart from the class so callers (the job, the batch) do not import the object itself.
import type { DeliveryState, WebhookMessage } from "./types.ts";

export interface DeliveryApi {
  /** Stores the message once (a repeated enqueue is ignored) and starts delivering it. */
  enqueue(message: WebhookMessage): Promise<void>;
  state(): Promise<DeliveryState | undefined>;
  /** Its job was deleted: the message (which holds the job's content) and its retries go. */
  erase(): Promise<void>;
  /** One attempt now with the same webhook-id; undefined when the message is not (or no longer) stored. */
  redeliver(): Promise<DeliveryState | undefined>;
}

/** One object per message id, so a message handed over twice is delivered once. */
export function deliveryApi(env: Env, id: string): DeliveryApi {
  return env.WEBHOOKS.get(env.WEBHOOKS.idFromName(id)) as unknown as DeliveryApi;
}
