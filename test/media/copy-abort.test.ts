// copyToR2 abandoned by its caller's signal (the job was canceled): it ends at once, and
// nothing it wrote stays in R2, not even a write R2 completes after the copy gave up.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type CopyRequest, copyToR2 } from "../../src/media/copy.ts";
import { MiB, patternBytes, stallingStream, stubFetch } from "./helpers.ts";

const SRC = "https://cdn.provider.example/out/0.mp4?token=secret-token";

function request(key: string, signal: AbortSignal): CopyRequest {
  return {
    bucket: env.MEDIA,
    url: SRC,
    key,
    maxBytes: 64 * MiB,
    timeoutMs: 60_000,
    urlPolicy: { allowLoopbackHttp: false },
    partSize: 5 * MiB,
    signal,
  };
}

/** `bytes` in 1 MiB chunks, then a body that never ends (a download hanging mid-way). */
function thenStall(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) return new Promise<void>(() => undefined);
      controller.enqueue(bytes.slice(offset, offset + MiB));
      offset += MiB;
      return undefined;
    },
  });
}

/** A promise the test opens. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

const ABORTED = {
  ok: false,
  retryable: true,
  code: "aborted",
  message: "the copy was abandoned because the job was canceled",
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe("copyToR2 abandoned by its signal", () => {
  it("mid-download with a known length: ends at once, the download's own signal aborted, no object", async () => {
    const fetches = stubFetch({
      [SRC]: () => new Response(stallingStream(patternBytes(20_000)), { headers: { "Content-Length": "50000" } }),
    });
    const controller = new AbortController();
    const copying = copyToR2(request("abort/known.mp4", controller.signal));
    await vi.waitFor(() => expect(fetches.seen).toHaveLength(1));
    controller.abort();
    expect(await copying).toEqual(ABORTED);
    expect(fetches.seen[0]!.signal.aborted).toBe(true);
    expect(await env.MEDIA.head("abort/known.mp4")).toBeNull();
  });

  it("during a multipart upload: the upload is aborted, nothing stored", async () => {
    stubFetch({ [SRC]: () => new Response(thenStall(patternBytes(6 * MiB, 3))) });
    const create = vi.spyOn(env.MEDIA, "createMultipartUpload");
    const controller = new AbortController();
    const copying = copyToR2(request("abort/multi.mp4", controller.signal));
    // the first 5 MiB part is on its way before the body hangs
    await vi.waitFor(() => expect(create).toHaveBeenCalledTimes(1));
    const upload = (await create.mock.results[0]!.value) as R2MultipartUpload;
    controller.abort();
    expect(await copying).toEqual(ABORTED);
    expect(await env.MEDIA.head("abort/multi.mp4")).toBeNull();
    await expect(
      env.MEDIA.resumeMultipartUpload("abort/multi.mp4", upload.uploadId).uploadPart(2, new Uint8Array(10)),
    ).rejects.toThrow();
  });

  it("while R2 is still creating the multipart upload: the upload is aborted once it exists", async () => {
    stubFetch({ [SRC]: () => new Response(thenStall(patternBytes(6 * MiB, 4))) });
    const real = env.MEDIA.createMultipartUpload.bind(env.MEDIA);
    const slow = gate();
    const created: R2MultipartUpload[] = [];
    vi.spyOn(env.MEDIA, "createMultipartUpload").mockImplementation(async (key, options) => {
      await slow.wait;
      const upload = await real(key, options);
      created.push(upload);
      return upload;
    });
    const controller = new AbortController();
    const copying = copyToR2(request("abort/creating.mp4", controller.signal));
    await vi.waitFor(() => expect(env.MEDIA.createMultipartUpload).toHaveBeenCalledTimes(1));
    controller.abort();
    expect(await copying).toEqual(ABORTED);
    slow.open();
    await vi.waitFor(() => expect(created).toHaveLength(1));
    await vi.waitFor(async () => {
      await expect(
        env.MEDIA.resumeMultipartUpload("abort/creating.mp4", created[0]!.uploadId).uploadPart(1, new Uint8Array(10)),
      ).rejects.toThrow();
    });
  });

  it("while R2 finishes the put: the object that lands after the copy gave up is removed", async () => {
    const bytes = patternBytes(40_000, 7);
    stubFetch({ [SRC]: () => new Response(new Blob([bytes]).stream()) });
    const real = env.MEDIA.put.bind(env.MEDIA);
    const slow = gate();
    let stored = false;
    vi.spyOn(env.MEDIA, "put").mockImplementation(async (key, value, options) => {
      const object = await real(key, value, options);
      stored = true;
      await slow.wait;
      return object;
    });
    const controller = new AbortController();
    const copying = copyToR2(request("abort/late.mp4", controller.signal));
    await vi.waitFor(() => expect(stored).toBe(true));
    controller.abort();
    expect(await copying).toEqual(ABORTED);
    expect(await env.MEDIA.head("abort/late.mp4")).not.toBeNull();
    slow.open();
    await vi.waitFor(async () => expect(await env.MEDIA.head("abort/late.mp4")).toBeNull());
  });
});
