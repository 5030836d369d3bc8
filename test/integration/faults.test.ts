// Provider faults: retryable ones recover without a second provider task, and final ones fail the
// job with the provider's reason (crashes, evictions and deadlines: faults-crashes.test.ts).
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { weshopRunKey } from "../../src/providers/weshop-run.ts";
import { SEEDREAM, WIRO } from "../support/builders.ts";
import { envWith, jobInside } from "../support/do-internals.ts";
import {
  createJob,
  driveJob,
  fireAlarm,
  getJob,
  type Harness,
  jobStub,
  startHarness,
  storedJob,
} from "../support/harness.ts";

let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  await h.stop();
});

describe("redirects from a provider API", () => {
  it.each([
    ["weshop.submit", SEEDREAM],
    ["weshop.poll", SEEDREAM],
    ["wiro.run", WIRO],
    ["wiro.detail", WIRO],
  ] as const)(
    "%s answering a redirect is not followed: the job fails with the reason and no key leaves the provider's host",
    async (target, spec) => {
      h.sim.inject({ target, kind: "redirect" });
      const { id } = await createJob(spec);
      const job = await driveJob(h, id);
      expect(job.status).toBe("failed");
      expect(job.error).toMatchObject({ code: "provider_redirect", retryable: false });
      expect(job.error?.message).toContain("307");
      // nothing was fetched anywhere but the simulator, so no key went to the redirect target
      expect(h.outbound).toEqual([]);
      expect(h.sim.requests.filter((r) => r.target === target)).toHaveLength(1);
    },
  );
});

describe("retryable faults", () => {
  it.each(["http500", "http503", "malformed_json", "unexpected_shape", "hang"] as const)(
    "WeShop submit %s ×3 is retried with the same idempotency key; one task",
    async (kind) => {
      h.sim.inject({ target: "weshop.submit", kind, times: 3 });
      const { id } = await createJob(SEEDREAM);
      const job = await driveJob(h, id);
      expect(job.status).toBe("succeeded");
      expect(h.sim.tasks()).toHaveLength(1);
      const keys = h.sim.requests.filter((r) => r.target === "weshop.submit").map((r) => r.headers["idempotency-key"]);
      const key = await weshopRunKey(id);
      expect(keys).toEqual([key, key, key, key]);
    },
  );

  it("WeShop accepting the run and then hanging does not create a second task", async () => {
    h.sim.inject({ target: "weshop.submit", kind: "accept_then_hang" });
    const { id } = await createJob(SEEDREAM);
    const job = await driveJob(h, id);
    expect(job.status).toBe("succeeded");
    expect(h.sim.tasks()).toHaveLength(1);
    expect(h.sim.requests.filter((r) => r.target === "weshop.submit")).toHaveLength(2);
  });

  it("Wiro accepting the run and then hanging stops the job instead of risking a duplicate", async () => {
    h.sim.inject({ target: "wiro.run", kind: "accept_then_hang" });
    const { id } = await createJob(WIRO);
    const job = await driveJob(h, id);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "submit_uncertain", retryable: true });
    expect(h.sim.tasks()).toHaveLength(1);
  });

  it.each([
    ["weshop.poll", SEEDREAM],
    ["wiro.detail", WIRO],
  ] as const)("%s 5xx and timeouts during polling recover", async (target, spec) => {
    h.sim.inject({ target, kind: "http503", times: 2 });
    h.sim.inject({ target, kind: "hang", times: 1 });
    const { id } = await createJob(spec);
    const job = await driveJob(h, id);
    expect(job.status).toBe("succeeded");
    expect(h.sim.tasks()).toHaveLength(1);
  });

  it.each([
    ["weshop.submit", SEEDREAM, 7],
    ["wiro.run", WIRO, "date"],
  ] as const)("%s rate limiting waits at least Retry-After (seconds or HTTP date)", async (target, spec, given) => {
    const retryAfter = given === "date" ? new Date(Date.now() + 120_000).toUTCString() : given;
    h.sim.inject({ target, kind: "rate_limit", retryAfter });
    const { id } = await createJob(spec);
    await fireAlarm(id);
    const job = await storedJob(id);
    expect(job.status).toBe("queued");
    // an HTTP date has whole seconds, so allow the second it was rounded down by
    const minimum = typeof retryAfter === "number" ? retryAfter * 1000 : Date.parse(retryAfter) - job.updatedAt;
    expect(job.nextAt - job.updatedAt).toBeGreaterThanOrEqual(minimum);
    const alarm = await runInDurableObject(jobStub(id), (_, state) => state.storage.getAlarm());
    expect(alarm).toBe(job.nextAt);
  });

  it("gives up after repeated failures with the last provider error, and no task was made", async () => {
    h.sim.inject({ target: "weshop.submit", kind: "http500", times: 100 });
    const { id } = await createJob(SEEDREAM);
    const job = await driveJob(h, id);
    expect(job.status).toBe("failed");
    expect(job.error?.code).toBe("provider_unavailable");
    expect(job.error?.message).toContain("500");
    expect(h.sim.requests.filter((r) => r.target === "weshop.submit")).toHaveLength(8);
    expect(h.sim.tasks()).toHaveLength(0);
  });
});

