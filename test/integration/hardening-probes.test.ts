// Hardening from the adversarial probe (issue 11), part two: provider texts stored on jobs carry no
// provider secret; conditional headers on /media never give a 5xx; a forged callback is refused
// without touching any Durable Object. The RELIABILITY.md rows' figures are asserted here.

import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect } from "vitest";
import { readConfig } from "../../src/config.ts";
import { buildApp } from "../../src/http/app.ts";
import { signMediaUrl } from "../../src/media/links.ts";
import { providerFor } from "../../src/providers/index.ts";
import { MODELS } from "../../src/providers/models.ts";
import { patternBytes, sameBytes } from "../media/helpers.ts";
import { cancelOpenJobs } from "../reliability/support.ts";
import { TEST_BINDINGS } from "../support/bindings.ts";
import { WIRO } from "../support/builders.ts";
import { it } from "../support/fixture.ts";
import { BASE, createJob, fireAlarm } from "../support/harness.ts";

it.afterEach(async ({ h }) => {
  await cancelOpenJobs(h);
});

describe("provider texts stored on jobs carry no provider secret", () => {
  it("a WeShop error echoing the key, and a Wiro failure echoing key and secret, come back scrubbed", async () => {
    const config = readConfig(env);
    if (!config.ok) throw new Error("test settings invalid");
    const echo =
      (body: unknown, status = 400) =>
      async () =>
        new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
    const weshop = providerFor(
      MODELS["weshop/seedream"],
      config.config,
      echo({
        success: false,
        error: {
          code: `BAD_${TEST_BINDINGS.WESHOP_API_KEY}`,
          message: `key ${TEST_BINDINGS.WESHOP_API_KEY} refused`,
          retryable: false,
        },
      }),
    );
    if (!weshop.ok) throw new Error("no provider");
    const submitted = await weshop.provider.submit({ jobId: "job_x", params: { textDescription: "x" } });
    expect(submitted.ok).toBe(false);
    expect(JSON.stringify(submitted)).not.toContain(TEST_BINDINGS.WESHOP_API_KEY);
    expect(JSON.stringify(submitted)).toContain("[redacted]");

    const wiro = providerFor(
      MODELS["wiro/ByteDance/text-to-video-seedance-v1"],
      config.config,
      echo(
        {
          result: false,
          errors: [{ code: 97, message: `auth ${TEST_BINDINGS.WIRO_API_KEY} / ${TEST_BINDINGS.WIRO_API_SECRET}` }],
        },
        200,
      ),
    );
    if (!wiro.ok) throw new Error("no provider");
    const failed = await wiro.provider.submit({ jobId: "job_x", params: { prompt: "x" } });
    expect(failed.ok).toBe(false);
    const text = JSON.stringify(failed);
    expect(text).not.toContain(TEST_BINDINGS.WIRO_API_KEY);
    expect(text).not.toContain(TEST_BINDINGS.WIRO_API_SECRET);
  });

  it("a WeShop run reported Cancelled with a reason echoing the key comes back scrubbed", async () => {
    const config = readConfig(env);
    if (!config.ok) throw new Error("test settings invalid");
    const run = {
      executions: [
        {
          executionId: "e1",
          status: "Cancelled",
          error: `stopped for key ${TEST_BINDINGS.WESHOP_API_KEY}`,
          result: [],
        },
      ],
    };
    const answer = async () =>
      new Response(JSON.stringify({ success: true, data: run }), { headers: { "Content-Type": "application/json" } });
    const weshop = providerFor(MODELS["weshop/seedream"], config.config, answer);
    if (!weshop.ok) throw new Error("no provider");
    const polled = await weshop.provider.poll({ taskId: "e1" });
    expect(polled).toMatchObject({ ok: true, value: { state: "canceled" } });
    expect(JSON.stringify(polled)).not.toContain(TEST_BINDINGS.WESHOP_API_KEY);
    expect(JSON.stringify(polled)).toContain("[redacted]");
  });
});

