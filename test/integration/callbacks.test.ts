// Wiro callbacks: a signal authenticated by a per-job token, confirmed with Task/Detail.
import { env, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { JobRecord } from "../../src/jobs/record.ts";
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

const WIRO = { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle at dawn" } };
let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  await h.stop();
});

const post = (url: string, body = "{}") =>
  exports.default.fetch(new Request(url, { method: "POST", body, headers: { "Content-Type": "application/json" } }));
const detailCalls = () => h.sim.requests.filter((r) => r.target === "wiro.detail").length;

/** Creates a Wiro job, submits it and returns the callback URL Wiro was given. */
async function submitted(): Promise<{ id: string; callbackUrl: string }> {
  const { id } = await createJob(WIRO);
  await fireAlarm(id);
  const task = h.sim.tasks().at(-1)!;
  return { id, callbackUrl: task.callbackUrl! };
}

describe("callback URL", () => {
  it("each Wiro job gets its own unguessable URL; only a hash of the token is stored", async () => {
    const a = await submitted();
    const b = await submitted();
    expect(a.callbackUrl).toMatch(new RegExp(`^https://seedrun\\.test/callbacks/wiro/${a.id}/[A-Za-z0-9_-]{43}$`));
    const token = a.callbackUrl.split("/").pop()!;
    expect(b.callbackUrl.split("/").pop()).not.toBe(token);
    const stored = JSON.stringify(await runInDurableObject(jobStub(a.id), (_, state) => state.storage.list()));
    expect(stored).not.toContain(token);
  });

  it("while a callback is expected, polling is a sparse backstop", async () => {
    const { id } = await submitted();
    const job = await storedJob(id);
    expect(job.nextAt - job.startedAt!).toBeGreaterThanOrEqual(15_000);
  });
});

describe("a valid callback", () => {
  it("answers 200 at once and the job finishes with one confirming Task/Detail", async () => {
    const { id } = await submitted();
    h.advance(60_000);
    await h.sim.tick();
    expect(h.sim.tasks()[0]!.callbacksSent).toBe(1);
    const afterCallback = await storedJob(id);
    expect(afterCallback.callbackReceived).toBe(true);
    // the confirmation is due immediately, not at the next backstop poll
    expect(afterCallback.nextAt).toBeLessThanOrEqual(Date.now());
    const done = await driveJob(h, id, 0);
    expect(done.status).toBe("succeeded");
    expect(done.polls).toBe(1);
    expect(detailCalls()).toBe(1);
    const view = await getJob(id);
    expect(view.provider).toMatchObject({ callbackReceived: true, status: "task_postprocess_end" });
    expect((await env.MEDIA.list({ prefix: `jobs/${id}/` })).objects).toHaveLength(1);
  });

  it("a flood of duplicate callbacks causes one confirmation and one R2 write", async () => {
    const { id, callbackUrl } = await submitted();
    h.advance(60_000);
    const answers = await Promise.all(Array.from({ length: 25 }, () => post(callbackUrl)));
    expect(answers.map((r) => r.status)).toEqual(Array(25).fill(200));
    const done = await driveJob(h, id, 0);
    expect(done.status).toBe("succeeded");
    expect(detailCalls()).toBe(1);
    // late and replayed callbacks after the end change nothing
    expect((await post(callbackUrl)).status).toBe(200);
    await fireAlarm(id);
    expect(detailCalls()).toBe(1);
    expect((await env.MEDIA.list({ prefix: `jobs/${id}/` })).objects).toHaveLength(1);
  });

  it("a callback right after a poll waits for the confirmation window instead of polling again", async () => {
    const { id, callbackUrl } = await submitted();
    await fireAlarm(id); // a backstop poll: still running
    const polled = await storedJob(id);
    expect(polled.status).toBe("running");
    expect((await post(callbackUrl)).status).toBe(200);
    const job = await storedJob(id);
    expect(job.nextAt).toBeGreaterThanOrEqual(polled.lastPollAt! + 2_000);
  });

  it("never trusts URLs or states from the callback body", async () => {
    const { id, callbackUrl } = await submitted();
    const forgedBody = JSON.stringify({
      status: "task_postprocess_end",
      pexit: "0",
      outputs: [{ url: "https://evil.example.com/x.mp4" }],
    });
    expect((await post(callbackUrl, forgedBody)).status).toBe(200);
    await fireAlarm(id);
    // Task/Detail says the task is still running, so the job is
    expect((await storedJob(id)).status).toBe("running");
    expect(h.outbound).toEqual([]);
  });
});

describe("forged callbacks", () => {
  it.each([
    ["wrong token", (id: string) => `https://seedrun.test/callbacks/wiro/${id}/${"A".repeat(43)}`],
    ["unknown job", () => `https://seedrun.test/callbacks/wiro/job_${"q".repeat(20)}/${"A".repeat(43)}`],
    ["malformed token", (id: string) => `https://seedrun.test/callbacks/wiro/${id}/short`],
    ["malformed job", () => `https://seedrun.test/callbacks/wiro/nope/${"A".repeat(43)}`],
  ])("%s: 404, no provider call, job untouched, token not logged", async (_, url) => {
    const { id, callbackUrl } = await submitted();
    const before = await storedJob(id);
    const requests = h.sim.requests.length;
    const logs = vi.spyOn(console, "log");
    const res = await post(url(id), JSON.stringify({ outputs: [{ url: "https://evil.example.com/x.mp4" }] }));
    expect(res.status).toBe(404);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(h.sim.requests.length).toBe(requests);
    expect(await storedJob(id)).toEqual(before);
    const logged = logs.mock.calls.flat().join("\n");
    expect(logged).not.toContain(callbackUrl.split("/").pop()!);
    expect(logged).not.toContain("A".repeat(43));
    logs.mockRestore();
    expect(h.outbound).toEqual([]);
  });
});

describe("when callbacks never come", () => {
  it("the job still finishes by polling", async () => {
    const { id } = await submitted();
    const done: JobRecord = await driveJob(h, id, 30_000);
    expect(done.status).toBe("succeeded");
    expect(done.callbackReceived).toBeUndefined();
  });
});
