// copyToR2's content type and stored extension (split from copy.test.ts).
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { copyToR2, extensionFor } from "../../src/media/copy.ts";
import { request, SRC } from "./copy-support.ts";
import { patternBytes, stubFetch } from "./helpers.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("content type and extension", () => {
  it("uses the response type for images/videos, else the provider's hint, else octet-stream", async () => {
    const cases: [Record<string, string>, string | undefined, string][] = [
      [{ "Content-Type": "image/PNG; charset=binary" }, "image/jpeg", "image/png"],
      [{ "Content-Type": "application/octet-stream" }, "video/mp4", "video/mp4"],
      [{}, undefined, "application/octet-stream"],
    ];
    for (const [i, [headers, hint, expected]] of cases.entries()) {
      stubFetch({ [SRC]: () => new Response(patternBytes(10), { headers: { "Content-Length": "10", ...headers } }) });
      const result = await copyToR2(request(`ct/${i}`, hint === undefined ? {} : { contentTypeHint: hint }));
      expect(result).toMatchObject({ ok: true, contentType: expected });
      expect((await env.MEDIA.head(`ct/${i}`))?.httpMetadata?.contentType).toBe(expected);
      vi.restoreAllMocks();
    }
  });

  it.each([
    ["video/mp4", "mp4"],
    ["image/png", "png"],
    ["image/jpeg", "jpg"],
    ["image/webp", "webp"],
    ["video/webm", "webm"],
    ["video/quicktime", "mov"],
    ["image/gif", "bin"],
    ["application/octet-stream", "bin"],
  ])("extensionFor(%s) is %s", (type, ext) => {
    expect(extensionFor(type)).toBe(ext);
  });
});
