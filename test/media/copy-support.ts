// The copy tests' source URL and request: one provider output whose URL carries a token that must
// never leak, copied into the test bucket with small parts so multipart paths stay cheap.
import { env } from "cloudflare:test";
import type { CopyRequest } from "../../src/media/copy.ts";
import { MiB } from "./helpers.ts";

export const SRC = "https://cdn.provider.example/out/0.mp4?token=secret-token";

export function request(key: string, extra: Partial<CopyRequest> = {}): CopyRequest {
  return {
    bucket: env.MEDIA,
    url: SRC,
    key,
    maxBytes: 64 * MiB,
    timeoutMs: 10_000,
    urlPolicy: { allowLoopbackHttp: false },
    partSize: 5 * MiB,
    ...extra,
  };
}

export function known(bytes: Uint8Array, headers: Record<string, string> = {}): Response {
  return new Response(bytes, {
    headers: { "Content-Length": String(bytes.byteLength), "Content-Type": "video/mp4", ...headers },
  });
}
