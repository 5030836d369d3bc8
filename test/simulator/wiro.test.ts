import { describe, expect, it } from "vitest";
import { createSimulator, wiroSignature } from "../../simulator/index.ts";
import {
  body,
  harness,
  OPENSSL_SIGNATURES,
  ORIGIN,
  WIRO_KEY,
  WIRO_RUN,
  WIRO_RUN_PATH,
  WIRO_SECRET,
  wiroDetail,
  wiroRequest,
  wiroRun,
} from "./helpers.ts";

describe("Wiro signature", () => {
  it("matches openssl's HMAC(key = API key, message = secret + nonce)", async () => {
    for (const [nonce, expected] of Object.entries(OPENSSL_SIGNATURES)) {
      expect(await wiroSignature(WIRO_KEY, WIRO_SECRET, nonce)).toBe(expected);
    }
  });

  it("accepts an openssl-made signature and refuses wrong, swapped, upper-case or missing ones", async () => {
    const { sim } = harness();
    const ok = await sim.fetch(
      await wiroRequest(WIRO_RUN_PATH, WIRO_RUN, { nonce: "42", signature: OPENSSL_SIGNATURES["42"] }),
    );
    expect(await body(ok)).toMatchObject({ result: true });

    const swapped = (await wiroSignature(WIRO_SECRET, WIRO_KEY, "42")) as string;
    const bad = [
      { nonce: "43", signature: OPENSSL_SIGNATURES["42"] },
      { nonce: "42", signature: swapped },
      { nonce: "42", signature: (OPENSSL_SIGNATURES["42"] as string).toUpperCase() },
    ];
    // Wiro answers authentication failures with code 0 and HTTP 401 (Wiro-Docs error-reference.md)
    for (const opts of bad) {
      const res = await sim.fetch(await wiroRequest(WIRO_RUN_PATH, WIRO_RUN, opts));
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        result: false,
        errors: [{ code: 0, message: "Project authorization is not valid." }],
      });
    }
    for (const key of ["other-key", null]) {
      const res = await sim.fetch(await wiroRequest(WIRO_RUN_PATH, WIRO_RUN, { nonce: "42", key }));
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        result: false,
        errors: [{ code: 0, message: "Project authorization is not founded." }],
      });
    }
    expect(sim.tasks()).toHaveLength(1);
  });
});

describe("Wiro run", () => {
  it("returns a numeric taskid and a 30-char socketaccesstoken", async () => {
    const { sim } = harness();
    const res = await sim.fetch(await wiroRequest(WIRO_RUN_PATH, WIRO_RUN));
    const data = await body(res);
    expect(data).toEqual({
      errors: [],
      taskid: expect.stringMatching(/^\d+$/),
      socketaccesstoken: expect.stringMatching(/^[A-Za-z0-9]{30}$/),
      result: true,
    });
    expect(sim.tasks()[0]).toMatchObject({
      provider: "wiro",
      id: data.taskid,
      token: data.socketaccesstoken,
      agent: "seedance-v1",
    });
  });

  it.each([
    [{ prompt: "" }, "prompt"],
    [{ prompt: undefined }, "prompt"],
    [{ duration: 5 }, "duration"],
    [{ fps: 24 }, "fps"],
    [{ duration: "7" }, "duration"],
    [{ resolution: "1080p" }, "resolution"],
    [{ ratio: "2:3" }, "ratio"],
    [{ watermark: false }, "watermark"],
    [{ camerafixed: "yes" }, "camerafixed"],
    [{ seed: "abc" }, "seed"],
    [{ seed: 1.5 }, "seed"],
    [{ negative_prompt: "x" }, "negative_prompt"],
    [{ callbackUrl: "not a url" }, "callbackUrl"],
  ])("refuses invalid inputs with HTTP 200 result:false code 0 %#", async (patch, field) => {
    const { sim } = harness();
    const res = await sim.fetch(await wiroRequest(WIRO_RUN_PATH, { ...WIRO_RUN, ...patch }));
    expect(res.status).toBe(200);
    const data = await body(res);
    expect(data.result).toBe(false);
    expect(data.errors[0]).toMatchObject({ code: 0, message: expect.stringContaining(field) });
    expect(sim.tasks()).toHaveLength(0);
  });

  it("accepts seed as a JSON number, a string of digits or null, and projectid as the common parameter", async () => {
    const { sim } = harness();
    for (const seed of [-1, 123, null, "123", "-1"]) await wiroRun(sim, { seed });
    await wiroRun(sim, { projectid: "7731" });
    expect(sim.tasks()).toHaveLength(6);
    for (const patch of [{ seed: "12.5" }, { seed: "" }, { projectid: { id: 1 } }]) {
      const res = await sim.fetch(await wiroRequest(WIRO_RUN_PATH, { ...WIRO_RUN, ...patch }));
      expect(await body(res)).toMatchObject({
        result: false,
        errors: [{ code: 0, message: expect.stringContaining(Object.keys(patch)[0]!) }],
      });
    }
    expect(sim.tasks()).toHaveLength(6);
  });

  it("accepts multipart/form-data bodies", async () => {
    const { sim } = harness();
    const nonce = "42";
    const form = new FormData();
    for (const [k, v] of Object.entries({ prompt: "hi", duration: "10", fps: "16" })) form.append(k, v);
    const res = await sim.fetch(
      new Request(`${ORIGIN}/wiro/v1${WIRO_RUN_PATH}`, {
        method: "POST",
        headers: { "x-api-key": WIRO_KEY, "x-nonce": nonce, "x-signature": OPENSSL_SIGNATURES[nonce] as string },
        body: form,
      }),
    );
    expect((await body(res)).result).toBe(true);
    expect(sim.tasks()[0]?.params).toEqual({ prompt: "hi", duration: "10", fps: "16" });
  });
});

