// The fault matrix of RELIABILITY.md, one describe per row, each titled with the row's fault, in
// five files (matrix-*.test.ts; what they share is in matrix-support.ts). Every row asserts the
// expected behaviour and, where the row has one, its figure.
// This file: what clients send: unsafe URLs (and provider redirects to them) and random request bodies.
import { env } from "cloudflare:test";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SIM_ORIGIN } from "../support/bindings.ts";
import { SEEDANCE, SEEDREAM, WIRO } from "../support/builders.ts";
import { api, createJob, type Harness, startHarness } from "../support/harness.ts";
import { drive } from "./steps.ts";
import { cancelOpenJobs, layerFetch, recordFetches, restoreProviderPace } from "./support.ts";

let h: Harness;
beforeEach(async () => {
  h = startHarness();
  await restoreProviderPace();
});
afterEach(async () => {
  await cancelOpenJobs(h);
  await h.stop();
});

describe("unsafe URLs (IP literal, userinfo, redirect to private address, data:, odd ports)", () => {
  // the tests run in development mode (SEEDRUN_DEV=1), which lets http://127.0.0.1:PORT and
  // http://localhost:PORT through for the simulator; every other unsafe form is refused
  const UNSAFE = [
    "http://images.example.com/a.png",
    "https://10.0.0.1/a.png",
    "https://169.254.169.254/latest/meta-data/",
    "https://167772161/a.png", // 10.0.0.1 as one decimal number
    "https://0xa9fea9fe/a.png", // 169.254.169.254 in hex
    "https://0xA9.0xFE.0xA9.0xFE/a.png",
    "https://0251.0376.0251.0376/a.png", // octal
    "https://192.168.1.1/a.png",
    "http://192.168.1.1:8790/a.png",
    "https://[::1]/a.png",
    "https://[fd00::1]/a.png",
    "https://[::ffff:a9fe:a9fe]/a.png",
    "https://user:pw@images.example.com/a.png",
    "https://user@images.example.com/a.png",
    "data:image/png;base64,iVBORw0KGgo=",
    "https://images.example.com:8443/a.png",
    "https://images.example.com:22/a.png",
    "ftp://images.example.com/a.png",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://printer.local/a.png",
    "https://intranet/a.png",
  ];

  it.each(UNSAFE)(
    "%s is refused as an image URL and as a webhook URL, naming the field, with 0 outbound requests",
    async (url) => {
      const fields = async (res: Response) => {
        expect(res.status).toBe(400);
        expect(res.headers.get("Content-Type")).toBe("application/problem+json");
        return ((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path);
      };
      expect(
        await fields(
          await api("/v1/jobs", {
            json: { ...SEEDREAM, params: { textDescription: "x", images: ["https://images.example.com/ok.png", url] } },
          }),
        ),
      ).toEqual(["params.images[1]"]);
      expect(
        await fields(await api("/v1/jobs", { json: { ...SEEDANCE, params: { ...SEEDANCE.params, images: [url] } } })),
      ).toEqual(["params.images[0]"]);
      expect(await fields(await api("/v1/jobs", { json: { ...SEEDREAM, webhookUrl: url } }))).toEqual(["webhookUrl"]);
      expect(
        await fields(
          await api("/v1/batches", {
            json: {
              jobs: [SEEDREAM, { ...SEEDREAM, params: { textDescription: "x", images: [url] } }],
              webhookUrl: url,
            },
          }),
        ),
      ).toEqual(["jobs[1].params.images[0]", "webhookUrl"]);
      expect(h.outbound).toEqual([]);
      expect(h.sim.requests).toEqual([]);
      expect(h.jobs).toEqual([]);
    },
  );

  const REDIRECTS = [
    "https://10.0.0.1/out.mp4",
    "http://169.254.169.254/latest/meta-data/iam/",
    "https://167772161/out.mp4",
    "https://0xa9fea9fe/out.mp4",
    "https://[fd00::1]/out.mp4",
    "https://user:pw@cdn.example.com/out.mp4",
    "https://cdn.example.com:8443/out.mp4",
    "data:video/mp4;base64,AAAA",
    "https://metadata.google.internal/out.mp4",
  ];

  it.each(REDIRECTS)(
    "a provider output URL redirecting to %s is refused before that address is fetched",
    async (target) => {
      const seen = recordFetches();
      let redirected = 0;
      layerFetch(async (request, next) => {
        if (request.url.startsWith(`${SIM_ORIGIN}/files/`) && redirected === 0) {
          redirected++;
          return new Response(null, { status: 302, headers: { Location: target } });
        }
        return next();
      });
      const { id } = await createJob(SEEDREAM);
      const job = await drive(h, id);
      expect(redirected).toBe(1);
      expect(job.status).toBe("failed");
      expect(job.error?.code).toBe("media_copy_failed");
      expect(job.outputs[0]!.error).toMatch(/^unsafe_url: redirect target refused/);
      expect(seen.filter((u) => !u.startsWith(SIM_ORIGIN))).toEqual([]);
      expect(h.outbound).toEqual([]);
      expect((await env.MEDIA.list({ prefix: `jobs/${id}/` })).objects).toEqual([]);
    },
  );

  it("a redirect chain through a public host to a private one is refused at the private hop", async () => {
    const hop = "https://cdn.example.com/out.mp4";
    const seen: string[] = [];
    layerFetch(async (request, next) => {
      seen.push(request.url);
      if (request.url.startsWith(`${SIM_ORIGIN}/files/`))
        return new Response(null, { status: 301, headers: { Location: hop } });
      if (request.url === hop)
        return new Response(null, { status: 307, headers: { Location: "https://10.1.2.3/out.mp4" } });
      return next();
    });
    const { id } = await createJob(SEEDREAM);
    const job = await drive(h, id);
    expect(job.outputs[0]!.error).toMatch(/^unsafe_url: redirect target refused/);
    expect(seen.filter((u) => u.includes("10.1.2.3"))).toEqual([]);
    expect(h.outbound).toEqual([]);
  });

  it("a provider output URL that is itself private is never fetched", async () => {
    const seen = recordFetches();
    layerFetch(async (request, next) => {
      const res = await next();
      if (!request.url.endsWith("/Task/Detail")) return res;
      const text = (await res.text()).replaceAll(`${SIM_ORIGIN}/files/`, "https://10.0.0.7/files/");
      return new Response(text, { status: res.status, headers: res.headers });
    });
    const { id } = await createJob(WIRO);
    const job = await drive(h, id);
    expect(job.status).toBe("failed");
    expect(job.outputs[0]!.error).toMatch(/^unsafe_url: output URL refused/);
    expect(seen.filter((u) => u.includes("10.0.0.7"))).toEqual([]);
    expect(h.outbound).toEqual([]);
  });
});

describe("random and mutated request bodies (property-based)", () => {
  // the full property suite is fuzz-bodies.test.ts and fuzz-paths.test.ts; this is the row's compact statement
  it("POST /v1/jobs with random JSON: 4xx problem+json naming fields, 0 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        const res = await api("/v1/jobs", { json: value });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.headers.get("Content-Type")).toBe("application/problem+json");
        const body = (await res.json()) as { errors?: { path: string }[] };
        if (res.status === 400 && value !== null && typeof value === "object" && !Array.isArray(value))
          for (const e of body.errors ?? []) expect(e.path).not.toBe("");
      }),
      { seed: 42, numRuns: 40 },
    );
    expect(h.sim.requests).toEqual([]);
  });
});
