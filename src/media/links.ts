// Signed, expiring links to media in R2, usable in <img>/<video> without an API key.
import { fromBase64Url, toBase64Url } from "../lib/crypto.ts";

const encoder = new TextEncoder();
const SIG_BYTES = 32; // HMAC-SHA256

export type LinkCheck = "ok" | "expired" | "invalid";

/** `${origin}/media/${key}?expires=…&sig=base64url(HMAC-SHA256(secret, key + "\n" + expires))`. */
export async function signMediaUrl(secret: string, origin: string, key: string, expiresAt: number): Promise<string> {
  if (!Number.isSafeInteger(expiresAt) || expiresAt < 0) throw new RangeError("expiresAt must be unix seconds");
  const hmacKey = await importHmacKey(secret, "sign");
  const sig = await crypto.subtle.sign("HMAC", hmacKey, encoder.encode(signedText(key, String(expiresAt))));
  const path = key.split("/").map(encodeURIComponent).join("/");
  return `${origin.replace(/\/+$/, "")}/media/${path}?expires=${expiresAt}&sig=${toBase64Url(new Uint8Array(sig))}`;
}

/** Checks the signature before the expiry, so a forged link never learns whether it has expired. */
export async function verifyMediaLink(
  secret: string,
  key: string,
  expires: string | null,
  sig: string | null,
  nowSeconds: number,
): Promise<LinkCheck> {
  if (expires === null || sig === null || !/^\d{1,15}$/.test(expires)) return "invalid";
  const sigBytes = fromBase64Url(sig);
  if (sigBytes === null || sigBytes.byteLength !== SIG_BYTES) return "invalid";
  const hmacKey = await importHmacKey(secret, "verify");
  // subtle.verify compares in constant time.
  const valid = await crypto.subtle.verify("HMAC", hmacKey, sigBytes, encoder.encode(signedText(key, expires)));
  if (!valid) return "invalid";
  return Number(expires) <= nowSeconds ? "expired" : "ok";
}

function signedText(key: string, expires: string): string {
  return `${key}\n${expires}`;
}

function importHmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

/** Lifetime of the links in API responses. */
export const LINK_TTL_SECONDS = 24 * 3600;

/**
 * Signs links that stay valid for at least `ttlSeconds` (a day unless a caller, such as a webhook
 * body that is retried for longer, needs more); expiry is rounded to the hour so repeated reads
 * hand out the same, cacheable URL.
 */
export function makeLinkSigner(
  secret: string,
  origin: string,
  now = Date.now(),
  ttlSeconds = LINK_TTL_SECONDS,
): (key: string) => Promise<{ url: string; expiresAt: string }> {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0)
    throw new RangeError("ttlSeconds must be a positive whole number");
  const expires = Math.ceil(now / 3_600_000) * 3600 + ttlSeconds;
  return async (key) => ({
    url: await signMediaUrl(secret, origin, key, expires),
    expiresAt: new Date(expires * 1000).toISOString(),
  });
}