describe("Wiro Task/Detail", () => {
  it("walks every running status in Wiro's documented order and ends in task_postprocess_end with one mp4 output", async () => {
    const h = harness({ wiro: 10000 });
    const run = await wiroRun(h.sim);
    const statuses: string[] = [];
    for (let step = 0; step <= 40; step++) {
      const task = await wiroDetail(h.sim, run.socketaccesstoken);
      if (statuses.at(-1) !== task.status) statuses.push(task.status);
      if (task.status !== "task_postprocess_end") expect(task.outputs).toEqual([]);
      h.advance(250);
    }
    // accepted and preprocessed by a worker before it is assigned to a GPU (Wiro-Docs tasks.md)
    expect(statuses).toEqual([
      "task_queue",
      "task_accept",
      "task_preprocess_start",
      "task_preprocess_end",
      "task_assign",
      "task_start",
      "task_output",
      "task_output_full",
      "task_end",
      "task_postprocess_start",
      "task_postprocess_end",
    ]);
    const res = await h.sim.fetch(await wiroRequest("/Task/Detail", { taskid: run.taskid }));
    const data = await body(res);
    expect(data).toMatchObject({ total: "1", errors: [], result: true });
    const task = data.tasklist[0];
    expect(task).toMatchObject({
      id: run.taskid,
      socketaccesstoken: run.socketaccesstoken,
      pexit: "0",
      debugerror: "",
      elapsedseconds: "10.0000",
    });
    expect(task.outputs).toHaveLength(1);
    const out = task.outputs[0];
    expect(out).toMatchObject({
      name: "0.mp4",
      contenttype: "video/mp4",
      url: `${ORIGIN}/files/wiro/${run.taskid}/0.mp4`,
    });
    const bytes = await h.sim.mediaBytes(out.url);
    expect(out.size).toBe(String(bytes?.length));
  });

  it('unknown task → code 1 "There is no task yet."; no identifier → code 0 (Wiro-Docs error-reference.md)', async () => {
    const { sim } = harness();
    const data = await body(await sim.fetch(await wiroRequest("/Task/Detail", { tasktoken: "nope" })));
    expect(data).toEqual({ result: false, errors: [{ code: 1, message: "There is no task yet." }] });
    const none = await body(await sim.fetch(await wiroRequest("/Task/Detail", {})));
    expect(none).toEqual({ result: false, errors: [{ code: 0, message: "taskid or socketaccesstoken is required" }] });
  });
});

describe("Wiro callbacks", () => {
  it("tick() posts the task once it is terminal, retries non-200 up to 3 times", async () => {
    const h = harness({ wiro: 10000 });
    const ok = await wiroRun(h.sim, { callbackUrl: "https://worker.example/cb/ok" });
    const flaky = await wiroRun(h.sim, { callbackUrl: "https://worker.example/cb/flaky" });
    await wiroRun(h.sim); // no callbackUrl: never called
    await h.sim.tick();
    expect(h.callbacks).toHaveLength(0);
    h.advance(10000);
    h.callbackStatus.push(200, 500); // first tick: ok → 200, flaky → 500
    await h.sim.tick();
    expect(h.callbacks.map((c) => c.url)).toEqual(["https://worker.example/cb/ok", "https://worker.example/cb/flaky"]);
    const sent = JSON.parse(h.callbacks[0]?.body ?? "{}");
    expect(sent).toMatchObject({ id: ok.taskid, status: "task_postprocess_end", pexit: "0" });
    h.callbackStatus.push(503, 502, 404); // all retries of flaky fail
    for (let i = 0; i < 6; i++) await h.sim.tick();
    expect(h.callbacks.filter((c) => c.url.endsWith("/flaky"))).toHaveLength(4);
    expect(h.callbacks.filter((c) => c.url.endsWith("/ok"))).toHaveLength(1);
    expect(h.sim.tasks().find((t) => t.id === flaky.taskid)?.callbacksSent).toBe(4);
  });

  it("a canceled task also gets its callback", async () => {
    const h = harness({ wiro: 10000 });
    const run = await wiroRun(h.sim, { callbackUrl: "https://worker.example/cb" });
    await body(await h.sim.fetch(await wiroRequest("/Task/Cancel", { taskid: run.taskid })));
    await h.sim.tick();
    await h.sim.tick();
    expect(h.callbacks).toHaveLength(1);
    expect(JSON.parse(h.callbacks[0]?.body ?? "{}").status).toBe("task_cancel");
  });

  it("a sendCallback that throws counts as a failed attempt and is retried", async () => {
    let t = 0;
    const attempts: string[] = [];
    const sim = createSimulator({
      origin: ORIGIN,
      weshopApiKey: "k",
      wiroApiKey: WIRO_KEY,
      wiroApiSecret: WIRO_SECRET,
      now: () => t,
      durations: { wiro: 1000 },
      sendCallback: async (url) => {
        attempts.push(url);
        if (attempts.length === 1) throw new TypeError("connection refused");
        return 200;
      },
    });
    await wiroRun(sim, { callbackUrl: "https://worker.example/cb" });
    t = 1000;
    await sim.tick();
    await sim.tick();
    await sim.tick();
    expect(attempts).toHaveLength(2);
    expect(sim.tasks()[0]?.callbacksSent).toBe(2);
  });
});
