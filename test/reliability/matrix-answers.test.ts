// The fault matrix of RELIABILITY.md, one describe per row, each titled with the row's fault, in
// five files (matrix-*.test.ts; what they share is in matrix-support.ts). Every row asserts the
// expected behaviour and, where the row has one, its figure.
// This file: odd provider answers (malformed, unexpected shape) and output downloads that fail or are large.
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MAX_COPY_ATTEMPTS, MAX_POLL_ERRORS } from "../../src/jobs/machine/policies.ts";
import { SIM_ORIGIN } from "../support/bindings.ts";
import { SEEDANCE, WIRO } from "../support/builders.ts";
import { createJob, type Harness, startHarness, storedJob } from "../support/harness.ts";
import { jobAt, jobBefore } from "./matrix-support.ts";
import { drive, driveCounting, stepAlarm, stepUntil } from "./steps.ts";
import {
  cancelOpenJobs,
  captureLogs,
  checkStored,
  emulateGzipDecoding,
  layerFetch,
  requestsTo,
  restoreProviderPace,
  TERMINAL,
  tasksPerJob,
} from "./support.ts";

let h: Harness;
beforeEach(async () => {
  h = startHarness();
  await restoreProviderPace();
});
afterEach(async () => {
  await cancelOpenJobs(h);
  await h.stop();
});

