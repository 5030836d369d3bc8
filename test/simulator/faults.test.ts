import { describe, expect, it } from "vitest";
import type { FaultTarget, Simulator } from "../../simulator/index.ts";
import {
  body,
  bytesOf,
  harness,
  ORIGIN,
  SEEDANCE_RUN,
  seedreamRun,
  WIRO_RUN,
  WIRO_RUN_PATH,
  weshopPoll,
  weshopRequest,
  weshopSubmit,
  wiroDetail,
  wiroRequest,
  wiroRun,
} from "./helpers.ts";

/**
 * Settles-or-not probe without timers: yields (by reading other request bodies, which is what the sim awaits) until
 * the sim has read this request's body and so consumed its fault, then checks it is still unanswered.
 */
async function stillPending(sim: Simulator, p: Promise<unknown>, target: FaultTarget): Promise<boolean> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  const read = (i: number) => new Request(`${ORIGIN}/x`, { method: "POST", body: `yield ${i}` }).arrayBuffer();
  for (let i = 0; i < 100 && !sim.requests.some((r) => r.target === target && r.body !== ""); i++) await read(i);
  expect(sim.requests.some((r) => r.target === target && r.body !== "")).toBe(true);
  for (let i = 0; i < 5; i++) await read(i);
  return !settled;
}

describe("early faults", () => {
  it("http500 (WeShop envelope without retryable), consumed once, creates no task", async () => {
    const { sim } = harness();
    sim.inject({ target: "weshop.submit", kind: "http500" });
    const res = await sim.fetch(weshopRequest("/agent/runs", { body: SEEDANCE_RUN }));
    expect(res.status).toBe(500);
    const data = await body(res);
    expect(data.success).toBe(false);
    expect(data.error.retryable).toBeUndefined();
    expect(sim.tasks()).toHaveLength(0);
    expect((await sim.fetch(weshopRequest("/agent/runs", { body: SEEDANCE_RUN }))).status).toBe(200);
  });

  it("http503 `times` applies to that many requests, then the endpoint recovers; other targets unaffected", async () => {
    const { sim } = harness();
    const run = await wiroRun(sim);
    sim.inject({ target: "wiro.detail", kind: "http503", times: 2 });
    expect((await sim.fetch(await wiroRequest(WIRO_RUN_PATH, WIRO_RUN))).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const res = await sim.fetch(await wiroRequest("/Task/Detail", { tasktoken: run.socketaccesstoken }));
      expect(res.status).toBe(503);
      expect(res.headers.get("content-type")).toBe("text/html");
    }
    expect((await wiroDetail(sim, run.socketaccesstoken)).status).toBe("task_queue");
  });

  it("faults on one target are consumed FIFO", async () => {
    const { sim } = harness();
    sim.inject({ target: "weshop.poll", kind: "http500" });
    sim.inject({ target: "weshop.poll", kind: "malformed_json" });
    sim.inject({ target: "weshop.poll", kind: "unexpected_shape" });
    const res = [];
    for (let i = 0; i < 4; i++) res.push(await sim.fetch(weshopRequest("/agent/runs/exe_x")));
    expect(res.map((r) => r.status)).toEqual([500, 200, 200, 404]);
    expect(await res[1]?.text()).toBe("{not json");
    expect(await res[2]?.json()).toEqual({ hello: "world" });
  });

  it("rate_limit: WeShop 429 with Retry-After seconds; Wiro HTTP 200 code 96 with an HTTP-date Retry-After; none when not given", async () => {
    const { sim } = harness();
    sim.inject({ target: "weshop.submit", kind: "rate_limit", retryAfter: 7 });
    const a = await sim.fetch(weshopRequest("/agent/runs", { body: SEEDANCE_RUN }));
    expect(a.status).toBe(429);
    expect(a.headers.get("retry-after")).toBe("7");
    expect((await body(a)).error.retryable).toBe(true);

    const date = "Wed, 21 Oct 2026 07:28:00 GMT";
    sim.inject({ target: "wiro.run", kind: "rate_limit", retryAfter: date });
    sim.inject({ target: "wiro.run", kind: "rate_limit" });
    const b = await sim.fetch(await wiroRequest(WIRO_RUN_PATH, WIRO_RUN));
    expect(b.status).toBe(200);
    expect(b.headers.get("retry-after")).toBe(date);
    expect((await body(b)).errors[0].code).toBe(96);
    const c = await sim.fetch(await wiroRequest(WIRO_RUN_PATH, WIRO_RUN));
    expect(c.headers.get("retry-after")).toBeNull();
    expect(sim.tasks()).toHaveLength(0);
  });

  it("error_final: WeShop 400 INSUFFICIENT_POWER retryable:false; Wiro code 97", async () => {
    const { sim } = harness();
    sim.inject({ target: "weshop.submit", kind: "error_final" });
    sim.inject({ target: "wiro.run", kind: "error_final" });
    const a = await sim.fetch(weshopRequest("/agent/runs", { body: SEEDANCE_RUN }));
    expect(a.status).toBe(400);
    expect((await body(a)).error).toMatchObject({ code: "INSUFFICIENT_POWER", retryable: false });
    const b = await sim.fetch(await wiroRequest(WIRO_RUN_PATH, WIRO_RUN));
    expect(b.status).toBe(200);
    expect(await body(b)).toEqual({ result: false, errors: [{ code: 97, message: "Insufficient balance" }] });
  });

  it("hang: never answers until the caller aborts, creates no task, and rejects like an aborted fetch", async () => {
    const { sim } = harness();
    sim.inject({ target: "weshop.submit", kind: "hang" });
    const ac = new AbortController();
    const p = sim.fetch(new Request(weshopRequest("/agent/runs", { body: SEEDANCE_RUN }), { signal: ac.signal }));
    expect(await stillPending(sim, p, "weshop.submit")).toBe(true);
    expect(sim.requests.filter((r) => r.target === "weshop.submit")).toHaveLength(1);
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: "AbortError" });
    expect(sim.tasks()).toHaveLength(0);
  });

  it("reset() releases hung requests", async () => {
    const { sim } = harness();
    sim.inject({ target: "wiro.detail", kind: "hang" });
    const p = sim.fetch(await wiroRequest("/Task/Detail", { taskid: "1" }));
    expect(await stillPending(sim, p, "wiro.detail")).toBe(true);
    sim.reset();
    await expect(p).rejects.toThrow("simulator reset");
  });
});

