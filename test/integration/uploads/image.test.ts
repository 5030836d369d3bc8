// POST /v1/uploads with the field `image`: the same assertions run against the sub-app mounted in
// a small app with the real middleware, and against the worker entry; a missing key is 503.
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_UPLOAD_BODY_BYTES } from "../../../src/schemas/upload-spec.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { uploadSuite } from "./image-suite.ts";
import { file, form, MiB, PNG, problem, streamedUpload, viaSubApp, viaWorker } from "./support.ts";

let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  await h.stop();
});

describe("POST /v1/uploads (sub-app behind the real middleware)", () => {
  uploadSuite(
    () => viaSubApp(),
    () => h,
  );

  it("a declared Content-Length over the limit is refused before the body is read", async () => {
    const up = streamedUpload(20 * MiB);
    const res = await viaSubApp()("/v1/uploads", {
      body: up.body,
      headers: { "Content-Type": up.contentType, "Content-Length": String(20 * MiB + 300) },
    });
    expect(res.status).toBe(413);
    // at most what the stream queued on its own before anyone read it
    expect(up.pulled()).toBeLessThanOrEqual(128 * 1024);
    expect(h.sim.requests).toEqual([]);
  });

  it("a streamed body stops being read soon after the limit", async () => {
    const up = streamedUpload(20 * MiB);
    const res = await viaSubApp()("/v1/uploads", { body: up.body, headers: { "Content-Type": up.contentType } });
    expect(res.status).toBe(413);
    expect(up.pulled()).toBeLessThan(MAX_UPLOAD_BODY_BYTES + 256 * 1024);
  });

  it("without WESHOP_API_KEY it is 503 provider_not_configured naming the variable, nothing sent", async () => {
    // a fresh bindings object, so the cached parse of the real env is not reused
    const call = viaSubApp({ ...(env as unknown as Record<string, unknown>), WESHOP_API_KEY: undefined });
    const res = await call("/v1/uploads", { body: form([["image", file(PNG, "pixel.png")]]) });
    expect(res.status).toBe(503);
    const body = await problem(res);
    expect(body.code).toBe("provider_not_configured");
    expect(body.detail).toContain("WESHOP_API_KEY");
    expect(h.sim.requests).toEqual([]);
  });
});

/** Whether src/http/app.ts mounts the route yet: an authorised non-multipart POST is 415 there, 404 before. */
describe("POST /v1/uploads through the worker entry", () => {
  uploadSuite(
    () => viaWorker,
    () => h,
  );
});