describe("malformed JSON / unexpected shape", () => {
  const targets = ["weshop.submit", "weshop.poll", "wiro.run", "wiro.detail"] as const;

  it.each(targets.flatMap((t) => (["malformed_json", "unexpected_shape"] as const).map((k) => [t, k] as const)))(
    "%s %s: a provider error with a reason, never an exception out of alarm()",
    async (target, kind) => {
      const logs = captureLogs();
      try {
        const { id, attempts } = await jobBefore(h, target);
        h.sim.inject({ target, kind });
        const seen: string[] = [];
        const rejections: unknown[] = [];
        for (let i = 0; i < 60; i++) {
          const job = await storedJob(id);
          if (TERMINAL.has(job.status)) break;
          h.advance(15_000);
          const step = await stepAlarm(id);
          if (step.error !== undefined) rejections.push(step.error);
          if (step.job.lastProviderError) seen.push(step.job.lastProviderError);
        }
        const job = await storedJob(id);
        expect(rejections).toEqual([]);
        expect(logs.lines.filter((l) => l.includes("unexpected error in job alarm"))).toEqual([]);
        if (target === "wiro.run") {
          // a 2xx Wiro cannot be read may still have made a task: not sent again
          expect(job.status).toBe("failed");
          expect(job.error).toMatchObject({ code: "submit_uncertain" });
          expect(requestsTo(h, target)).toHaveLength(attempts + 1);
        } else {
          expect(seen.filter((e) => /^bad_response:/.test(e))).toHaveLength(1);
          expect(job.status).toBe("succeeded");
          expect(h.sim.tasks()).toHaveLength(1);
        }
      } finally {
        logs.restore();
      }
    },
  );

  // bodies a provider or a proxy in front of it might send instead of the documented envelope
  const ODD_ANY: unknown[] = [null, [], "ok", 0, {}, JSON.parse("[".repeat(500) + "]".repeat(500))];
  const ODD_BODIES: Record<"weshop" | "wiro", unknown[]> = {
    weshop: [
      ...ODD_ANY,
      { success: true },
      { success: true, data: null },
      { success: "true", data: { executionId: 7 } },
      { success: true, data: { executions: "soon" } },
      {
        success: true,
        data: { executions: [{ status: "Success", result: [{ status: "Success", image: 42, video: {} }] }] },
      },
    ],
    wiro: [
      ...ODD_ANY,
      { result: true },
      { result: true, tasklist: [] },
      { result: true, taskid: null, socketaccesstoken: "" },
      { result: true, tasklist: [{ status: "task_postprocess_end", pexit: "0", outputs: [{ url: 7 }] }] },
      { result: false, errors: [null] },
      { errors: "none" },
    ],
  };

  it.each(targets)(
    "%s answering odd JSON bodies: handled as a provider error or a result, alarm() never throws",
    async (target) => {
      const logs = captureLogs();
      const path = {
        "weshop.submit": "/agent/runs",
        "weshop.poll": "/agent/runs/",
        "wiro.run": "/Run/",
        "wiro.detail": "/Task/Detail",
      }[target];
      const queue: { body: unknown }[] = [];
      layerFetch(async (request, next) => {
        const url = new URL(request.url);
        const matches = target === "weshop.submit" ? url.pathname.endsWith(path) : url.pathname.includes(path);
        const odd = matches && !(target === "weshop.poll" && request.method !== "GET") ? queue.shift() : undefined;
        if (!odd) return next();
        return new Response(JSON.stringify(odd.body), { headers: { "content-type": "application/json" } });
      });
      try {
        // one job per body, one after the other: each body is served once, to the job's next
        // matching call (side by side, one job's set-up could meet the body meant for the other)
        const results: Awaited<ReturnType<typeof driveCounting>>[] = [];
        const bodies = ODD_BODIES[target.startsWith("wiro") ? "wiro" : "weshop"];
        let next = 0;
        const worker = async () => {
          while (next < bodies.length) {
            const body = bodies[next++];
            const { id } = await jobBefore(h, target, false);
            queue.push({ body });
            results.push(await driveCounting(h, id));
          }
        };
        await worker();
        expect(queue, "every odd body was served").toEqual([]);
        for (const [i, { job, rejections }] of results.entries()) {
          expect(rejections, `job #${i}`).toEqual([]);
          expect(TERMINAL.has(job.status)).toBe(true);
          if (job.status !== "succeeded") expect(job.error?.code, `job #${i}`).toEqual(expect.any(String));
        }
        for (const count of (await tasksPerJob(h)).values()) expect(count).toBe(1);
        expect(logs.lines.filter((l) => l.includes("unexpected error in job alarm"))).toEqual([]);
      } finally {
        logs.restore();
      }
    },
  );

  it.each(["weshop.poll", "wiro.detail"] as const)(
    "%s malformed on every poll: failed after the cap, no throw loop",
    async (target) => {
      const id = await jobAt(h, target);
      // the job's polls; a Wiro stop after it gave up reads Task/Detail by taskid, not counted here
      const polls = () => requestsTo(h, target).filter((r) => !r.body.includes('"taskid"')).length;
      const callsBefore = polls();
      h.sim.inject({ target, kind: "malformed_json", times: 1000 });
      const { job, rejections } = await driveCounting(h, id);
      expect(rejections).toEqual([]);
      expect(job.status).toBe("failed");
      expect(job.error).toMatchObject({ code: "provider_unavailable" });
      expect(job.error!.message).toContain("bad_response");
      expect(polls() - callsBefore).toBe(MAX_POLL_ERRORS);
    },
  );
});

