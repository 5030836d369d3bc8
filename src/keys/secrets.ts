// API keys made here: `sr_` + 40 base62 characters (about 238 random bits), stored only as their
// SHA-256. A fast unsalted hash is right for such keys: salts and slow hashes (bcrypt, scrypt)
// protect guessable human passwords against dictionary attacks, but a 238-bit random secret has
// no dictionary, and one SHA-256 lets the worker find a key by an indexed lookup of its hash.
import { sha256Hex } from "../lib/crypto.ts";

export const KEY_PREFIX = "sr_";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LENGTH = 40;
/** How much of a key is kept in clear to recognise it in a list: `sr_` and 4 characters (24 bits). */
const SHOWN = KEY_PREFIX.length + 4;

export const KEY_FORMAT = /^sr_[0-9A-Za-z]{32,64}$/;

/** A new random key (rejection sampling, so every character is uniform). */
export function generateKey(): string {
  let out = KEY_PREFIX;
  while (out.length < KEY_PREFIX.length + LENGTH) {
    for (const b of crypto.getRandomValues(new Uint8Array(48))) {
      if (b < 248 && out.length < KEY_PREFIX.length + LENGTH) out += BASE62[b % 62];
    }
  }
  return out;
}

/** What is stored of a key: domain-separated, so the hash of a key is never the hash of another thing of ours. */
export const keyHash = (key: string): Promise<string> => sha256Hex(`seedrun-key:${key}`);

export const keyPrefix = (key: string): string => key.slice(0, SHOWN);

/** The tenant of an API_KEYS entry: the id it has always had (the key's hash), so nothing moves. */
export async function rootTenantId(key: string): Promise<string> {
  return (await sha256Hex(`tenant:${key}`)).slice(0, 32);
}
