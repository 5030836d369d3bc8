// Test harness: the in-process provider simulator behind a fetch spy, API calls through the
// worker's own entry, and a driver that fires a job's alarms until it settles.
import { env, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { vi } from "vitest";
import { createSimulator, type SimOptions, type Simulator } from "../../simulator/index.ts";
import { gateApi } from "../../src/jobs/gate/gate-client.ts";
import { JOB_EVENTS, type JobRecord } from "../../src/jobs/record.ts";
import { messageId } from "../../src/webhooks/events.ts";
import { SIM_ORIGIN, SIM_WIRO_KEY_ONLY_API_KEY, TEST_BINDINGS } from "./bindings.ts";
import { deliveryInside, jobInside, writeJobRecord } from "./do-internals.ts";

export const KEY_A = "test-key-a";
export const KEY_B = "test-key-b";
export const BASE = "https://seedrun.test";

export interface Harness {
  sim: Simulator;
  /** The simulator's clock; the worker keeps real time, the providers' tasks progress on this. */
  advance(ms: number): void;
  /** Every outbound URL that was not the simulator (should stay empty). */
  outbound: string[];
  jobs: string[];
  /** Requests that reached the test webhook receiver (https://hooks.example.com), with their bodies. */
  webhooks: { url: string; headers: Record<string, string>; body: string }[];
  /** How the webhook receiver answers; default 200. */
  receiver: (request: Request) => Promise<Response> | Response;
  stop(): Promise<void>;
}

export const HOOK_ORIGIN = "https://hooks.example.com";

function abortable(response: Promise<Response>, signal: AbortSignal | null): Promise<Response> {
  if (!signal) return response;
  return new Promise((resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    response.then(resolve, reject);
  });
}

let current: Harness | undefined;

/** `simOptions`: simulator behaviour a test chooses (e.g. how long an automatic-duration WeShop run comes out). */
export function startHarness(
  durations = { seedance: 60_000, seedream: 20_000, wiro: 40_000 },
  simOptions: Pick<SimOptions, "weshopAutoSeconds"> = {},
): Harness {
  let now = 1_800_000_000_000;
  const sim = createSimulator({
    origin: SIM_ORIGIN,
    weshopApiKey: TEST_BINDINGS.WESHOP_API_KEY,
    wiroApiKey: TEST_BINDINGS.WIRO_API_KEY,
    wiroApiSecret: TEST_BINDINGS.WIRO_API_SECRET,
    wiroKeyOnlyApiKey: SIM_WIRO_KEY_ONLY_API_KEY,
    now: () => now,
    durations,
    ...simOptions,
    sendCallback: async (url, body) => {
      const res = await exports.default.fetch(
        new Request(url, { method: "POST", body, headers: { "Content-Type": "application/json" } }),
      );
      return res.status;
    },
  });
  const outbound: string[] = [];
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    let request = new Request(input as RequestInfo, init);
    // like the real fetch: a redirect is followed, headers and all, unless the caller said "manual"
    for (let hops = 0; ; hops++) {
      const response = await route(request);
      const location = response.headers.get("location");
      if (request.redirect !== "follow" || response.status < 300 || response.status >= 400 || !location || hops >= 5)
        return response;
      request = new Request(new URL(location, request.url), {
        method: request.method,
        headers: request.headers,
        signal: request.signal,
      });
    }
  });
  async function route(request: Request): Promise<Response> {
    const origin = new URL(request.url).origin;
    if (origin === SIM_ORIGIN) return abortable(sim.fetch(request), request.signal);
    if (origin === HOOK_ORIGIN) {
      const body = await request.text();
      harness.webhooks.push({ url: request.url, headers: Object.fromEntries(request.headers), body });
      return abortable(Promise.resolve(harness.receiver(request)), request.signal);
    }
    outbound.push(request.url);
    throw new TypeError(`test network: ${request.url} is unreachable`);
  }
  const harness: Harness = {
    sim,
    outbound,
    jobs: [],
    webhooks: [],
    receiver: () => new Response("ok"),
    advance(ms) {
      now += ms;
    },
    async stop() {
      // Alarms left behind would fire into the next test's simulator. An unfinished job is
      // canceled, then any alarm running (the step the cancel aborted, or the follow-up the
      // cancel set) is waited for: only deleting its alarm, one cut off mid-run would go on
      // after the test, submitting and re-taking a provider slot.
      const park = (id: string) =>
        runInDurableObject(jobStub(id), async (instance, state) => {
          const job = await state.storage.get<JobRecord>("job");
          const object = jobInside(instance);
          if (job && !TERMINAL.has(job.status)) await object.cancel(job.tenant);
          while (object.running) await object.running;
          await state.storage.deleteAlarm();
        });
      await Promise.all(harness.jobs.map(park));
      await Promise.all(
        harness.jobs.map(async (id) => {
          // a job stopped mid-flight would hold its provider slot for the lease's 10 minutes
          await Promise.all([gateApi(env, "weshop").release(id), gateApi(env, "wiro").release(id)]);
          for (const event of JOB_EVENTS)
            await runInDurableObject(deliveryStub(messageId(id, event)), (_, state) => state.storage.deleteAlarm());
        }),
      );

      spy.mockRestore();
      current = undefined;
    },
  };
  current = harness;
  return harness;
}