describe("task-shaping faults", () => {
  it("accept_then_hang: the task exists; retrying with the same Idempotency-Key returns it without a duplicate", async () => {
    const { sim } = harness();
    sim.inject({ target: "weshop.submit", kind: "accept_then_hang" });
    const ac = new AbortController();
    const first = sim.fetch(
      new Request(weshopRequest("/agent/runs", { body: SEEDANCE_RUN, headers: { "Idempotency-Key": "k1" } }), {
        signal: ac.signal,
      }),
    );
    expect(await stillPending(sim, first, "weshop.submit")).toBe(true);
    ac.abort();
    await expect(first).rejects.toMatchObject({ name: "AbortError" });
    expect(sim.tasks()).toHaveLength(1);
    const again = await weshopSubmit(sim, SEEDANCE_RUN, { "Idempotency-Key": "k1" });
    expect(again.data.executionId).toBe(sim.tasks()[0]?.id);
    expect(sim.tasks()).toHaveLength(1);
  });

  it("accept_then_hang on wiro.run creates the task", async () => {
    const { sim } = harness();
    sim.inject({ target: "wiro.run", kind: "accept_then_hang" });
    const ac = new AbortController();
    const p = sim.fetch(new Request(await wiroRequest(WIRO_RUN_PATH, WIRO_RUN), { signal: ac.signal }));
    expect(await stillPending(sim, p, "wiro.run")).toBe(true);
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: "AbortError" });
    expect(sim.tasks().map((t) => t.provider)).toEqual(["wiro"]);
  });

  it("a task-shaping fault waits for a request that creates a task (invalid requests do not use it up)", async () => {
    const h = harness();
    h.sim.inject({ target: "weshop.submit", kind: "run_failed" });
    expect((await h.sim.fetch(weshopRequest("/agent/runs", { body: seedreamRun({ batchCount: 99 }) }))).status).toBe(
      422,
    );
    await weshopSubmit(h.sim, seedreamRun());
    expect(h.sim.tasks()[0]?.outcome).toBe("failed");
  });

  it("run_failed (WeShop): last execution Failed with no results; media 404", async () => {
    const h = harness();
    h.sim.inject({ target: "weshop.submit", kind: "run_failed" });
    const { data } = await weshopSubmit(h.sim, seedreamRun());
    h.advance(7999);
    expect((await weshopPoll(h.sim, data.executionId)).data.executions[0].status).toBe("Running");
    h.advance(1);
    const exe = (await weshopPoll(h.sim, data.executionId)).data.executions.at(-1);
    expect(exe.status).toBe("Failed");
    expect(exe.result).toEqual([]);
    expect((await h.sim.fetch(new Request(`${ORIGIN}/files/weshop/${data.executionId}/0.jpg`))).status).toBe(404);
  });

  it("run_failed (Wiro): task_postprocess_end with pexit 1, debugerror, no outputs", async () => {
    const h = harness({ wiro: 1000 });
    h.sim.inject({ target: "wiro.run", kind: "run_failed" });
    const run = await wiroRun(h.sim);
    h.advance(1000);
    const task = await wiroDetail(h.sim, run.socketaccesstoken);
    expect(task).toMatchObject({
      status: "task_postprocess_end",
      pexit: "1",
      debugerror: "simulated failure",
      outputs: [],
    });
    expect((await h.sim.fetch(new Request(`${ORIGIN}/files/wiro/${run.taskid}/0.mp4`))).status).toBe(404);
  });

  it("run_partial: odd outputs Failed without media, even outputs served", async () => {
    const h = harness();
    h.sim.inject({ target: "weshop.submit", kind: "run_partial" });
    const { data } = await weshopSubmit(h.sim, seedreamRun({ batchCount: 4 }));
    h.advance(8000);
    const exe = (await weshopPoll(h.sim, data.executionId)).data.executions[0];
    expect(exe.status).toBe("Success");
    expect(exe.result.map((r: { status: string }) => r.status)).toEqual(["Success", "Failed", "Success", "Failed"]);
    expect(exe.result[1]).toEqual({ status: "Failed" });
    const status = async (i: number) =>
      (await h.sim.fetch(new Request(`${ORIGIN}/files/weshop/${data.executionId}/${i}.jpg`))).status;
    expect([await status(0), await status(1), await status(2), await status(3)]).toEqual([200, 404, 200, 404]);
    expect(h.sim.tasks()[0]?.outcome).toBe("partial");
  });

  it("inject refuses kinds that make no sense for the target", () => {
    const { sim } = harness();
    expect(() => sim.inject({ target: "wiro.run", kind: "truncated" })).toThrow();
    expect(() => sim.inject({ target: "media", kind: "run_failed" })).toThrow();
    expect(() => sim.inject({ target: "wiro.detail", kind: "accept_then_hang" })).toThrow();
    expect(() => sim.inject({ target: "wiro.run", kind: "run_partial" })).toThrow();
  });

  it("clearFaults drops everything queued", async () => {
    const { sim } = harness();
    sim.inject({ target: "weshop.poll", kind: "http500", times: 5 });
    sim.clearFaults();
    expect((await sim.fetch(weshopRequest("/agent/runs/exe_x"))).status).toBe(404);
  });
});

