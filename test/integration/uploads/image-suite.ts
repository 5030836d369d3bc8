// The `image` field's behaviour, wherever the route is mounted: one image, checked by its bytes
// and size before anything is sent, forwarded to WeShop with the raw key, answered with the URL
// WeShop serves it at; provider faults map to 502/504.
import { expect, it } from "vitest";
import { MAX_IMAGE_BYTES } from "../../../src/schemas/upload-spec.ts";
import { SIM_ORIGIN, TEST_BINDINGS } from "../../support/bindings.ts";
import type { Harness } from "../../support/harness.ts";
import {
  type Call,
  file,
  form,
  JPEG_HEAD,
  MiB,
  PNG,
  pngOfSize,
  problem,
  streamedUpload,
  WEBP_HEAD,
  WESHOP_KEY,
} from "./support.ts";

/** Every assertion that holds wherever the route is mounted; `harness` is the running test's. */
export function uploadSuite(call: () => Call, harness: () => Harness) {
  const uploads = () => harness().sim.requests.filter((r) => r.target === "weshop.upload");
  it("a PNG is forwarded once with the raw key and comes back as a URL serving the same bytes", async () => {
    const res = await call()("/v1/uploads", { body: form([["image", file(PNG, "pixel.png")]]) });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(text).not.toContain(WESHOP_KEY);
    const { url } = JSON.parse(text) as { url: string };
    expect(Object.keys(JSON.parse(text) as object)).toEqual(["url"]);
    expect(url.startsWith(`${SIM_ORIGIN}/files/assets/`)).toBe(true);

    // exactly one provider request, and it was the upload
    expect(harness().sim.requests).toHaveLength(1);
    const seen = uploads();
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req!.method).toBe("POST");
    expect(req!.path).toBe("/weshop/openapi/agent/assets/images");
    expect(req!.headers.authorization).toBe(WESHOP_KEY);
    expect(req!.headers["content-type"]).toMatch(/^multipart\/form-data; ?boundary=/);
    const parts = req!.body.split(/\r\n--[^\r\n]+/).filter((p) => p.includes("Content-Disposition"));
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatch(/Content-Disposition: form-data; name="image"; filename="pixel.png"/);
    expect(parts[0]).toMatch(/Content-Type: image\/png/);
    expect(harness().outbound).toEqual([]);

    const served = await harness().sim.fetch(new Request(url));
    expect(served.status).toBe(200);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);
  });

  it("the type sent on is the one the bytes say, not the client's claim; the filename is kept", async () => {
    const jpeg = new Uint8Array(256);
    jpeg.set(JPEG_HEAD);
    const res = await call()("/v1/uploads", {
      body: form([["image", file(jpeg, "photo.bin", "application/octet-stream")]]),
    });
    expect(res.status).toBe(201);
    const [req] = uploads();
    expect(req!.body).toMatch(/name="image"; filename="photo.bin"\r\nContent-Type: image\/jpeg\r\n/);
    const { url } = (await res.json()) as { url: string };
    expect(url).toMatch(/\.jpg$/);
  });

  it("WebP is accepted", async () => {
    const webp = new Uint8Array(64);
    webp.set(WEBP_HEAD);
    const res = await call()("/v1/uploads", { body: form([["image", file(webp, "a.webp", "image/webp")]]) });
    expect(res.status).toBe(201);
    expect(uploads()[0]!.body).toMatch(/Content-Type: image\/webp/);
  });

  it("a 2 MiB image is not held to the 1 MB JSON body limit", async () => {
    const res = await call()("/v1/uploads", { body: form([["image", file(pngOfSize(2 * MiB), "two.png")]]) });
    expect(res.status, await res.clone().text()).toBe(201);
    const { url } = (await res.json()) as { url: string };
    const served = await harness().sim.fetch(new Request(url));
    expect((await served.arrayBuffer()).byteLength).toBe(2 * MiB);
  });

  it("401 without a key, nothing sent", async () => {
    const res = await call()("/v1/uploads", { key: null, body: form([["image", file(PNG, "pixel.png")]]) });
    expect(res.status).toBe(401);
    expect((await problem(res)).code).toBe("unauthorized");
    expect(harness().sim.requests).toEqual([]);
  });

  it("a body that is not multipart is 415", async () => {
    const res = await call()("/v1/uploads", {
      body: JSON.stringify({ image: "x" }),
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(415);
    const body = await problem(res);
    expect(body.code).toBe("unsupported_media_type");
    expect(body.detail).toMatch(/multipart\/form-data.*`image`/);
    const raw = await call()("/v1/uploads", { body: PNG, headers: { "Content-Type": "image/png" } });
    expect(raw.status).toBe(415);
    expect(harness().sim.requests).toEqual([]);
  });

  it("a missing image field is 400 naming `image`", async () => {
    const res = await call()("/v1/uploads", { body: form([]) });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.code).toBe("validation_failed");
    expect(body.errors).toEqual([{ path: "image", message: expect.stringMatching(/required/) }]);
    expect(harness().sim.requests).toEqual([]);
  });

  it("a file under another name is 400 naming both the stray field and the missing `image`", async () => {
    const res = await call()("/v1/uploads", { body: form([["picture", file(PNG, "pixel.png")]]) });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.errors?.map((e) => e.path).sort()).toEqual(["image", "picture"]);
    expect(harness().sim.requests).toEqual([]);
  });

  it("extra fields next to the image are 400 naming them", async () => {
    const res = await call()("/v1/uploads", {
      body: form([
        ["image", file(PNG, "pixel.png")],
        ["caption", "hello"],
        ["alt", "x"],
      ]),
    });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.errors?.map((e) => e.path).sort()).toEqual(["alt", "caption"]);
    expect(harness().sim.requests).toEqual([]);
  });

  it("`image` as a text value, twice, or empty is 400", async () => {
    const text = await call()("/v1/uploads", { body: form([["image", "https://example.com/a.png"]]) });
    expect(text.status).toBe(400);
    expect((await problem(text)).errors).toEqual([{ path: "image", message: "must be a file, not a text value" }]);
    const twice = await call()("/v1/uploads", {
      body: form([
        ["image", file(PNG, "a.png")],
        ["image", file(PNG, "b.png")],
      ]),
    });
    expect(twice.status).toBe(400);
    expect((await problem(twice)).errors).toEqual([{ path: "image", message: "must be sent once; got 2" }]);
    const empty = await call()("/v1/uploads", { body: form([["image", file(new Uint8Array(0), "empty.png")]]) });
    expect(empty.status).toBe(400);
    expect((await problem(empty)).errors).toEqual([{ path: "image", message: "is empty" }]);
    expect(harness().sim.requests).toEqual([]);
  });

  it("a text file named x.png is 415 naming `image`: the bytes decide, not the name or declared type", async () => {
    const res = await call()("/v1/uploads", {
      body: form([["image", file(new TextEncoder().encode("hello, I am not a picture"), "x.png", "image/png")]]),
    });
    expect(res.status).toBe(415);
    const body = await problem(res);
    expect(body.code).toBe("unsupported_media_type");
    expect(body.errors).toEqual([{ path: "image", message: expect.stringMatching(/PNG, JPEG or WebP/) }]);
    const gif = await call()("/v1/uploads", {
      body: form([["image", file(new TextEncoder().encode("GIF89a......"), "a.gif", "image/gif")]]),
    });
    expect(gif.status).toBe(415);
    expect(harness().sim.requests).toEqual([]);
  });

  it("an image over 10 MiB is 413 naming `image`, and nothing reaches the provider", async () => {
    const res = await call()("/v1/uploads", {
      body: form([["image", file(pngOfSize(MAX_IMAGE_BYTES + 1), "big.png")]]),
    });
    expect(res.status).toBe(413);
    const body = await problem(res);
    expect(body.code).toBe("payload_too_large");
    expect(body.errors).toEqual([{ path: "image", message: expect.stringMatching(/10 MiB/) }]);
    // exactly at the limit is fine
    const edge = await call()("/v1/uploads", { body: form([["image", file(pngOfSize(MAX_IMAGE_BYTES), "edge.png")]]) });
    expect(edge.status).toBe(201);
    expect(uploads()).toHaveLength(1);
  });

  it("a streamed body without Content-Length is cut off at the limit with 413", async () => {
    const up = streamedUpload(20 * MiB);
    const res = await call()("/v1/uploads", { body: up.body, headers: { "Content-Type": up.contentType } });
    expect(res.status).toBe(413);
    expect((await problem(res)).errors?.[0]?.path).toBe("image");
    expect(harness().sim.requests).toEqual([]);
  });

  it("provider 5xx is 502 provider_error; nothing about the key leaks", async () => {
    harness().sim.inject({ target: "weshop.upload", kind: "http503" });
    const res = await call()("/v1/uploads", { body: form([["image", file(PNG, "pixel.png")]]) });
    expect(res.status).toBe(502);
    const body = await problem(res);
    expect(body.code).toBe("provider_error");
    expect(body.detail).toMatch(/HTTP 503/);
    expect(uploads()).toHaveLength(1);
  });

  it("a provider that hangs is 504 provider_unavailable after the provider timeout", async () => {
    harness().sim.inject({ target: "weshop.upload", kind: "hang" });
    const started = Date.now();
    const res = await call()("/v1/uploads", { body: form([["image", file(PNG, "pixel.png")]]) });
    expect(res.status).toBe(504);
    expect((await problem(res)).code).toBe("provider_unavailable");
    expect(Date.now() - started).toBeGreaterThanOrEqual(Number(TEST_BINDINGS.PROVIDER_TIMEOUT_MS) - 20);
  });

  it("a final provider error is 502 with the provider's code and message", async () => {
    harness().sim.inject({ target: "weshop.upload", kind: "error_final" });
    const res = await call()("/v1/uploads", { body: form([["image", file(PNG, "pixel.png")]]) });
    expect(res.status).toBe(502);
    const body = await problem(res);
    expect(body.code).toBe("provider_error");
    expect(body.detail).toContain("INSUFFICIENT_POWER");
    expect(body.detail).toContain("Insufficient power balance");
  });

  it("malformed JSON is 502; a rate limit is 502 with Retry-After", async () => {
    harness().sim.inject({ target: "weshop.upload", kind: "malformed_json" });
    const bad = await call()("/v1/uploads", { body: form([["image", file(PNG, "pixel.png")]]) });
    expect(bad.status).toBe(502);
    expect((await problem(bad)).code).toBe("provider_error");
    harness().sim.inject({ target: "weshop.upload", kind: "rate_limit", retryAfter: 7 });
    const limited = await call()("/v1/uploads", { body: form([["image", file(PNG, "pixel.png")]]) });
    expect(limited.status).toBe(502);
    expect(limited.headers.get("Retry-After")).toBe("7");
    expect((await problem(limited)).detail).toContain("RATE_LIMITED");
  });
}