export async function api(
  path: string,
  init: {
    method?: string;
    json?: unknown;
    body?: BodyInit;
    key?: string | null;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key !== null) headers.set("Authorization", `Bearer ${init.key ?? KEY_A}`);
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  const res = await exports.default.fetch(
    new Request(`${BASE}${path}`, { method: init.method ?? (body ? "POST" : "GET"), headers, body }),
  );
  const location = res.headers.get("Location");
  const id = location?.match(/\/v1\/jobs\/(job_\w+)$/)?.[1];
  if (id) current?.jobs.push(id);
  return res;
}

export async function createJob(spec: unknown, key = KEY_A): Promise<{ id: string; body: Record<string, unknown> }> {
  const res = await api("/v1/jobs", { json: spec, key });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 202) throw new Error(`create failed ${res.status}: ${JSON.stringify(body)}`);
  return { id: body.id as string, body };
}

export function jobStub(id: string) {
  return env.JOBS.get(env.JOBS.idFromName(id));
}

export async function storedJob(id: string): Promise<JobRecord> {
  return runInDurableObject(jobStub(id), async (_, state) => (await state.storage.get<JobRecord>("job"))!);
}

const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

/**
 * Runs the job's next step now, as if its alarm time had come: waits for an alarm already
 * running (the first one fires by itself right after creation), else makes the job due and
 * runs its alarm. Exactly one step happens either way.
 */
export async function fireAlarm(id: string): Promise<void> {
  await runInDurableObject(jobStub(id), async (instance, state) => {
    const running = jobInside(instance).running;
    if (running) {
      // the runtime fired an alarm of its own: if it took the job's step, that was the step; if it
      // came early and left the job as it was, the step is still to be taken here
      const before = JSON.stringify(await state.storage.get<JobRecord>("job"));
      await running;
      if (JSON.stringify(await state.storage.get<JobRecord>("job")) !== before) return;
    }
    const job = await state.storage.get<JobRecord>("job");
    if (!job || TERMINAL.has(job.status)) return;
    await writeJobRecord(instance, state, { ...job, nextAt: Date.now() });
    await state.storage.deleteAlarm();
    await instance.alarm();
  });
}

/**
 * Runs a finished job's follow-up alarm now (waiting first for an alarm already running): the
 * stop of its provider task is made due, so exactly one stop attempt is made if one is pending.
 * Returns the job as that alarm left it.
 */
export async function fireFollowUp(id: string): Promise<JobRecord> {
  return runInDurableObject(jobStub(id), async (instance, state) => {
    const object = jobInside(instance);
    while (object.running) await object.running;
    const job = (await state.storage.get<JobRecord>("job"))!;
    if (!TERMINAL.has(job.status)) throw new Error(`job ${id} has not ended: ${job.status}`);
    if (job.providerStop)
      await writeJobRecord(instance, state, { ...job, providerStop: { ...job.providerStop, nextAt: Date.now() } });
    await state.storage.deleteAlarm();
    await instance.alarm();
    return (await state.storage.get<JobRecord>("job"))!;
  });
}

/** Fires the job's alarm (advancing provider time by `stepMs` each round) until it ends. */
export async function driveJob(h: Harness, id: string, stepMs = 15_000, maxRounds = 80): Promise<JobRecord> {
  for (let i = 0; i < maxRounds; i++) {
    const job = await storedJob(id);
    if (TERMINAL.has(job.status)) return job;
    h.advance(stepMs);
    await fireAlarm(id);
  }
  throw new Error(`job ${id} did not settle: ${JSON.stringify(await storedJob(id))}`);
}

export async function getJob(
  id: string,
  key = KEY_A,
): Promise<Record<string, unknown> & { status: string; outputs: Array<Record<string, unknown>> }> {
  const res = await api(`/v1/jobs/${id}`, { key });
  if (res.status !== 200) throw new Error(`get failed ${res.status}`);
  return res.json();
}

/** Downloads a media link the way a browser would: no API key. */
export async function download(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(new Request(url, { headers }));
}

export function deliveryStub(messageId: string) {
  return env.WEBHOOKS.get(env.WEBHOOKS.idFromName(messageId));
}

/** Makes a webhook message due now and runs one delivery attempt (or waits for the one running). */
export async function fireDelivery(messageId: string): Promise<void> {
  await runInDurableObject(deliveryStub(messageId), async (instance, state) => {
    const running = deliveryInside(instance).running;
    if (running) return running;
    const delivery = await state.storage.get<{ nextAt?: number }>("delivery");
    if (!delivery || delivery.nextAt === undefined) return;
    await state.storage.put("delivery", { ...delivery, nextAt: Date.now() });
    await state.storage.deleteAlarm();
    await instance.alarm();
  });
}
