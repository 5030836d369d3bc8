// Contract: the request shapes of Wiro's official client and docs (fixtures/wiro/*.json, each naming
// its source). The simulator must accept every one; seedrun's Wiro requests must take those shapes.
import { describe, expect, it } from "vitest";
import { type CapturedRequest, createSimulator, type Simulator } from "../../simulator/index.ts";
import { WESHOP_KEY, WIRO_KEY, WIRO_SECRET } from "./cli.ts";
import keyOnlyHeaders from "./fixtures/wiro/headers-key-only.json";
import signatureHeaders from "./fixtures/wiro/headers-signature.json";
import runFixture from "./fixtures/wiro/run.json";
import cancelFixture from "./fixtures/wiro/task-cancel.json";
import detailByTaskid from "./fixtures/wiro/task-detail-taskid.json";
import detailByToken from "./fixtures/wiro/task-detail-tasktoken.json";
import killByToken from "./fixtures/wiro/task-kill-socketaccesstoken.json";
import killByTaskid from "./fixtures/wiro/task-kill-taskid.json";
import { seedrunEnv, seedrunJob } from "./seedrun.ts";

// biome-ignore lint/suspicious/noExplicitAny: the recorded fixtures are foreign JSON read field by field
type Obj = Record<string, any>;
interface RequestFixture {
  sources: string[];
  path: string;
  body: Obj;
}
const ORIGIN = "http://127.0.0.1:8799";
const BASES = { weshopBase: `${ORIGIN}/weshop/openapi`, wiroBase: `${ORIGIN}/wiro/v1` };
const MODEL = "wiro/ByteDance/text-to-video-seedance-v1";
/** The key of a second simulated project, created as API-key-only. */
const KEY_ONLY = "contract-wiro-keyonly-key";

function manualSim(): { sim: Simulator; advance(ms: number): void } {
  let t = 1_800_000_000_000;
  const sim = createSimulator({
    origin: ORIGIN,
    weshopApiKey: WESHOP_KEY,
    wiroApiKey: WIRO_KEY,
    wiroApiSecret: WIRO_SECRET,
    wiroKeyOnlyApiKey: KEY_ONLY,
    now: () => t,
    durations: { wiro: 60_000 },
  });
  return {
    sim,
    advance: (ms) => {
      t += ms;
    },
  };
}

/** Written here from Wiro-Docs authentication.md, independently of the simulator and of src. */
async function hmacHex(key: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const k = await crypto.subtle.importKey("raw", enc.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return Array.from(new Uint8Array(await crypto.subtle.sign("HMAC", k, enc.encode(message))), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
}

async function signedHeaders(): Promise<Record<string, string>> {
  const nonce = String(Date.now());
  return {
    "content-type": "application/json",
    "x-api-key": WIRO_KEY,
    "x-nonce": nonce,
    "x-signature": await hmacHex(WIRO_KEY, WIRO_SECRET + nonce),
  };
}

function fill(body: Obj, run: { taskid: string; socketaccesstoken: string }): Obj {
  return JSON.parse(
    JSON.stringify(body).replaceAll("{taskid}", run.taskid).replaceAll("{socketaccesstoken}", run.socketaccesstoken),
  );
}

async function send(
  sim: Simulator,
  fixture: RequestFixture,
  run = { taskid: "", socketaccesstoken: "" },
): Promise<Obj> {
  const res = await sim.fetch(
    new Request(`${ORIGIN}/wiro/v1${fixture.path}`, {
      method: "POST",
      headers: await signedHeaders(),
      body: JSON.stringify(fill(fixture.body, run)),
    }),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as Obj;
}

async function statusOf(sim: Simulator, taskid: string): Promise<string> {
  return (await send(sim, detailByTaskid, { taskid, socketaccesstoken: "" })).tasklist[0].status;
}

/** Advances until the task reaches `status` (the status order is Wiro's, not this test's to fix). */
async function advanceTo(h: ReturnType<typeof manualSim>, taskid: string, status: string): Promise<void> {
  for (let i = 0; i < 200 && (await statusOf(h.sim, taskid)) !== status; i++) h.advance(500);
  expect(await statusOf(h.sim, taskid)).toBe(status);
}

describe("the simulator accepts every request shape of Wiro's official client", () => {
  it("Run with the documented body, Task/Detail by tasktoken and by taskid", async () => {
    const { sim } = manualSim();
    const run = await send(sim, runFixture);
    expect(run).toMatchObject({
      result: true,
      errors: [],
      taskid: expect.any(String),
      socketaccesstoken: expect.any(String),
    });
    for (const fixture of [detailByToken, detailByTaskid]) {
      const detail = await send(sim, fixture, run as never);
      expect(detail).toMatchObject({
        result: true,
        tasklist: [{ id: run.taskid, socketaccesstoken: run.socketaccesstoken }],
      });
    }
  });

  it("Task/Cancel {taskid} stops a queued task", async () => {
    const { sim } = manualSim();
    const run = await send(sim, runFixture);
    expect(await send(sim, cancelFixture, run as never)).toEqual({ result: true, errors: [] });
    expect(await statusOf(sim, run.taskid)).toBe("task_cancel");
  });

  it.each([
    ["{taskid}", killByTaskid],
    ["{socketaccesstoken}", killByToken],
  ])("Task/Kill %s stops a running task", async (_name, fixture) => {
    const h = manualSim();
    const run = await send(h.sim, runFixture);
    await advanceTo(h, run.taskid, "task_start");
    expect(await send(h.sim, fixture, run as never)).toEqual({ result: true, errors: [] });
    expect(await statusOf(h.sim, run.taskid)).toBe("task_cancel");
  });

  it("a key-only project takes the headers of the key-only fixture; the signature project refuses them", async () => {
    const { sim } = manualSim();
    const headers = (key: string) =>
      Object.fromEntries(keyOnlyHeaders.required.map((n) => [n, n === "x-api-key" ? key : "application/json"]));
    const post = (key: string) =>
      sim.fetch(
        new Request(`${ORIGIN}/wiro/v1${runFixture.path}`, {
          method: "POST",
          headers: headers(key),
          body: JSON.stringify(runFixture.body),
        }),
      );
    expect(await (await post(KEY_ONLY)).json()).toMatchObject({ result: true, taskid: expect.any(String) });
    const refused = await post(WIRO_KEY);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ result: false, errors: [{ code: 0 }] });
  });
});

/** Same keys, and each value of the same JSON type, as the fixture's body. */
function shapeOf(body: Obj): Record<string, string> {
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v]));
}

