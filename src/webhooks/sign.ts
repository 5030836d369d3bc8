// Standard Webhooks signatures: v1,base64(HMAC-SHA256(secret, `${id}.${timestamp}.${body}`)),
// where the secret is the base64 part of `whsec_…`.
import { bytesToBase64 } from "../lib/crypto.ts";
import { webhookKey } from "../lib/webhook-key.ts";

export async function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): Promise<string> {
  const key = webhookKey(secret);
  if (!key) throw new Error("WEBHOOK_SECRET is not a whsec_ secret");
  const hmac = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode(`${id}.${timestampSeconds}.${body}`));
  return `v1,${bytesToBase64(new Uint8Array(mac))}`;
}

export async function webhookHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<Record<string, string>> {
  return {
    "Content-Type": "application/json",
    "User-Agent": "seedrun-webhooks/1",
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": await signWebhook(secret, id, timestampSeconds, body),
  };
}
