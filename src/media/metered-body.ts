// Reads a response body chunk by chunk while counting bytes, hashing them and enforcing limits.
import { toHex } from "../lib/crypto.ts";
import { CopyFailure, untilDeadline } from "./copy-failure.ts";

export class MeteredBody {
  bytes = 0;
  /** BYOB reader when the body is a byte stream (a fetch response is): the runtime fills our pieces itself. */
  readonly #byob: ReadableStreamBYOBReader | null;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | null;
  readonly #hash = new crypto.DigestStream("SHA-256");
  readonly #hashWriter: WritableStreamDefaultWriter<ArrayBuffer | ArrayBufferView>;
  #sha256: Promise<string> | null = null;
  #carry: Uint8Array | null = null;

  constructor(
    body: ReadableStream<Uint8Array>,
    private readonly maxBytes: number,
    private readonly signal: AbortSignal,
  ) {
    let byob: ReadableStreamBYOBReader | null = null;
    try {
      byob = body.getReader({ mode: "byob" });
    } catch {
      // not a byte stream: read its chunks and join them into pieces
    }
    this.#byob = byob;
    this.#reader = byob === null ? body.getReader() : null;
    this.#hashWriter = this.#hash.getWriter();
    // digest rejects when a failed copy aborts the hash; that is expected, not an unhandled error
    this.#hash.digest.catch(() => undefined);
  }

  /**
   * Fills `into` from the body (less only at its end), hashes and counts those bytes, and answers
   * them as a view over `into`'s memory: empty at the end of the body. The view is what the caller
   * keeps: a BYOB read transfers `into`'s buffer, which detaches `into` itself, so the memory comes
   * back as `view.buffer` (also when the view is empty), ready to be filled again. The caller owns
   * the memory, so it can reuse a few buffers instead of leaving a fresh one as garbage per read
   * (V8 collects ArrayBuffers late: that garbage, not what the copy holds, was most of its heap).
   * Network chunks are small; from a byte stream (a fetch body is) the runtime reads straight into
   * `into` (readAtLeast), so no chunk passes through JS at all.
   */
  async readInto(into: Uint8Array): Promise<Uint8Array> {
    const filled = this.#byob ? await this.readByob(into) : await this.joined(into);
    this.bytes += filled.byteLength;
    if (this.bytes > this.maxBytes)
      throw new CopyFailure("too_large", false, `output is larger than the ${this.maxBytes} byte limit`);
    if (filled.byteLength > 0) await this.#hashWriter.write(filled);
    return filled;
  }

  private async readByob(into: Uint8Array): Promise<Uint8Array> {
    const offset = into.byteOffset;
    const result = await this.guarded(() => this.#byob!.readAtLeast(into.byteLength, into));
    // a canceled stream answers no view at all; only our own failure paths cancel it
    const view: Uint8Array | undefined = result.value;
    if (view === undefined)
      throw new CopyFailure("truncated", true, `the download broke off after ${this.bytes} bytes`);
    // the view at the end is empty and may not keep the offset: give it back where `into` was
    return result.done ? new Uint8Array(view.buffer, offset, 0) : view;
  }

  /** A stream of chunks (not bytes): they are copied into `into` until it is full or the body ends. */
  private async joined(into: Uint8Array): Promise<Uint8Array> {
    let filled = 0;
    while (filled < into.byteLength) {
      const chunk = await this.nextChunk();
      if (chunk === null) break;
      const n = Math.min(chunk.byteLength, into.byteLength - filled);
      into.set(chunk.subarray(0, n), filled);
      filled += n;
      // a chunk straddling the boundary keeps its tail for the next read
      if (n < chunk.byteLength) this.#carry = chunk.subarray(n);
    }
    return into.subarray(0, filled);
  }

  private async nextChunk(): Promise<Uint8Array | null> {
    if (this.#carry) {
      const carried = this.#carry;
      this.#carry = null;
      return carried;
    }
    for (;;) {
      const result = await this.guarded(() => this.#reader!.read());
      if (result.value !== undefined && result.value.byteLength > 0) return result.value;
      if (result.done) return null;
    }
  }

  private async guarded<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await untilDeadline(read(), this.signal);
    } catch (err) {
      if (err instanceof CopyFailure) throw err;
      throw new CopyFailure("truncated", true, `the download broke off after ${this.bytes} bytes`);
    }
  }

  /** Hex sha256 of everything read; call once the body is exhausted. */
  sha256Hex(): Promise<string> {
    this.#sha256 ??= this.#hashWriter.close().then(async () => toHex(await this.#hash.digest));
    return this.#sha256;
  }

  /** Stops the download; safe to call at any point, including after success. */
  cancel(): void {
    (this.#byob ?? this.#reader)?.cancel().catch(() => undefined);
    if (this.#sha256 === null) this.#hashWriter.abort().catch(() => undefined);
  }
}
