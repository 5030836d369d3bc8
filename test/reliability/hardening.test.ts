// Reliability rows from the adversarial probe (issue 11): conditional headers on /media never
// give a 5xx, the schedule cap holds under concurrent creates, and a forged callback is refused
// without touching any Durable Object. Each figure is asserted here and listed in RELIABILITY.md.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/http/app.ts";
import { MAX_SCHEDULES_PER_CLIENT } from "../../src/schemas/views.ts";
import { sha256Hex } from "../../src/lib/crypto.ts";
import { signMediaUrl } from "../../src/media/links.ts";
import { TEST_BINDINGS } from "../support/bindings.ts";
import { api, BASE, createJob, fireAlarm, KEY_A, startHarness, type Harness } from "../support/harness.ts";
import { patternBytes, sameBytes } from "../media/helpers.ts";
import { cancelOpenJobs } from "./support.ts";
import { WIRO } from "../support/builders.ts";

let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  await cancelOpenJobs(h);
  await h.stop();
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
    const junk = fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 30 }).map((codes) => String.fromCharCode(...codes));
    const tag = fc.oneof(fc.constantFrom(etag, `W/${etag}`, '"other"', 'W/"other"', "*", "abc", "W/abc", '"abc', '"a,b"', `${etag.slice(0, -1)}`), junk);
    const tagList = fc.tuple(fc.array(tag, { minLength: 1, maxLength: 4 }), fc.constantFrom(", ", ",", " , ")).map(([tags, separator]) => tags.join(separator));
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
    const range = fc.constantFrom("bytes=0-9", "bytes=-5", "bytes=1990-", "bytes=5000-", "bytes=0-1,5-6", "bytes=x", "items=0-1");
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

describe("schedule cap under concurrent creates", () => {
  const CONCURRENT = 20;
  const BATCH = { jobs: [{ model: "weshop/seedream", params: { textDescription: "nightly" } }] };

  it(`${MAX_SCHEDULES_PER_CLIENT - 5} schedules + ${CONCURRENT} creates at once: exactly 5 created, the count never passes ${MAX_SCHEDULES_PER_CLIENT}`, async () => {
    await env.DB.exec("DELETE FROM schedules");
    const tenant = (await sha256Hex(`tenant:${KEY_A}`)).slice(0, 32);
    const now = Date.now();
    const existing = Array.from({ length: MAX_SCHEDULES_PER_CLIENT - 5 }, (_, i) =>
      env.DB.prepare(
        "INSERT INTO schedules (id, tenant, name, cron, timezone, batch, origin, enabled, next_run_at, created_at, updated_at) VALUES (?, ?, 'old', '0 3 * * *', 'UTC', ?, ?, 0, NULL, ?, ?)",
      ).bind(`sched_${String(i).padStart(20, "0")}`, tenant, JSON.stringify(BATCH), BASE, now, now),
    );
    await env.DB.batch(existing);
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => api("/v1/schedules", { json: { name: `new ${i}`, cron: "0 3 * * *", batch: BATCH } })),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(5).fill(201), ...Array(CONCURRENT - 5).fill(422)]);
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM schedules WHERE tenant = ?").bind(tenant).first<{ n: number }>();
    expect(count?.n).toBe(MAX_SCHEDULES_PER_CLIENT);
    await env.DB.exec("DELETE FROM schedules");
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

  it("wrong, another job's and made-up tokens: 404, 0 Durable Object calls, 0 provider calls; the real token still works", async () => {
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
