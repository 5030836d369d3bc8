// Reads a response body chunk by chunk while counting bytes, hashing them and enforcing limits.
import { toHex } from "../lib/crypto.ts";
import { CopyFailure, untilDeadline } from "./copy-failure.ts";

export class MeteredBody {
  bytes = 0;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #hash = new crypto.DigestStream("SHA-256");
  readonly #hashWriter: WritableStreamDefaultWriter<ArrayBuffer | ArrayBufferView>;
  #sha256: Promise<string> | null = null;

  constructor(
    body: ReadableStream<Uint8Array>,
    private readonly maxBytes: number,
    private readonly signal: AbortSignal,
  ) {
    this.#reader = body.getReader();
    this.#hashWriter = this.#hash.getWriter();
    // digest rejects when a failed copy aborts the hash; that is expected, not an unhandled error
    this.#hash.digest.catch(() => undefined);
  }

  /** The next chunk, or null at the end of the body. */
  async next(): Promise<Uint8Array | null> {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await untilDeadline(this.#reader.read(), this.signal);
    } catch (err) {
      if (err instanceof CopyFailure) throw err;
      throw new CopyFailure("truncated", true, `the download broke off after ${this.bytes} bytes`);
    }
    if (result.done) return null;
    const chunk = result.value;
    this.bytes += chunk.byteLength;
    if (this.bytes > this.maxBytes) {
      throw new CopyFailure("too_large", false, `output is larger than the ${this.maxBytes} byte limit`);
    }
    await this.#hashWriter.write(chunk);
    return chunk;
  }

  /** Hex sha256 of everything read; call once the body is exhausted. */
  sha256Hex(): Promise<string> {
    this.#sha256 ??= this.#hashWriter.close().then(async () => toHex(await this.#hash.digest));
    return this.#sha256;
  }

  /** Stops the download; safe to call at any point, including after success. */
  cancel(): void {
    this.#reader.cancel().catch(() => undefined);
    if (this.#sha256 === null) this.#hashWriter.abort().catch(() => undefined);
  }
}
