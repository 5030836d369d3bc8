// The key of a Standard Webhooks secret (`whsec_` + base64). Here in lib/ because the settings
// check (config.ts) must validate WEBHOOK_SECRET without importing the webhooks feature.
import { base64ToBytes } from "./crypto.ts";

const PREFIX = "whsec_";

/** The key bytes of a `whsec_…` secret, or null when it is not one. */
export function webhookKey(secret: string): Uint8Array | null {
  if (!secret.startsWith(PREFIX)) return null;
  const bytes = base64ToBytes(secret.slice(PREFIX.length));
  return bytes && bytes.byteLength >= 16 ? bytes : null;
}
