// Reads a response body chunk by chunk while counting bytes, hashing them and enforcing limits.
import { toHex } from "../lib/crypto.ts";
import { CopyFailure, untilDeadline } from "./copy-failure.ts";

/** Size of the pieces handed on: big enough that per-piece costs (a JS await, an R2 write) vanish. */
const PIECE_BYTES = 1024 * 1024;

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
   * The next piece of about 1 MiB (less at the end), hashed and counted, or null at the end of
   * the body. Network chunks are small; handing each one to R2 and the hash separately costs a
   * round trip per chunk, which made large copies several times slower. From a byte stream the
   * runtime reads straight into the piece (readAtLeast), so no chunk passes through JS at all.
   * Each piece is a fresh buffer: whoever gets it may hold it as long as it needs.
   */
  async next(): Promise<Uint8Array | null> {
    const piece = this.#byob ? await this.read(() => this.#byob!.readAtLeast(PIECE_BYTES, new Uint8Array(PIECE_BYTES))) : await this.joined();
    if (piece === null) return null;
    this.bytes += piece.byteLength;
    if (this.bytes > this.maxBytes) throw new CopyFailure("too_large", false, `output is larger than the ${this.maxBytes} byte limit`);
    await this.#hashWriter.write(piece);
    return piece;
  }

  private async joined(): Promise<Uint8Array | null> {
    const first = await this.nextChunk();
    if (first === null || first.byteLength >= PIECE_BYTES) return first;
    const piece = new Uint8Array(PIECE_BYTES);
    piece.set(first);
    let filled = first.byteLength;
    while (filled < PIECE_BYTES) {
      const chunk = await this.nextChunk();
      if (chunk === null) break;
      const n = Math.min(chunk.byteLength, PIECE_BYTES - filled);
      piece.set(chunk.subarray(0, n), filled);
      filled += n;
      // a chunk straddling the boundary keeps its tail for the next piece
      if (n < chunk.byteLength) this.#carry = chunk.subarray(n);
    }
    return piece.subarray(0, filled);
  }

  private async nextChunk(): Promise<Uint8Array | null> {
    if (this.#carry) {
      const carried = this.#carry;
      this.#carry = null;
      return carried;
    }
    return this.read(() => this.#reader!.read());
  }

  private async read(read: () => Promise<ReadableStreamReadResult<Uint8Array>>): Promise<Uint8Array | null> {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await untilDeadline(read(), this.signal);
    } catch (err) {
      if (err instanceof CopyFailure) throw err;
      throw new CopyFailure("truncated", true, `the download broke off after ${this.bytes} bytes`);
    }
    if (result.value !== undefined && result.value.byteLength > 0) return result.value;
    return result.done ? null : this.read(read);
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
