// The WeShop asset client under POST /v1/uploads (`image`): the request it sends, the answers it
// reads, and where it refuses to send the key.
import { describe, expect, it } from "vitest";
import type { FetchFn } from "../../../src/providers/http.ts";
import { uploadWeshopImage } from "../../../src/providers/weshop-assets.ts";
import { SIM_ORIGIN } from "../../support/bindings.ts";
import { PNG, WESHOP_KEY } from "./support.ts";

describe("uploadWeshopImage", () => {
  const endpoint = { baseUrl: `${SIM_ORIGIN}/weshop/openapi`, loopback: true, apiKey: WESHOP_KEY };
  const image = { bytes: PNG, filename: "pixel.png", contentType: "image/png" };
  const answering =
    (status: number, body: unknown, seen: Request[] = []): FetchFn =>
    async (input, init) => {
      seen.push(new Request(input as RequestInfo, init));
      return new Response(typeof body === "string" ? body : JSON.stringify(body), {
        status,
        headers: { "Content-Type": "application/json" },
      });
    };

  it("posts one `image` part to {base}/agent/assets/images with the raw key and reads data.image", async () => {
    const seen: Request[] = [];
    const out = await uploadWeshopImage(
      endpoint,
      image,
      1000,
      answering(200, { success: true, data: { image: "https://cdn.weshop.ai/a.png" }, meta: {} }, seen),
    );
    expect(out).toEqual({ ok: true, value: { url: "https://cdn.weshop.ai/a.png" } });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(`${SIM_ORIGIN}/weshop/openapi/agent/assets/images`);
    expect(seen[0]!.headers.get("Authorization")).toBe(WESHOP_KEY);
    const sent = await seen[0]!.formData();
    expect([...sent.keys()]).toEqual(["image"]);
    const part = sent.get("image") as File;
    expect(part.name).toBe("pixel.png");
    expect(part.type).toBe("image/png");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(PNG);
  });

  it("reads the older {code, msg} error shape", async () => {
    const out = await uploadWeshopImage(endpoint, image, 1000, answering(400, { code: 4001, msg: "image too small" }));
    expect(out).toMatchObject({ ok: false, error: { code: "4001", retryable: false, httpStatus: 400 } });
    expect(!out.ok && out.error.message).toContain("image too small");
  });

  it("a success without a usable data.image is a bad_response", async () => {
    const out = await uploadWeshopImage(
      endpoint,
      image,
      1000,
      answering(200, { success: true, data: { image: "not a url" } }),
    );
    expect(out).toMatchObject({ ok: false, error: { code: "bad_response" } });
  });

  it("never repeats the key, even when the provider echoes it", async () => {
    const out = await uploadWeshopImage(
      endpoint,
      image,
      1000,
      answering(401, { success: false, error: { code: "UNAUTHORIZED", message: `bad key ${WESHOP_KEY}` } }),
    );
    expect(out.ok).toBe(false);
    expect(JSON.stringify(out)).not.toContain(WESHOP_KEY);
  });

  it("refuses to send the key anywhere but WeShop or a loopback simulator", async () => {
    const seen: Request[] = [];
    const fetchSpy = answering(200, { success: true, data: { image: "https://x.test/a.png" } }, seen);
    for (const bad of [
      { baseUrl: "https://evil.example.com/openapi", loopback: false },
      { baseUrl: "https://evil.example.com/openapi", loopback: true },
      { baseUrl: "http://10.0.0.1:8790/weshop", loopback: true },
    ]) {
      const out = await uploadWeshopImage({ ...bad, apiKey: WESHOP_KEY }, image, 1000, fetchSpy);
      expect(out).toMatchObject({ ok: false, error: { code: "endpoint_refused", retryable: false } });
    }
    expect(seen).toEqual([]);
  });
});
