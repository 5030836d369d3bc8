// copyToR2: streaming provider outputs into R2 and every way that can fail.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { copyToR2 } from "../../src/media/copy.ts";
import { known, request, SRC } from "./copy-support.ts";
import {
  chunkedStream,
  gzip,
  MiB,
  patternBytes,
  sameBytes,
  sha256Hex,
  stallingStream,
  storedBytes,
  stubFetch,
} from "./helpers.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("copyToR2 with a known length", () => {
  it("stores exactly the source bytes and reports their sha256", async () => {
    const bytes = patternBytes(300_000);
    const fetches = stubFetch({ [SRC]: () => known(bytes) });
    const result = await copyToR2(request("known/0.mp4", { expectedSize: bytes.byteLength }));

    const head = await env.MEDIA.head("known/0.mp4");
    expect(result).toEqual({
      ok: true,
      size: 300_000,
      sha256: await sha256Hex(bytes),
      contentType: "video/mp4",
      etag: head?.etag,
    });
    expect(sameBytes(await storedBytes(env.MEDIA, "known/0.mp4"), bytes)).toBe(true);
    expect(head?.httpMetadata?.contentType).toBe("video/mp4");
    const sent = fetches.seen[0];
    expect(sent?.headers.get("Accept-Encoding")).toBe("identity");
    expect(sent?.redirect).toBe("manual");
  });

  it("leaves no object when the body is shorter than Content-Length", async () => {
    const bytes = patternBytes(50_000);
    stubFetch({
      [SRC]: () =>
        new Response(chunkedStream(bytes.slice(0, 30_000)), {
          headers: { "Content-Length": "50000", "Content-Type": "video/mp4" },
        }),
    });
    const result = await copyToR2(request("short/0.mp4"));
    expect(result).toMatchObject({ ok: false, retryable: true, code: "truncated" });
    expect(await env.MEDIA.head("short/0.mp4")).toBeNull();
  });

  it("leaves no object when the body is longer than Content-Length", async () => {
    const bytes = patternBytes(50_000);
    stubFetch({
      [SRC]: () =>
        new Response(chunkedStream(bytes, 4096), {
          headers: { "Content-Length": "20000", "Content-Type": "video/mp4" },
        }),
    });
    const result = await copyToR2(request("long/0.mp4"));
    expect(result).toMatchObject({ ok: false, retryable: true, code: "truncated" });
    expect(await env.MEDIA.head("long/0.mp4")).toBeNull();
  });

  it("leaves no object when the download breaks off mid-body", async () => {
    let sent = false;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new TypeError("Network connection lost."));
        sent = true;
        controller.enqueue(patternBytes(10_000));
      },
    });
    stubFetch({ [SRC]: () => new Response(broken, { headers: { "Content-Length": "40000" } }) });
    const result = await copyToR2(request("broken/0.mp4"));
    expect(result).toMatchObject({ ok: false, retryable: true, code: "truncated" });
    expect(await env.MEDIA.head("broken/0.mp4")).toBeNull();
  });
});