describe("media faults", () => {
  const URL_SMALL = `${ORIGIN}/files/big/5000.mp4`;

  it("expired: 404 once, then the file is back", async () => {
    const { sim } = harness();
    sim.inject({ target: "media", kind: "expired" });
    expect((await sim.fetch(new Request(URL_SMALL))).status).toBe(404);
    expect((await sim.fetch(new Request(URL_SMALL))).status).toBe(200);
  });

  it("truncated: Content-Length says full size but only half arrives", async () => {
    const { sim } = harness();
    sim.inject({ target: "media", kind: "truncated" });
    const res = await sim.fetch(new Request(URL_SMALL));
    expect(res.headers.get("content-length")).toBe("5000");
    expect((await bytesOf(res)).length).toBe(2500);
  });

  it("wrong_length: Content-Length larger than the body", async () => {
    const { sim } = harness();
    sim.inject({ target: "media", kind: "wrong_length" });
    const res = await sim.fetch(new Request(URL_SMALL));
    expect(Number(res.headers.get("content-length"))).toBeGreaterThan(5000);
    expect((await bytesOf(res)).length).toBe(5000);
  });

  it("chunked: no Content-Length, full body", async () => {
    const { sim } = harness();
    sim.inject({ target: "media", kind: "chunked" });
    const res = await sim.fetch(new Request(URL_SMALL));
    expect(res.headers.get("content-length")).toBeNull();
    expect((await bytesOf(res)).length).toBe(5000);
  });

  it("gzip: Content-Encoding gzip; the decompressed body equals mediaBytes", async () => {
    const h = harness();
    const { data } = await weshopSubmit(h.sim, seedreamRun());
    h.advance(8000);
    const url = (await weshopPoll(h.sim, data.executionId)).data.executions[0].result[0].image;
    h.sim.inject({ target: "media", kind: "gzip" });
    const res = await h.sim.fetch(new Request(url));
    expect(res.headers.get("content-encoding")).toBe("gzip");
    const gz = await bytesOf(res);
    expect(res.headers.get("content-length")).toBe(String(gz.length));
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    const plain = await bytesOf(new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip"))));
    expect(plain).toEqual(await h.sim.mediaBytes(url));
  });

  it("a body fault waits for a request that finds a file; http500 on media answers at once", async () => {
    const { sim } = harness();
    sim.inject({ target: "media", kind: "truncated" });
    expect((await sim.fetch(new Request(`${ORIGIN}/files/nope.mp4`))).status).toBe(404);
    expect((await bytesOf(await sim.fetch(new Request(URL_SMALL)))).length).toBe(2500);
    sim.inject({ target: "media", kind: "http500" });
    expect((await sim.fetch(new Request(URL_SMALL))).status).toBe(500);
  });
});
