// verifyWebhook: checks a delivery's Standard Webhooks signature (HMAC-SHA256 of
// `{webhook-id}.{webhook-timestamp}.{body}` keyed with the base64 part of `whsec_…`) with
// WebCrypto, so it runs in Node, browsers, Workers and Deno alike.
import { SeedrunError } from "./errors.ts";
import type { WebhookEvent } from "./types.ts";

export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** How far the timestamp may be from now (default 300 s), against replays. */
  toleranceSeconds?: number;
  /** The current time (tests). */
  now?: Date;
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof Headers !== "undefined" && headers instanceof Headers) return headers.get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function invalid(detail: string): SeedrunError {
  return new SeedrunError({ status: 0, code: "invalid_signature", title: "Invalid webhook signature", detail });
}

/** Returns the parsed event when the signature is right and recent; throws SeedrunError `invalid_signature` otherwise. */
export async function verifyWebhook<T = unknown>(
  body: string | Uint8Array,
  headers: HeaderSource,
  secret: string,
  options: VerifyOptions = {},
): Promise<WebhookEvent<T>> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures)
    throw invalid("The webhook-id, webhook-timestamp and webhook-signature headers are required.");
  const seconds = Number(timestamp);
  const now = (options.now ?? new Date()).getTime() / 1000;
  if (!Number.isInteger(seconds) || Math.abs(now - seconds) > (options.toleranceSeconds ?? 300))
    throw invalid("The webhook timestamp is missing or too far from now.");
  const text = typeof body === "string" ? body : new TextDecoder().decode(body);
  let keyBytes: Uint8Array<ArrayBuffer>;
  try {
    keyBytes = base64ToBytes(secret.startsWith("whsec_") ? secret.slice(6) : secret);
  } catch {
    throw invalid("The webhook secret is not a whsec_ base64 secret.");
  }
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${text}`);
  for (const part of signatures.split(" ")) {
    const [version, signature] = part.split(",");
    if (version !== "v1" || !signature) continue;
    let expected: Uint8Array<ArrayBuffer>;
    try {
      expected = base64ToBytes(signature);
    } catch {
      continue;
    }
    // crypto.subtle.verify compares in constant time
    if (await crypto.subtle.verify("HMAC", key, expected, signed)) return JSON.parse(text) as WebhookEvent<T>;
  }
  throw invalid("No signature matches.");
}