describe("copyToR2 with an unknown length", () => {
  it("stores a body larger than two parts via multipart, byte for byte", async () => {
    const bytes = patternBytes(12 * MiB + 12_345, 7);
    stubFetch({ [SRC]: () => new Response(chunkedStream(bytes), { headers: { "Content-Type": "video/mp4" } }) });
    const multipart = vi.spyOn(env.MEDIA, "createMultipartUpload");

    const result = await copyToR2(request("multi/0.mp4", { expectedSize: bytes.byteLength }));

    expect(result).toMatchObject({
      ok: true,
      size: bytes.byteLength,
      sha256: await sha256Hex(bytes),
      contentType: "video/mp4",
    });
    expect(multipart).toHaveBeenCalledTimes(1);
    const stored = await storedBytes(env.MEDIA, "multi/0.mp4");
    expect(stored?.byteLength).toBe(bytes.byteLength);
    expect(sameBytes(stored, bytes)).toBe(true);
    expect((await env.MEDIA.head("multi/0.mp4"))?.httpMetadata?.contentType).toBe("video/mp4");
  });

  it("stores a body smaller than one part with a single put that carries the sha256", async () => {
    const bytes = patternBytes(200_000, 3);
    stubFetch({ [SRC]: () => new Response(chunkedStream(bytes), { headers: { "Content-Type": "image/png" } }) });
    const result = await copyToR2(request("small/0.png"));
    const sha256 = await sha256Hex(bytes);
    expect(result).toMatchObject({ ok: true, size: 200_000, sha256, contentType: "image/png" });
    expect(sameBytes(await storedBytes(env.MEDIA, "small/0.png"), bytes)).toBe(true);
    expect((await env.MEDIA.head("small/0.png"))?.customMetadata?.sha256).toBe(sha256);
  });

  it("stores the decompressed bytes of a gzip response (Content-Length is the compressed size)", async () => {
    const plain = new TextEncoder().encode("frame ".repeat(50_000));
    const compressed = await gzip(plain);
    expect(compressed.byteLength).toBeLessThan(plain.byteLength);
    // what workerd hands us: the body already inflated, the original headers kept
    stubFetch({
      [SRC]: () =>
        new Response(chunkedStream(plain), {
          headers: {
            "Content-Encoding": "gzip",
            "Content-Length": String(compressed.byteLength),
            "Content-Type": "image/webp",
          },
        }),
    });
    const result = await copyToR2(request("gzip/0.webp", { expectedSize: plain.byteLength }));
    expect(result).toMatchObject({ ok: true, size: plain.byteLength, sha256: await sha256Hex(plain) });
    expect(sameBytes(await storedBytes(env.MEDIA, "gzip/0.webp"), plain)).toBe(true);
  });
});