interface Sent {
  path: string;
  headers: Record<string, string>;
  body: string;
}

async function checkSignatureHeaders(req: Sent | CapturedRequest): Promise<void> {
  for (const name of signatureHeaders.required) expect(req.headers[name], name).toBeTruthy();
  expect(req.headers["content-type"]).toMatch(/^application\/json/);
  expect(req.headers["x-nonce"]).toMatch(new RegExp(signatureHeaders.nonce));
  expect(req.headers["x-signature"]).toBe(await hmacHex(WIRO_KEY, WIRO_SECRET + req.headers["x-nonce"]));
}

describe("seedrun's Wiro requests take the official client's shapes", () => {
  /** The recording fetch seedrun's client is given: every request it makes, then the simulator answers. */
  const recorder = (sim: Simulator, log: Sent[]) => async (input: Request | string | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => {
      headers[k] = v;
    });
    log.push({ path: new URL(req.url).pathname.replace("/wiro/v1", ""), headers, body: await req.clone().text() });
    return sim.fetch(req);
  };

  it("Run: the documented path, a JSON body of the tool inputs with their types, signed headers", async () => {
    const { sim } = manualSim();
    const log: Sent[] = [];
    const job = seedrunJob(MODEL, { prompt: "a paper boat", seed: 42 }, seedrunEnv(BASES), recorder(sim, log));
    expect(job.errors).toEqual([]);
    const outcome = await job.provider!.submit({
      jobId: crypto.randomUUID(),
      params: job.params!,
      callbackUrl: "https://example.com/hooks/wiro",
    });
    expect(outcome.ok).toBe(true);
    const [req] = log;
    expect(req?.path).toBe(runFixture.path);
    const body = JSON.parse(req!.body) as Obj;
    for (const key of Object.keys(body)) expect(runFixture.allowedKeys, key).toContain(key);
    for (const key of runFixture.stringKeys) if (key in body) expect(typeof body[key], key).toBe("string");
    expect(typeof body.seed).toBe(typeof runFixture.body.seed);
    await checkSignatureHeaders(req!);
  });

  it("Task/Detail, Task/Cancel and Task/Kill bodies match a fixture exactly in shape", async () => {
    const h = manualSim();
    const log: Sent[] = [];
    const job = seedrunJob(MODEL, { prompt: "a paper boat" }, seedrunEnv(BASES), recorder(h.sim, log));
    const queued = await job.provider!.submit({ jobId: crypto.randomUUID(), params: job.params! });
    const running = await job.provider!.submit({ jobId: crypto.randomUUID(), params: job.params! });
    if (!queued.ok || !running.ok) throw new Error("submit failed");
    const polled = await job.provider!.poll(queued.value);
    expect(polled.ok).toBe(true);
    await job.provider!.cancel(queued.value);
    await advanceTo(h, running.value.taskId, "task_start");
    const now = await job.provider!.poll(running.value);
    expect(now.ok).toBe(true);
    await job.provider!.cancel(running.value);
    const allowed: Record<string, RequestFixture[]> = {
      "/Task/Detail": [detailByToken, detailByTaskid],
      "/Task/Cancel": [cancelFixture],
      "/Task/Kill": [killByTaskid, killByToken],
    };
    const stops = log.filter((r) => r.path === "/Task/Cancel" || r.path === "/Task/Kill");
    expect(stops.length).toBeGreaterThanOrEqual(2);
    for (const req of log.filter((r) => r.path.startsWith("/Task/"))) {
      const path = req.path;
      const shapes = (allowed[path] ?? []).map((f) => shapeOf(f.body));
      expect(shapes.length, `unexpected request ${path}`).toBeGreaterThan(0);
      expect(shapes, `${path} ${req.body}`).toContainEqual(shapeOf(JSON.parse(req.body) as Obj));
      await checkSignatureHeaders(req);
    }
    // both stops really happened at the simulated Wiro
    expect(await statusOf(h.sim, queued.value.taskId)).toBe("task_cancel");
    expect(await statusOf(h.sim, running.value.taskId)).toBe("task_cancel");
  });

  it("a key-only project (no WIRO_API_SECRET) sends x-api-key alone, no nonce or signature", async () => {
    const { sim } = manualSim();
    const log: Sent[] = [];
    const job = seedrunJob(
      MODEL,
      { prompt: "a paper boat" },
      seedrunEnv(BASES, { WIRO_API_KEY: KEY_ONLY, WIRO_API_SECRET: undefined }),
      recorder(sim, log),
    );
    expect(job.errors.join("; ")).toBe("");
    const outcome = await job.provider!.submit({ jobId: crypto.randomUUID(), params: job.params! });
    expect(outcome.ok).toBe(true);
    const [req] = log;
    for (const name of keyOnlyHeaders.required) expect(req?.headers[name], name).toBeTruthy();
    for (const name of keyOnlyHeaders.forbidden) expect(req?.headers[name], name).toBeUndefined();
  });
});
