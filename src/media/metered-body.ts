// Reads a response body chunk by chunk while counting bytes, hashing them and enforcing limits.
import { toHex } from "../lib/crypto.ts";
import { CopyFailure, untilDeadline } from "./copy-failure.ts";

export class MeteredBody {
  bytes = 0;
  /** Why reading stopped, when it stopped in a failure: R2 only sees an errored stream, this says which. */
  failure: CopyFailure | null = null;
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

  /**
   * The next chunk as the network delivered it, hashed and counted, or null at the end of the
   * body. Chunks are handed on as they are (no copy into bigger pieces): whoever consumes them
   * must not wait on a round trip per chunk (a stream piped into R2, or a part buffer).
   */
  async next(): Promise<Uint8Array | null> {
    const chunk = await this.nextChunk();
    if (chunk !== null) await this.#hashWriter.write(chunk);
    return chunk;
  }

  /**
   * The body as a stream of exactly `length` bytes for one R2 put: a body that ends early, runs
   * long, stalls past the deadline or grows over the limit errors the stream (so R2 refuses the
   * put) and leaves its reason in `failure`. Pull-based with no queue of its own: it reads only
   * as fast as R2 takes the bytes, so at most a chunk or two are in memory.
   */
  stream(length: number): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          try {
            const chunk = await this.next();
            if (chunk === null) {
              if (this.bytes < length) throw new CopyFailure("truncated", true, `output ended after ${this.bytes} of ${length} bytes`);
              controller.close();
              return;
            }
            if (this.bytes > length) throw new CopyFailure("truncated", true, `output is longer than its Content-Length ${length}`);
            controller.enqueue(chunk);
          } catch (err) {
            this.failure = err instanceof CopyFailure ? err : new CopyFailure("truncated", true, `the download broke off after ${this.bytes} bytes`);
            controller.error(this.failure);
          }
        },
        cancel: () => this.cancel(),
      },
      { highWaterMark: 0 },
    );
  }

  private async nextChunk(): Promise<Uint8Array | null> {
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
