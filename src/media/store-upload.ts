// A client's file streamed into R2: recognised by its first bytes, counted and hashed on the way,
// written as an R2 multipart upload in parts (putUnknownLength), so memory stays at a few parts
// whatever the size. A file over the limit, unrecognised or broken off leaves nothing stored.
import { settle } from "../lib/multipart.ts";
import { CopyFailure } from "./copy-failure.ts";
import { MeteredBody } from "./metered-body.ts";
import { putUnknownLength } from "./r2-upload.ts";
import { SNIFF_BYTES, type Sniffed, sniffMedia } from "./sniff.ts";

/** R2's smallest part (all but the last must be at least this): three of them are the memory used. */
const PART_BYTES = 5 * 1024 * 1024;

export type StoreFailure =
  | { code: "empty" }
  | { code: "unrecognised" }
  | { code: "too_large" }
  /** the body broke off or its multipart framing was wrong */
  | { code: "truncated" };

export class StoreError extends Error {
  constructor(readonly failure: StoreFailure) {
    super(failure.code);
  }
}

export interface StoredFile extends Sniffed {
  key: string;
  size: number;
  sha256: string;
}

/** Reads until `n` bytes (or the end) are in hand; the stream answered yields them again first. */
async function peek(
  body: ReadableStream<Uint8Array>,
  n: number,
): Promise<{ head: Uint8Array; body: ReadableStream<Uint8Array> }> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let have = 0;
  let done = false;
  while (have < n) {
    const read = await reader.read();
    if (read.done) {
      done = true;
      break;
    }
    chunks.push(read.value);
    have += read.value.byteLength;
  }
  const head = new Uint8Array(Math.min(have, n));
  let at = 0;
  for (const c of chunks) {
    if (at >= head.length) break;
    const take = c.subarray(0, head.length - at);
    head.set(take, at);
    at += take.byteLength;
  }
  const replay = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      if (done) controller.close();
    },
    pull: (controller) =>
      settle(controller, async () => {
        const read = await reader.read();
        if (read.done) controller.close();
        else controller.enqueue(read.value);
      }),
    cancel: (reason) => reader.cancel(reason),
  });
  return { head, body: replay };
}

/**
 * Streams `body` into `bucket` under `keyFor(what it is)`. Throws StoreError for what the client
 * sent wrong (nothing is left in R2 then); other errors are storage failures.
 */
export async function storeUpload(
  bucket: R2Bucket,
  body: ReadableStream<Uint8Array>,
  options: {
    keyFor: (sniffed: Sniffed) => string;
    maxBytes: number;
    signal: AbortSignal;
    customMetadata: Record<string, string>;
  },
): Promise<StoredFile> {
  const peeked = await peek(body, SNIFF_BYTES).catch(() => {
    throw new StoreError({ code: "truncated" });
  });
  if (peeked.head.byteLength === 0) {
    await peeked.body.cancel().catch(() => undefined);
    throw new StoreError({ code: "empty" });
  }
  const sniffed = sniffMedia(peeked.head);
  if (!sniffed) {
    await peeked.body.cancel().catch(() => undefined);
    throw new StoreError({ code: "unrecognised" });
  }
  const key = options.keyFor(sniffed);
  const meter = new MeteredBody(peeked.body, options.maxBytes, options.signal);
  try {
    const target = {
      bucket,
      key,
      contentType: sniffed.type,
      signal: options.signal,
      customMetadata: options.customMetadata,
    };
    const object = await putUnknownLength(target, meter, PART_BYTES, () => undefined);
    if (object.size !== meter.bytes) {
      await bucket.delete(key).catch(() => undefined);
      throw new Error(`R2 stored ${object.size} bytes, read ${meter.bytes}`);
    }
    return { ...sniffed, key, size: meter.bytes, sha256: await meter.sha256Hex() };
  } catch (err) {
    meter.cancel();
    if (err instanceof CopyFailure && (err.code === "too_large" || err.code === "truncated"))
      throw new StoreError({ code: err.code });
    throw err;
  }
}
