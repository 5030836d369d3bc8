// Test helpers for media: deterministic bytes, chunked streams, sha256 and a URL-routing fetch stub.
import { vi } from "vitest";

export const MiB = 1024 * 1024;

/** Bytes that differ from position to position, so a shifted or repeated part would be noticed. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A body without a known length, delivered in chunks of `chunkSize`. */
export function chunkedStream(bytes: Uint8Array, chunkSize = 64 * 1024 + 7): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) {
        controller.close();
        return;
      }
      const end = Math.min(offset + chunkSize, bytes.byteLength);
      controller.enqueue(bytes.slice(offset, end));
      offset = end;
    },
  });
}

/** A stream that sends `bytes` and then never ends. */
export function stallingStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) return new Promise<void>(() => undefined);
      sent = true;
      controller.enqueue(bytes);
      return undefined;
    },
  });
}

export async function sha256Hex(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const compressed = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(compressed).arrayBuffer());
}

export type Route = (req: Request) => Response | Promise<Response>;

/** Stubs global fetch: each URL (exact href) has a handler; anything else is a network error. */
export function stubFetch(routes: Record<string, Route>) {
  const seen: Request[] = [];
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input, init);
    seen.push(req);
    const route = routes[req.url];
    if (route === undefined) throw new TypeError("Network connection lost.");
    return route(req);
  });
  return { spy, seen, urls: (): string[] => seen.map((r) => r.url) };
}

export async function storedBytes(bucket: R2Bucket, key: string): Promise<Uint8Array | null> {
  const object = await bucket.get(key);
  return object === null ? null : new Uint8Array(await object.arrayBuffer());
}

export function sameBytes(a: Uint8Array | null, b: Uint8Array): boolean {
  if (a === null || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