describe("output URL 404 / expired, truncated body, wrong Content-Length", () => {
  const TWO = { model: "weshop/seedream", params: { textDescription: "two", batchCount: 2 } };
  const kinds = ["expired", "truncated", "wrong_length"] as const;

  it.each(
    kinds.flatMap((k) => [
      [k, "WeShop (length unknown to us)", TWO] as const,
      [k, "Wiro (size reported)", WIRO] as const,
    ]),
  )("%s once, %s: the output is failed with its reason or retried; never a short object", async (kind, _, spec) => {
    const { id } = await createJob(spec);
    await stepUntil(h, id, (j) => j.status === "copying");
    h.sim.inject({ target: "media", kind });
    const { job, rejections } = await driveCounting(h, id);
    expect(rejections).toEqual([]);
    const check = await checkStored(h, [job]);
    expect(check.bad).toEqual([]);
    expect(check.objects).toBe(check.stored);
    const first = job.outputs[0]!;
    if (kind === "expired") {
      expect(first).toMatchObject({
        status: "failed",
        attempts: 1,
        error: expect.stringMatching(/^output_unavailable:/),
      });
      if (job.outputs.length === 1) expect(job.error).toMatchObject({ code: "media_copy_failed" });
      else expect(job.status).toBe("succeeded");
    } else {
      expect(job.status).toBe("succeeded");
      expect(first).toMatchObject({ status: "stored", attempts: 1 });
      expect(check.stored).toBe(job.outputs.length);
    }
  });

  it.each(kinds)(
    "%s on every download: outputs failed with a reason after the copy cap, nothing stored",
    async (kind) => {
      const { id } = await createJob(TWO);
      await stepUntil(h, id, (j) => j.status === "copying");
      const before = requestsTo(h, "media").length;
      h.sim.inject({ target: "media", kind, times: 1000 });
      const { job } = await driveCounting(h, id);
      expect(job.status).toBe("failed");
      expect(job.error).toMatchObject({ code: "media_copy_failed" });
      for (const output of job.outputs) expect(output).toMatchObject({ status: "failed", error: expect.any(String) });
      expect(requestsTo(h, "media").length - before).toBe(2 * (kind === "expired" ? 1 : MAX_COPY_ATTEMPTS));
      expect((await env.MEDIA.list({ prefix: `jobs/${id}/` })).objects).toEqual([]);
    },
  );
});

describe("large output of unknown length (chunked, gzip)", () => {
  it.each([
    [
      "chunked",
      "WeShop",
      { model: "weshop/seedream", params: { textDescription: "two", batchCount: 2, outputFormat: "png" } },
    ],
    ["gzip", "WeShop", { model: "weshop/seedream", params: { textDescription: "two", batchCount: 2 } }],
    ["chunked", "Wiro", WIRO],
    ["gzip", "Wiro", WIRO],
    ["gzip", "WeShop video", SEEDANCE],
  ] as const)("%s from %s: stored byte for byte", async (kind, _, spec) => {
    emulateGzipDecoding();
    h.sim.inject({ target: "media", kind, times: 5 });
    const { id } = await createJob(spec);
    const job = await drive(h, id);
    expect(job.status).toBe("succeeded");
    expect(requestsTo(h, "media").length).toBe(job.outputs.length);
    const check = await checkStored(h, [job]);
    expect(check).toEqual({ objects: job.outputs.length, stored: job.outputs.length, bad: [] });
  });

  it.each([
    ["chunked", 17 * 1024 * 1024 + 12_345],
    ["gzip", 9 * 1024 * 1024 + 777],
  ] as const)(
    "a %s video of %i bytes and unknown length is streamed into a multipart upload, byte for byte",
    async (kind, size) => {
      emulateGzipDecoding();
      const bigUrl = `${SIM_ORIGIN}/files/big/${size}.mp4${kind === "chunked" ? "?chunked=1" : ""}`;
      // Wiro's answer points at a big file and gives no size: the copy cannot know the length
      layerFetch(async (request, next) => {
        const res = await next();
        if (!request.url.endsWith("/Task/Detail")) return res;
        const body = (await res.json()) as { tasklist?: { status: string; outputs: Record<string, unknown>[] }[] };
        for (const task of body.tasklist ?? [])
          if (task.status === "task_postprocess_end")
            task.outputs = task.outputs.map((o) => {
              const { size: _size, ...rest } = o;
              return { ...rest, url: bigUrl };
            });
        return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
      });
      if (kind === "gzip") h.sim.inject({ target: "media", kind: "gzip" });
      const multipart = vi.spyOn(env.MEDIA, "createMultipartUpload");
      try {
        const { id } = await createJob(WIRO);
        const job = await drive(h, id);
        expect(job.status).toBe("succeeded");
        expect(job.outputs[0]).toMatchObject({ status: "stored", size, sourceUrl: bigUrl });
        expect(multipart).toHaveBeenCalledTimes(1);
        expect(await checkStored(h, [job])).toEqual({ objects: 1, stored: 1, bad: [] });
      } finally {
        multipart.mockRestore();
      }
    },
  );
});