describe("final faults", () => {
  it.each([
    ["weshop.submit", SEEDREAM, "INSUFFICIENT_POWER"],
    ["wiro.run", WIRO, "97"],
  ] as const)(
    "%s error_final fails at once with the provider's code after exactly one attempt",
    async (target, spec, code) => {
      h.sim.inject({ target, kind: "error_final" });
      const { id } = await createJob(spec);
      const job = await driveJob(h, id);
      expect(job.status).toBe("failed");
      expect(job.error).toMatchObject({ code, retryable: false });
      expect(h.sim.requests.filter((r) => r.target === target)).toHaveLength(1);
      const view = await getJob(id);
      expect(view.error).toMatchObject({ code });
    },
  );

  it.each([
    ["weshop.submit", SEEDREAM],
    ["wiro.run", WIRO],
  ] as const)("a run the provider reports as failed (%s) fails the job with that reason", async (target, spec) => {
    h.sim.inject({ target, kind: "run_failed" });
    const { id } = await createJob(spec);
    const job = await driveJob(h, id);
    expect(job.status).toBe("failed");
    expect(job.error?.code).toBe("run_failed");
  });

  it("partial results: failed outputs are listed with a reason and the job succeeds with the rest", async () => {
    h.sim.inject({ target: "weshop.submit", kind: "run_partial" });
    const { id } = await createJob({ model: "weshop/seedream", params: { textDescription: "x", batchCount: 4 } });
    await driveJob(h, id);
    const view = await getJob(id);
    expect(view.status).toBe("succeeded");
    expect(view.outputs.map((o) => o.status)).toEqual(["stored", "failed", "stored", "failed"]);
    expect(view.outputs[1]).toMatchObject({ url: null, error: expect.any(String) });
  });

  it("an expired output URL fails that output, never stores a short object", async () => {
    h.sim.inject({ target: "media", kind: "expired" });
    const { id } = await createJob(SEEDREAM);
    const job = await driveJob(h, id);
    expect(job.status).toBe("failed");
    expect(job.error?.code).toBe("media_copy_failed");
    expect((await env.MEDIA.list({ prefix: `jobs/${id}/` })).objects).toHaveLength(0);
  });

  it("a truncated download is retried and the stored object is whole", async () => {
    h.sim.inject({ target: "media", kind: "truncated" });
    const { id } = await createJob(SEEDREAM);
    const job = await driveJob(h, id);
    expect(job.status).toBe("succeeded");
    const source = await h.sim.mediaBytes(job.outputs[0]!.sourceUrl!);
    const object = await env.MEDIA.get(job.outputs[0]!.key!);
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(source);
  });

  it("a missing provider key fails the job with provider_not_configured, without a provider call", async () => {
    const id = `job_${"n".repeat(20)}`;
    const stub = jobStub(id);
    // this object runs without WESHOP_API_KEY (a fresh env object, so no cached parse is reused)
    await runInDurableObject(stub, (instance) => {
      const holder = jobInside(instance);
      holder.env = envWith(holder.env, { WESHOP_API_KEY: undefined });
    });
    h.jobs.push(id);
    await stub.create({
      id,
      tenant: "t",
      model: "weshop/seedream",
      params: { textDescription: "x" },
      metadata: {},
      origin: "https://seedrun.test",
    });
    const job = await driveJob(h, id);
    expect(job.status).toBe("failed");
    expect(job.error).toEqual({
      code: "provider_not_configured",
      message: "WESHOP_API_KEY is not set",
      retryable: false,
    });
    expect(h.sim.requests).toEqual([]);
  });
});
