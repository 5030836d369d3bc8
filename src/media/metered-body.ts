// Reads a response body chunk by chunk while counting bytes, hashing them and enforcing limits.
import { toHex } from "../lib/crypto.ts";
import { CopyFailure, untilDeadline } from "./copy-failure.ts";

const COALESCE_BYTES = 1024 * 1024;

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

  /**
   * The next piece of about `COALESCE_BYTES` (less at the end), or null at the end of the body.
   * Network chunks are small; handing each one to R2 and the hash separately costs a round trip
   * per chunk, which made large copies an order of magnitude slower. Memory stays bounded by one piece.
   */
  async next(): Promise<Uint8Array | null> {
    const piece = await this.nextPiece();
    if (piece !== null) await this.#hashWriter.write(piece);
    return piece;
  }

  private async nextPiece(): Promise<Uint8Array | null> {
    const first = await this.nextChunk();
    if (first === null || first.byteLength >= COALESCE_BYTES) return first;
    const piece = new Uint8Array(COALESCE_BYTES);
    piece.set(first);
    let filled = first.byteLength;
    while (filled < COALESCE_BYTES) {
      const chunk = await this.nextChunk();
      if (chunk === null) break;
      const n = Math.min(chunk.byteLength, COALESCE_BYTES - filled);
      piece.set(chunk.subarray(0, n), filled);
      filled += n;
      // a chunk straddling the boundary keeps its tail for the next piece
      if (n < chunk.byteLength) this.#carry = chunk.subarray(n);
    }
    return piece.subarray(0, filled);
  }

  #carry: Uint8Array | null = null;

  private async nextChunk(): Promise<Uint8Array | null> {
    if (this.#carry) {
      const carried = this.#carry;
      this.#carry = null;
      return carried;
    }
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
