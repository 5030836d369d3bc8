// Test helpers: a simulator on a manual clock with recorded callbacks, and small request builders.
import { createSimulator, type Simulator } from "../../simulator/index.ts";

export const ORIGIN = "http://127.0.0.1:8790";
export const WESHOP_KEY = "ws-test-key";
export const WIRO_KEY = "sim-wiro-key";
export const WIRO_SECRET = "sim-wiro-secret";
export const T0 = 1_734_513_807_000;

/** Signatures computed outside the code under test: echo -n "sim-wiro-secret$NONCE" | openssl dgst -sha256 -hmac sim-wiro-key */
export const OPENSSL_SIGNATURES: Record<string, string> = {
  "1734513807": "6aac435d25201f7bc77aafbaaf450ea703b6f47a28ea2929212e020379f092b7",
  "42": "4c756214031137b0776f9c82561ae87c1fe9e7c9812d7db986a2c86160753af0",
};

export interface Harness {
  sim: Simulator;
  advance(ms: number): void;
  now(): number;
  callbacks: Array<{ url: string; body: string }>;
  callbackStatus: number[];
}

export function harness(durations?: { seedance?: number; seedream?: number; wiro?: number }): Harness {
  let t = T0;
  const callbacks: Array<{ url: string; body: string }> = [];
  const callbackStatus: number[] = [];
  const sim = createSimulator({
    origin: ORIGIN,
    weshopApiKey: WESHOP_KEY,
    wiroApiKey: WIRO_KEY,
    wiroApiSecret: WIRO_SECRET,
    now: () => t,
    durations: durations ?? { seedance: 20000, seedream: 8000, wiro: 10000 },
    sendCallback: async (url, body) => {
      callbacks.push({ url, body });
      return callbackStatus.shift() ?? 200;
    },
  });
  return {
    sim,
    callbacks,
    callbackStatus,
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

export function weshopRequest(
  path: string,
  init: { method?: string; body?: unknown; key?: string | null; headers?: Record<string, string> } = {},
): Request {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== null) headers.authorization = init.key ?? WESHOP_KEY;
  let body: BodyInit | undefined;
  if (init.body instanceof FormData) body = init.body;
  else if (init.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(init.body);
  }
  return new Request(`${ORIGIN}/weshop/openapi${path}`, {
    method: init.method ?? (body ? "POST" : "GET"),
    headers,
    body,
  });
}

export const SEEDANCE_RUN = {
  agent: { name: "seedance", version: "v1.0" },
  input: { images: ["https://example.com/a.jpg"] },
  params: {
    images: ["https://example.com/a.jpg"],
    textDescription: "a cat surfing",
    duration: "5s",
    aspectRatio: "16:9",
  },
};

export function seedreamRun(params: Record<string, unknown> = {}) {
  return {
    agent: { name: "seedream", version: "v1.0" },
    input: {},
    params: { textDescription: "a red bicycle", ...params },
  };
}

/** HMAC written here independently of the simulator's implementation. */
export async function hmacHex(key: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const k = await crypto.subtle.importKey("raw", enc.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", k, enc.encode(message)));
  return Array.from(sig, (b) => b.toString(16).padStart(2, "0")).join("");
}

let nonceCounter = 1000;
export async function wiroRequest(
  path: string,
  body: unknown,
  opts: { nonce?: string; signature?: string; key?: string | null } = {},
): Promise<Request> {
  const nonce = opts.nonce ?? String(nonceCounter++);
  const headers: Record<string, string> = { "content-type": "application/json", "x-nonce": nonce };
  if (opts.key !== null) headers["x-api-key"] = opts.key ?? WIRO_KEY;
  headers["x-signature"] = opts.signature ?? (await hmacHex(WIRO_KEY, WIRO_SECRET + nonce));
  return new Request(`${ORIGIN}/wiro/v1${path}`, { method: "POST", headers, body: JSON.stringify(body) });
}

export const WIRO_RUN_PATH = "/Run/ByteDance/text-to-video-seedance-v1";
export const WIRO_RUN = {
  prompt: "a bicycle at dawn",
  resolution: "480p",
  ratio: "16:9",
  duration: "5",
  fps: "24",
  watermark: "false",
  seed: null,
  camerafixed: "false",
};

// biome-ignore lint/suspicious/noExplicitAny: simulator answers are JSON of many shapes; tests read their fields freely
type Answer = any;

export async function body<T = Answer>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export async function wiroRun(
  sim: Simulator,
  extra: Record<string, unknown> = {},
): Promise<{ taskid: string; socketaccesstoken: string }> {
  const res = await sim.fetch(await wiroRequest(WIRO_RUN_PATH, { ...WIRO_RUN, ...extra }));
  const data = await body(res);
  if (!data.result) throw new Error(`run refused: ${JSON.stringify(data)}`);
  return data;
}

export async function wiroDetail(sim: Simulator, tasktoken: string): Promise<Answer> {
  const data = await body(await sim.fetch(await wiroRequest("/Task/Detail", { tasktoken })));
  return data.tasklist?.[0];
}

export async function weshopSubmit(
  sim: Simulator,
  run: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return body(await sim.fetch(weshopRequest("/agent/runs", { body: run, headers })));
}

export async function weshopPoll(sim: Simulator, executionId: string): Promise<Answer> {
  return body(await sim.fetch(weshopRequest(`/agent/runs/${executionId}`)));
}

export async function bytesOf(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}
