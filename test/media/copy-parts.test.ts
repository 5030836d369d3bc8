// copyToR2's upload paths for large outputs: a known length streamed into one put, and an unknown
// length sent as parts that upload while the next one fills, with a bounded number in flight.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type CopyRequest, copyToR2 } from "../../src/media/copy.ts";
import { PARTS_IN_FLIGHT } from "../../src/media/r2-upload.ts";
import { chunkedStream, MiB, patternBytes, sameBytes, sha256Hex, storedBytes, stubFetch } from "./helpers.ts";

const SRC = "https://cdn.provider.example/out/0.mp4?token=secret-token";

function request(key: string, extra: Partial<CopyRequest> = {}): CopyRequest {
  return {
    bucket: env.MEDIA,
    url: SRC,
    key,
    maxBytes: 64 * MiB,
    timeoutMs: 20_000,
    urlPolicy: { allowLoopbackHttp: false },
    partSize: 5 * MiB,
    ...extra,
  };
}

interface PartLog {
  calls: number[];
  maxInFlight: number;
  aborted: boolean;
}

/** Wraps each multipart upload so its parts can be watched, held back or failed. */
function watchParts(hold: (part: number, log: PartLog) => Promise<void> | undefined): PartLog {
  const log: PartLog = { calls: [], maxInFlight: 0, aborted: false };
  const original = env.MEDIA.createMultipartUpload.bind(env.MEDIA);
  let inFlight = 0;
  vi.spyOn(env.MEDIA, "createMultipartUpload").mockImplementation(async (key, options) => {
    const upload = await original(key, options);
    const watched = {
      key: upload.key,
      uploadId: upload.uploadId,
      async uploadPart(part: number, value: Uint8Array) {
        log.calls.push(part);
        inFlight++;
        log.maxInFlight = Math.max(log.maxInFlight, inFlight);
        try {
          await hold(part, log);
          return await upload.uploadPart(part, value);
        } finally {
          inFlight--;
        }
      },
      abort: () => {
        log.aborted = true;
        return upload.abort();
      },
      complete: (parts: R2UploadedPart[]) => upload.complete(parts),
    };
    return watched as unknown as R2MultipartUpload;
  });
  return log;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("copyToR2 multipart with parts in flight", () => {
  it("reads on while parts upload, never more than PARTS_IN_FLIGHT at once, and stores the bytes exactly", async () => {
    const bytes = patternBytes(23 * MiB + 4321, 11);
    stubFetch({
      [SRC]: () => new Response(chunkedStream(bytes, 300_001), { headers: { "Content-Type": "video/mp4" } }),
    });
    // part 1 is held until part 2 has been handed over: a copy that waited for each part would never finish
    let secondArrived!: () => void;
    const second = new Promise<void>((resolve) => (secondArrived = resolve));
    const log = watchParts((part) => {
      if (part === 2) secondArrived();
      return part === 1 ? second : undefined;
    });

    const result = await copyToR2(request("parts/0.mp4", { expectedSize: bytes.byteLength }));

    expect(result).toMatchObject({
      ok: true,
      size: bytes.byteLength,
      sha256: await sha256Hex(bytes),
      contentType: "video/mp4",
    });
    expect(log.calls).toEqual([1, 2, 3, 4, 5]);
    expect(log.maxInFlight).toBe(PARTS_IN_FLIGHT);
    // reused part buffers must not have been refilled while R2 still had them: every byte in place
    expect(sameBytes(await storedBytes(env.MEDIA, "parts/0.mp4"), bytes)).toBe(true);
  });

  it("a part that fails to upload abandons the whole upload: nothing stored, retryable", async () => {
    const bytes = patternBytes(16 * MiB, 12);
    stubFetch({ [SRC]: () => new Response(chunkedStream(bytes)) });
    const log = watchParts((part) => (part === 2 ? Promise.reject(new Error("R2 is down")) : undefined));

    const result = await copyToR2(request("parts/1.mp4"));

    expect(result).toMatchObject({ ok: false, retryable: true, code: "storage_failed" });
    expect(log.aborted).toBe(true);
    expect(await env.MEDIA.head("parts/1.mp4")).toBeNull();
  });

  it("over the byte limit mid-way with parts in flight: stops, aborts the upload, stores nothing", async () => {
    const bytes = patternBytes(21 * MiB, 13);
    stubFetch({ [SRC]: () => new Response(chunkedStream(bytes)) });
    const log = watchParts(() => undefined);

    const result = await copyToR2(request("parts/2.mp4", { maxBytes: 17 * MiB }));

    expect(result).toMatchObject({ ok: false, retryable: false, code: "too_large" });
    expect(log.calls.length).toBeGreaterThanOrEqual(1);
    expect(log.aborted).toBe(true);
    expect(await env.MEDIA.head("parts/2.mp4")).toBeNull();
  });
});

describe("copyToR2 with a known length, streamed", () => {
  it("reads a byte stream in big pieces and stores it byte for byte", async () => {
    const bytes = patternBytes(5 * MiB + 999, 16);
    let offset = 0;
    const byteStream = new ReadableStream({
      type: "bytes",
      pull(controller) {
        if (offset >= bytes.byteLength) return controller.close();
        const end = Math.min(bytes.byteLength, offset + 70_000);
        controller.enqueue(bytes.slice(offset, end));
        offset = end;
      },
    });
    stubFetch({
      [SRC]: () =>
        new Response(byteStream, {
          headers: { "Content-Length": String(bytes.byteLength), "Content-Type": "video/mp4" },
        }),
    });

    const result = await copyToR2(request("stream/2.mp4", { expectedSize: bytes.byteLength }));

    expect(result).toMatchObject({ ok: true, size: bytes.byteLength, sha256: await sha256Hex(bytes) });
    expect(sameBytes(await storedBytes(env.MEDIA, "stream/2.mp4"), bytes)).toBe(true);
  });

  it("pipes many small chunks into one put (no multipart), byte for byte", async () => {
    const bytes = patternBytes(3 * MiB + 17, 14);
    stubFetch({
      [SRC]: () =>
        new Response(chunkedStream(bytes, 1000), {
          headers: { "Content-Length": String(bytes.byteLength), "Content-Type": "video/mp4" },
        }),
    });
    const multipart = vi.spyOn(env.MEDIA, "createMultipartUpload");

    const result = await copyToR2(request("stream/0.mp4", { expectedSize: bytes.byteLength }));

    expect(result).toMatchObject({ ok: true, size: bytes.byteLength, sha256: await sha256Hex(bytes) });
    expect(multipart).not.toHaveBeenCalled();
    expect(sameBytes(await storedBytes(env.MEDIA, "stream/0.mp4"), bytes)).toBe(true);
  });

  it("a body running past the byte limit despite a smaller Content-Length is too_large and stores nothing", async () => {
    const bytes = patternBytes(200_000, 15);
    stubFetch({ [SRC]: () => new Response(chunkedStream(bytes, 4096), { headers: { "Content-Length": "100000" } }) });

    const result = await copyToR2(request("stream/1.mp4", { maxBytes: 150_000 }));

    expect(result).toMatchObject({ ok: false, retryable: false, code: "too_large" });
    expect(await env.MEDIA.head("stream/1.mp4")).toBeNull();
  });
});