describe("conditional headers on /media (malformed or valid, any mix)", () => {
  const RUNS = 400;
  const KEY = "jobs/job_hardening/0.mp4";
  const BYTES = patternBytes(2000, 3);

  it(`0 5xx over ${RUNS} generated header sets; every answer is a correct 200/206/304/412/416`, async () => {
    const stored = (await env.MEDIA.put(KEY, BYTES, { httpMetadata: { contentType: "video/mp4" } }))!;
    const etag = stored.httpEtag;
    const uploaded = Math.floor(stored.uploaded.getTime() / 1000) * 1000;
    const url = await signMediaUrl(TEST_BINDINGS.SIGNING_SECRET, BASE, KEY, Math.floor(Date.now() / 1000) + 3600);

    // printable ASCII, quotes, commas and slashes included (workerd re-encodes anything beyond ASCII)
    const junk = fc
      .array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 30 })
      .map((codes) => String.fromCharCode(...codes));
    const tag = fc.oneof(
      fc.constantFrom(
        etag,
        `W/${etag}`,
        '"other"',
        'W/"other"',
        "*",
        "abc",
        "W/abc",
        '"abc',
        '"a,b"',
        `${etag.slice(0, -1)}`,
      ),
      junk,
    );
    const tagList = fc
      .tuple(fc.array(tag, { minLength: 1, maxLength: 4 }), fc.constantFrom(", ", ",", " , "))
      .map(([tags, separator]) => tags.join(separator));
    const days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    const date = fc.oneof(
      fc.integer({ min: -3, max: 3 }).chain((minutes) =>
        fc
          .constantFrom<(d: Date) => string>(
            (d) => d.toUTCString(),
            (d) => {
              const [, dd, mon, yyyy, time] = d.toUTCString().split(" ");
              return `${days[d.getUTCDay()]}, ${dd}-${mon}-${yyyy!.slice(2)} ${time} GMT`;
            },
            (d) => {
              const [, dd, mon, yyyy, time] = d.toUTCString().split(" ");
              return `${days[d.getUTCDay()]!.slice(0, 3)} ${mon} ${String(Number(dd)).padStart(2, " ")} ${time} ${yyyy}`;
            },
          )
          .map((format) => format(new Date(uploaded + minutes * 60_000))),
      ),
      fc.constantFrom("not a date", "0", "Mon, 30 Feb 2026 10:00:00 GMT", "2026-01-01T00:00:00Z"),
      junk,
    );
    const range = fc.constantFrom(
      "bytes=0-9",
      "bytes=-5",
      "bytes=1990-",
      "bytes=5000-",
      "bytes=0-1,5-6",
      "bytes=x",
      "items=0-1",
    );
    const request = fc.record(
      {
        "If-None-Match": tagList,
        "If-Match": tagList,
        "If-Modified-Since": date,
        "If-Unmodified-Since": date,
        "If-Range": fc.oneof(tag, date),
        Range: range,
      },
      { requiredKeys: [] },
    );

    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, fc.constantFrom("GET", "HEAD"), async (headers, method) => {
        const res = await exports.default.fetch(new Request(url, { method, headers }));
        const body = new Uint8Array(await res.arrayBuffer());
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        expect([200, 206, 304, 412, 416]).toContain(res.status);
        expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
        if (method === "HEAD" || res.status === 304 || res.status === 416) expect(body.byteLength).toBe(0);
        if (method === "GET" && res.status === 200) expect(sameBytes(body, BYTES)).toBe(true);
        if (method === "GET" && res.status === 206) {
          const [, first, last] = /^bytes (\d+)-(\d+)\/2000$/.exec(res.headers.get("Content-Range") ?? "")!.map(Number);
          expect(sameBytes(body, BYTES.slice(first, last! + 1))).toBe(true);
        }
        if (res.status === 412) expect(res.headers.get("Content-Type")).toBe("application/problem+json");
      }),
      { seed: 42, numRuns: RUNS },
    );
    // the generator reaches every outcome, so "never a 5xx" is not vacuous
    expect([...seen.keys()].sort()).toEqual([200, 206, 304, 412, 416]);
  });
});

describe("forged callbacks touch no Durable Object", () => {
  /** The worker's app with a JOBS namespace that records every use. */
  function countingWorker() {
    const calls: string[] = [];
    const jobs = env.JOBS as unknown as Record<string | symbol, unknown>;
    const JOBS = new Proxy(jobs, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls.push(String(prop));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const app = buildApp();
    const spied = { ...env, JOBS } as unknown as Env;
    const post = (path: string) =>
      app.fetch(
        new Request(`${BASE}${path}`, {
          method: "POST",
          body: JSON.stringify({ outputs: [{ url: "https://evil.example.com/x.mp4" }] }),
          headers: { "Content-Type": "application/json" },
        }),
        spied,
      );
    return { calls, post };
  }

  it("wrong, another job's and made-up tokens: 404, 0 Durable Object calls, 0 provider calls; the real token still works", async ({
    h,
  }) => {
    const a = (await createJob(WIRO)).id;
    const b = (await createJob(WIRO)).id;
    await fireAlarm(a);
    await fireAlarm(b);
    const token = (id: string) =>
      h.sim
        .tasks()
        .find((t) => t.callbackUrl?.includes(id))!
        .callbackUrl!.split("/")
        .pop()!;
    const [ta, tb] = [token(a), token(b)];
    const flipped = ta.slice(0, -1) + (ta.endsWith("A") ? "B" : "A");
    const worker = countingWorker();
    const requests = h.sim.requests.length;
    for (const path of [
      `/callbacks/wiro/${a}/${tb}`,
      `/callbacks/wiro/${a}/${flipped}`,
      `/callbacks/wiro/${a}/${"A".repeat(43)}`,
      `/callbacks/wiro/job_${"q".repeat(20)}/${ta}`,
    ]) {
      const res = await worker.post(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    }
    expect(worker.calls).toEqual([]);
    expect(h.sim.requests.length).toBe(requests);
    expect(h.outbound).toEqual([]);
    // the same counting worker does reach the object for the genuine token: the spy sees calls
    expect((await worker.post(`/callbacks/wiro/${a}/${ta}`)).status).toBe(200);
    expect(worker.calls.length).toBeGreaterThan(0);
  });
});
