// The Wiro callback token of a job, derived from its id under SIGNING_SECRET. The worker can
// check a callback URL by itself, so a forged one is refused without waking the job's object.
import { timingSafeEqualText, toBase64Url } from "./crypto.ts";

const encoder = new TextEncoder();

/** base64url(HMAC-SHA256(signingSecret, "wiro-callback:" + jobId)): 43 characters. */
export async function wiroCallbackToken(signingSecret: string, jobId: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(signingSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return toBase64Url(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`wiro-callback:${jobId}`))));
}

/** Constant-time check of a presented token against the one derived for the job. */
export async function isWiroCallbackToken(signingSecret: string, jobId: string, token: string): Promise<boolean> {
  return timingSafeEqualText(token, await wiroCallbackToken(signingSecret, jobId));
}
