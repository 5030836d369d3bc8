// The `file` field's 100 MiB limit on a streamed body: a file at the limit is stored whole (read
// as it arrives, through R2 multipart parts), one past it is cut off soon after the limit with 413
// and nothing kept, and a declared Content-Length over it is refused before the body is read.
import { env } from "cloudflare:test";
import { describe, expect } from "vitest";
import { MAX_FILE_BYTES } from "../../../src/schemas/upload-spec.ts";
import { it } from "../../support/fixture.ts";
import { MP4, postUpload, storedUploads, streamedFile } from "./media.ts";
import { MiB, problem } from "./support.ts";

describe("POST /v1/uploads, field `file`, at and over 100 MiB", () => {
  it("a file of exactly 100 MiB, streamed without Content-Length, is stored whole with its sha256", {
    timeout: 180_000,
  }, async () => {
    const up = streamedFile(MAX_FILE_BYTES, MP4);
    const res = await postUpload(up.body, undefined, { "Content-Type": up.contentType });
    expect(res.status, await res.clone().text()).toBe(201);
    const stored = (await res.json()) as { id: string; url: string; size: number; sha256: string; kind: string };
    expect(stored).toMatchObject({ kind: "video", size: MAX_FILE_BYTES, sha256: await up.sha256() });
    const object = await env.MEDIA.head(new URL(stored.url).pathname.slice("/media/".length));
    expect(object?.size).toBe(MAX_FILE_BYTES);
    expect(object?.httpMetadata?.contentType).toBe("video/mp4");
    await env.MEDIA.delete(object!.key);
  });

  it("one byte over is 413 naming `file`, the body stops being read soon after the limit, and nothing is kept", {
    timeout: 180_000,
  }, async () => {
    const before = await storedUploads();
    const up = streamedFile(MAX_FILE_BYTES + 1, MP4);
    const res = await postUpload(up.body, undefined, { "Content-Type": up.contentType });
    expect(res.status).toBe(413);
    const body = await problem(res);
    expect(body.code).toBe("payload_too_large");
    expect(body.errors).toEqual([{ path: "file", message: expect.stringMatching(/100 MiB/) }]);
    expect(up.pulled()).toBeLessThan(MAX_FILE_BYTES + 4 * MiB);
    expect(await storedUploads()).toEqual(before);
    // no multipart upload was left open either
    const listed = await env.MEDIA.list({ prefix: "uploads/", include: ["customMetadata"] });
    expect(listed.objects.map((o) => o.key)).toEqual(before);
  });

  it("a declared Content-Length over the limit is 413 before the file is read", async () => {
    const up = streamedFile(200 * MiB, MP4);
    const res = await postUpload(up.body, undefined, {
      "Content-Type": up.contentType,
      "Content-Length": String(200 * MiB + 300),
    });
    expect(res.status).toBe(413);
    expect((await problem(res)).errors?.[0]?.path).toBe("file");
    // the part's head and at most the chunks the stream queued on its own
    expect(up.pulled()).toBeLessThanOrEqual(3 * MiB);
  });
});
