// Helpers of the keys tests: making keys through the API, and a concrete request for a documented
// operation (path parameters from their examples, an empty JSON body, so nothing is created).
import { api, KEY_A } from "../support/harness.ts";

// biome-ignore lint/suspicious/noExplicitAny: JSON walked by path
export type Json = Record<string, any>;

export const ADMIN_KEY = "test-admin-key-0123456789";

export interface MadeKey {
  id: string;
  key: string;
  scopes: string[];
  body: Json;
}

export async function makeKey(
  scopes: string[],
  init: { by?: string; name?: string; expiresAt?: string } = {},
): Promise<MadeKey> {
  const res = await api("/v1/keys", {
    key: init.by ?? KEY_A,
    json: { name: init.name ?? `key ${scopes.join(" ")}`, scopes, expiresAt: init.expiresAt },
  });
  const body = (await res.json()) as Json;
  if (res.status !== 201) throw new Error(`key create failed ${res.status}: ${JSON.stringify(body)}`);
  return { id: body.id, key: body.key, scopes, body };
}

export function requestFor(path: string, method: string, op: Json, key: string): Request {
  let url = path;
  for (const p of op.parameters ?? [])
    if (p.in === "path") url = url.replace(`{${p.name}}`, encodeURIComponent(String(p.example)));
  const headers: Record<string, string> = { Authorization: `Bearer ${key}` };
  const type = Object.keys(op.requestBody?.content ?? {})[0];
  let body: BodyInit | undefined;
  if (type === "multipart/form-data") body = new FormData();
  else if (type) {
    headers["Content-Type"] = type;
    body = "{}";
  }
  return new Request(`https://seedrun.test${url}`, {
    method: method.toUpperCase(),
    headers,
    ...(body ? { body } : {}),
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
