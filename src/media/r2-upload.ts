// Writes a metered body into R2 without holding more than about one part in memory.
import { CopyFailure, storage } from "./copy-failure.ts";
import type { MeteredBody } from "./metered-body.ts";

export interface UploadTarget {
  bucket: R2Bucket;
  key: string;
  contentType: string;
  signal: AbortSignal;
  /** Aborted when the copy is abandoned for good (the job was canceled): a write that lands late is removed. */
  abandoned?: AbortSignal;
  /** Stored with the object (an upload's owner); putUnknownLength only. */
  customMetadata?: Record<string, string>;
}

/**
 * Waits for R2's final write (the put or the multipart completion) under the deadline. If the
 * copy was abandoned meanwhile, the object that write may still create is removed once it lands,
 * so a canceled job leaves nothing behind. Not after a timeout: the retry that follows writes the
 * same key, and removing a late write could remove the retry's object.
 */
async function commit(write: Promise<R2Object>, target: UploadTarget, what: string): Promise<R2Object> {
  try {
    return await storage(write, target.signal, what);
  } catch (err) {
    if (target.abandoned?.aborted) void write.then(() => target.bucket.delete(target.key)).catch(() => undefined);
    throw err;
  }
}

/** Pieces written to a put's stream before waiting for R2 to take the first: reading overlaps writing. */
const PIECES_IN_FLIGHT = 2;

/** Size of the pieces a put is written in: big enough that per-piece costs (a JS await, a write) vanish. */
const PIECE_BYTES = 1024 * 1024;

/**
 * Known length: one streaming put through a FixedLengthStream, the next piece read while R2 takes
 * the previous ones. A write resolves once the stream has consumed it, and only then is its
 * memory filled again, so PIECES_IN_FLIGHT + 1 piece buffers are all the copy allocates, whatever
 * the size. If the body ends early or runs long the stream is aborted, which makes R2 reject the
 * put, so no short object ever exists.
 */
export async function putKnownLength(target: UploadTarget, body: MeteredBody, length: number): Promise<R2Object> {
  const { bucket, key, contentType, signal } = target;
  const fixed = new FixedLengthStream(length);
  const writer = fixed.writable.getWriter();
  const put = bucket.put(key, fixed.readable, { httpMetadata: { contentType } });
  put.catch(() => undefined); // observed below; this only stops an early rejection counting as unhandled
  const writes: Promise<void>[] = [];
  const free: ArrayBufferLike[] = [];

  try {
    for (;;) {
      const piece = await body.readInto(new Uint8Array(free.pop() ?? new ArrayBuffer(PIECE_BYTES)));
      if (piece.byteLength === 0) break;
      if (body.bytes > length)
        throw new CopyFailure("truncated", true, `output is longer than its Content-Length ${length}`);
      if (writes.length >= PIECES_IN_FLIGHT) await storage(writes.shift()!, signal, "put");
      const write = writer.write(piece).then(() => void free.push(piece.buffer));
      write.catch(() => undefined); // awaited in turn above or below
      writes.push(write);
    }
    if (body.bytes < length) {
      throw new CopyFailure("truncated", true, `output ended after ${body.bytes} of ${length} bytes`);
    }
    for (const write of writes) await storage(write, signal, "put");
    await storage(writer.close(), signal, "put");
  } catch (err) {
    writer.abort(err).catch(() => undefined);
    const stored = await put.then(
      () => true,
      () => false,
    );
    // R2 should have refused the aborted stream; if it did not, remove whatever it kept.
    if (stored) await bucket.delete(key).catch(() => undefined);
    throw err;
  }
  return commit(put, target, "put");
}

/** Parts uploading at once while the next one fills: memory stays at (this + 1) part buffers. */
export const PARTS_IN_FLIGHT = 2;

/**
 * Unknown length: multipart upload in equal parts of `partSize` (R2 requires that), last one
 * smaller, up to PARTS_IN_FLIGHT of them uploading while the next fills, each in a buffer that is
 * filled again only once its upload has finished (so the buffers are all the memory it needs). A
 * body that ends within the first part is stored with a single put instead, because R2 refuses
 * multipart objects smaller than one minimum part.
 * `beforeCommit` runs once the whole body is read and may throw to abandon the upload.
 */
export async function putUnknownLength(
  target: UploadTarget,
  body: MeteredBody,
  partSize: number,
  beforeCommit: () => void,
): Promise<R2Object> {
  const { bucket, key, contentType, signal, customMetadata = {} } = target;
  let upload: R2MultipartUpload | null = null;
  let creating: Promise<R2MultipartUpload> | null = null;
  const parts: Promise<R2UploadedPart>[] = [];
  const idle: Uint8Array[] = [];
  let buffer: Uint8Array = new Uint8Array(partSize);
  let filled = 0;

  const send = async (bytes: Uint8Array): Promise<void> => {
    creating ??= bucket.createMultipartUpload(key, { httpMetadata: { contentType }, customMetadata });
    upload ??= await storage(creating, signal, "createMultipartUpload");
    if (parts.length >= PARTS_IN_FLIGHT) await parts[parts.length - PARTS_IN_FLIGHT];
    const sending = upload.uploadPart(parts.length + 1, bytes);
    const part = storage(sending, signal, "uploadPart");
    part.catch(() => undefined); // observed when awaited below; this only stops it counting as unhandled meanwhile
    parts.push(part);
    // the buffer is free again once R2 has the part (not before: the runtime may still read it)
    if (bytes.byteLength === partSize) void sending.then(() => idle.push(bytes)).catch(() => undefined);
  };

  try {
    // the runtime reads straight into the part buffer: no piece is copied and none left as garbage
    for (;;) {
      const read = await body.readInto(buffer.subarray(filled));
      buffer = new Uint8Array(read.buffer); // the read transferred the buffer's memory; this is it
      filled += read.byteLength;
      if (read.byteLength === 0) break;
      if (filled < partSize) continue;
      await send(buffer);
      buffer = idle.pop() ?? new Uint8Array(partSize);
      filled = 0;
    }
    beforeCommit();
    if (upload === null && creating === null) {
      // Small enough to hold, so the hash is known up front: R2 verifies it and keeps it.
      const sha256 = await body.sha256Hex();
      const options: R2PutOptions = {
        httpMetadata: { contentType },
        sha256,
        customMetadata: { ...customMetadata, sha256 },
      };
      return await commit(bucket.put(key, buffer.subarray(0, filled), options), target, "put");
    }
    if (filled > 0) await send(buffer.subarray(0, filled));
    const uploaded = await Promise.all(parts);
    return await commit((upload as R2MultipartUpload | null)!.complete(uploaded), target, "completeMultipartUpload");
  } catch (err) {
    const started = upload as R2MultipartUpload | null;
    if (started !== null) await started.abort().catch(() => undefined);
    // the deadline or a cancel came while the upload was being created: abort it once it exists
    else if (creating !== null)
      void (creating as Promise<R2MultipartUpload>).then((late) => late.abort()).catch(() => undefined);
    throw err;
  }
}