describe("copyToR2 failures", () => {
  it.each([404, 410, 403])("%i means the output is gone for good", async (status) => {
    stubFetch({ [SRC]: () => new Response("expired", { status }) });
    const result = await copyToR2(request(`gone/${status}.mp4`));
    expect(result).toMatchObject({ ok: false, retryable: false, code: "output_unavailable" });
    expect(await env.MEDIA.head(`gone/${status}.mp4`)).toBeNull();
  });

  it.each([500, 503, 429])("%i is retryable", async (status) => {
    stubFetch({ [SRC]: () => new Response("busy", { status }) });
    expect(await copyToR2(request("busy/0.mp4"))).toMatchObject({
      ok: false,
      retryable: true,
      code: "output_fetch_failed",
    });
  });

  it("a network error is retryable and the message does not leak the URL's token", async () => {
    stubFetch({});
    const result = await copyToR2(request("net/0.mp4"));
    expect(result).toMatchObject({ ok: false, retryable: true, code: "output_fetch_failed" });
    expect(JSON.stringify(result)).not.toContain("secret-token");
  });

  it("follows redirects it may follow, including relative ones", async () => {
    const bytes = patternBytes(1000);
    const hop = "https://cdn2.provider.example/a/b.mp4";
    const fetches = stubFetch({
      [SRC]: () => new Response(null, { status: 302, headers: { Location: hop } }),
      [hop]: () => new Response(null, { status: 307, headers: { Location: "../final.mp4?sig=1" } }),
      "https://cdn2.provider.example/final.mp4?sig=1": () => known(bytes),
    });
    const result = await copyToR2(request("redir/0.mp4"));
    expect(result).toMatchObject({ ok: true, size: 1000 });
    expect(fetches.urls()).toEqual([SRC, hop, "https://cdn2.provider.example/final.mp4?sig=1"]);
  });

  it.each([
    "http://10.0.0.1/",
    "https://10.0.0.1/x.mp4",
    "https://[::1]/x.mp4",
    "https://2130706433/x.mp4",
    "https://metadata.internal/x",
  ])("refuses a redirect to %s without fetching it", async (target) => {
    const fetches = stubFetch({
      [SRC]: () => new Response(null, { status: 302, headers: { Location: target } }),
      [new URL(target).href]: () => known(patternBytes(10)),
    });
    const result = await copyToR2(request("unsafe/0.mp4"));
    expect(result).toMatchObject({ ok: false, retryable: false, code: "unsafe_url" });
    expect(fetches.urls()).toEqual([SRC]);
    expect(await env.MEDIA.head("unsafe/0.mp4")).toBeNull();
  });

  it("refuses an unsafe starting URL without fetching anything", async () => {
    const fetches = stubFetch({});
    const result = await copyToR2(request("unsafe/1.mp4", { url: "http://169.254.169.254/latest" }));
    expect(result).toMatchObject({ ok: false, retryable: false, code: "unsafe_url" });
    expect(fetches.spy).not.toHaveBeenCalled();
  });

  it("gives up after three redirects", async () => {
    const hops = [SRC, "https://a.example/1", "https://a.example/2", "https://a.example/3", "https://a.example/4"];
    const routes = Object.fromEntries(
      hops
        .slice(0, -1)
        .map((url, i) => [url, () => new Response(null, { status: 301, headers: { Location: hops[i + 1] ?? "" } })]),
    );
    const fetches = stubFetch({ ...routes, "https://a.example/4": () => known(patternBytes(10)) });
    const result = await copyToR2(request("loop/0.mp4"));
    expect(result).toMatchObject({ ok: false, retryable: false, code: "too_many_redirects" });
    expect(fetches.urls()).toEqual(hops.slice(0, 4));
  });

  it("too_large from Content-Length: nothing is read or stored", async () => {
    stubFetch({ [SRC]: () => known(patternBytes(5000)) });
    const result = await copyToR2(request("big/0.mp4", { maxBytes: 4096 }));
    expect(result).toMatchObject({ ok: false, retryable: false, code: "too_large" });
    expect(await env.MEDIA.head("big/0.mp4")).toBeNull();
  });

  it("too_large while streaming an unknown length: multipart is abandoned, nothing stored", async () => {
    const bytes = patternBytes(11 * MiB, 5);
    stubFetch({ [SRC]: () => new Response(chunkedStream(bytes)) });
    const create = vi.spyOn(env.MEDIA, "createMultipartUpload");
    const result = await copyToR2(request("big/1.mp4", { maxBytes: 8 * MiB }));
    expect(result).toMatchObject({ ok: false, retryable: false, code: "too_large" });
    expect(await env.MEDIA.head("big/1.mp4")).toBeNull();
    // the upload was started (one 5 MiB part fitted under the limit) and then aborted
    expect(create).toHaveBeenCalledTimes(1);
    const upload = await create.mock.results[0]?.value;
    const resumed = env.MEDIA.resumeMultipartUpload("big/1.mp4", upload.uploadId);
    await expect(resumed.uploadPart(1, new Uint8Array(10))).rejects.toThrow();
  });

  it.each([
    ["a known length", (b: Uint8Array) => known(b)],
    ["an unknown length", (b: Uint8Array) => new Response(chunkedStream(b))],
    ["a multipart length", (b: Uint8Array) => new Response(chunkedStream(b))],
  ])("size_mismatch with %s leaves no object", async (label, respond) => {
    const bytes = patternBytes(label === "a multipart length" ? 6 * MiB : 4000);
    stubFetch({ [SRC]: () => respond(bytes) });
    const key = `mismatch/${label.replace(/ /g, "-")}.mp4`;
    const result = await copyToR2(request(key, { expectedSize: bytes.byteLength + 1 }));
    expect(result).toMatchObject({ ok: false, retryable: true, code: "size_mismatch" });
    expect(await env.MEDIA.head(key)).toBeNull();
  });

  it("times out when the body stalls, and stores nothing", async () => {
    stubFetch({ [SRC]: () => new Response(stallingStream(patternBytes(1000))) });
    const started = Date.now();
    const result = await copyToR2(request("stall/0.mp4", { timeoutMs: 200 }));
    expect(result).toMatchObject({ ok: false, retryable: true, code: "timeout" });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await env.MEDIA.head("stall/0.mp4")).toBeNull();
  });
});
