// The soak test's mix and its observer: which faults go where, the spec of the n-th job, and a
// record of every call to the simulator with how it ended, classified as the job should see it.
import type { Fault, FaultKind, FaultTarget } from "../../simulator/index.ts";
import { SIM_ORIGIN } from "../support/bindings.ts";
import { HOOK_ORIGIN } from "../support/harness.ts";
import { intIn, layerFetch, pick } from "./support.ts";

// Every kind the simulator can inject at each target a job reaches (weshop.upload is reached only
// by POST /v1/uploads, not by jobs).
export const KINDS: Partial<Record<FaultTarget, FaultKind[]>> = {
  "weshop.submit": [
    "http500",
    "http503",
    "rate_limit",
    "hang",
    "accept_then_hang",
    "malformed_json",
    "unexpected_shape",
    "error_final",
    "run_failed",
    "run_partial",
  ],
  "weshop.poll": ["http500", "http503", "rate_limit", "hang", "malformed_json", "unexpected_shape", "error_final"],
  "wiro.run": [
    "http500",
    "http503",
    "rate_limit",
    "hang",
    "accept_then_hang",
    "malformed_json",
    "unexpected_shape",
    "error_final",
    "run_failed",
  ],
  "wiro.detail": ["http500", "http503", "rate_limit", "hang", "malformed_json", "unexpected_shape", "error_final"],
  "wiro.cancel": ["http500", "http503", "rate_limit", "hang", "malformed_json", "unexpected_shape", "error_final"],
  "wiro.kill": ["http500", "http503", "rate_limit", "hang", "malformed_json", "unexpected_shape", "error_final"],
  media: ["http500", "http503", "rate_limit", "hang", "expired", "truncated", "wrong_length", "chunked", "gzip"],
};
export const FAULTS_PER_CHUNK: Partial<Record<FaultTarget, number>> = {
  "weshop.submit": 8,
  "weshop.poll": 6,
  "wiro.run": 5,
  "wiro.detail": 5,
  "wiro.cancel": 1,
  "wiro.kill": 1,
  media: 12,
};

export type Model = "weshop/seedance" | "weshop/seedream" | "wiro/ByteDance/text-to-video-seedance-v1";

export function specFor(rand: () => number, n: number): Record<string, unknown> {
  const model = pick<Model>(rand, ["weshop/seedance", "weshop/seedream", "wiro/ByteDance/text-to-video-seedance-v1"]);
  const params =
    model === "weshop/seedance"
      ? {
          textDescription: `soak clip ${n}`,
          images: ["https://images.example.com/a.png"],
          duration: pick(rand, ["4s", "5s", "6s"]),
          batchCount: intIn(rand, 1, 2),
        }
      : model === "weshop/seedream"
        ? {
            textDescription: `soak image ${n}`,
            batchCount: intIn(rand, 1, 3),
            outputFormat: pick(rand, ["jpeg", "png"]),
          }
        : { prompt: `soak video ${n}`, duration: pick(rand, ["5", "10"]), resolution: pick(rand, ["480p", "720p"]) };
  return {
    model,
    params,
    metadata: { soak: String(n) },
    ...(rand() < 0.15 ? { webhookUrl: `${HOOK_ORIGIN}/soak` } : {}),
  };
}

export function faultFor(rand: () => number, target: FaultTarget): Fault {
  const kind = pick(rand, KINDS[target]!);
  // (a hung download costs MEDIA_TIMEOUT_MS of real time each, so those come one at a time)
  const once =
    kind === "error_final" || kind === "run_failed" || kind === "expired" || (kind === "hang" && target === "media");
  const fault: Fault = { target, kind, times: once ? 1 : pick(rand, [1, 1, 1, 2, 3, 6]) };
  if (kind === "rate_limit") {
    const form = pick(rand, ["none", "seconds", "date"]);
    if (form === "seconds") fault.retryAfter = intIn(rand, 1, 120);
    if (form === "date") fault.retryAfter = new Date(Date.now() + intIn(rand, 1, 120) * 1000).toUTCString();
  }
  return fault;
}

/** One provider or media call as the worker made it and as it ended. */
export interface Exchange {
  target: string;
  path: string;
  method: string;
  idempotencyKey?: string;
  requestBody: string;
  status?: number;
  aborted?: boolean;
  headers: Record<string, string>;
  responseBody?: string;
}

export function targetOf(path: string, method: string): string {
  if (path.startsWith("/files/")) return "media";
  if (path.endsWith("/agent/runs") && method === "POST") return "weshop.submit";
  if (path.includes("/agent/runs/")) return "weshop.poll";
  if (path.includes("/wiro/v1/Run/")) return "wiro.run";
  if (path.endsWith("/Task/Detail")) return "wiro.detail";
  if (path.endsWith("/Task/Cancel")) return "wiro.cancel";
  if (path.endsWith("/Task/Kill")) return "wiro.kill";
  return "other";
}

/** Records every call to the simulator with how it ended (answered, or aborted by a timeout). */
export function observe(): Exchange[] {
  const log: Exchange[] = [];
  layerFetch(async (request, next) => {
    const url = new URL(request.url);
    if (url.origin !== SIM_ORIGIN) return next();
    const ex: Exchange = {
      target: targetOf(url.pathname, request.method),
      path: url.pathname,
      method: request.method,
      requestBody: request.method === "POST" ? await request.text() : "",
      headers: {},
    };
    const key = request.headers.get("idempotency-key");
    if (key) ex.idempotencyKey = key;
    log.push(ex);
    try {
      const res = await next();
      ex.status = res.status;
      ex.headers = Object.fromEntries(res.headers);
      if (ex.target !== "media") ex.responseBody = await res.clone().text();
      return res;
    } catch (err) {
      ex.aborted = true;
      throw err;
    }
  });
  return log;
}

export type Outcome =
  | "ok"
  | "timeout"
  | "5xx"
  | "rate"
  | "final"
  | "malformed"
  | "shape"
  | "expired"
  | "short"
  | "benign"
  | "other_error";

export function outcomeOf(ex: Exchange): Outcome {
  if (ex.aborted) return "timeout";
  const status = ex.status ?? 0;
  if (ex.target === "media") {
    if (status === 404) return "expired";
    if (status === 429) return "rate";
    if (status >= 500) return "5xx";
    if (ex.headers.connection === "close") return "short";
    if (ex.headers["content-encoding"] === "gzip" || ex.headers["content-length"] === undefined) return "benign";
    return status === 200 ? "ok" : "other_error";
  }
  if (status >= 500) return "5xx";
  if (status === 429) return "rate";
  let body: unknown;
  try {
    body = JSON.parse(ex.responseBody ?? "");
  } catch {
    return "malformed";
  }
  const b = body as {
    hello?: string;
    success?: boolean;
    error?: { code?: string };
    errors?: { code?: number }[];
    result?: boolean;
  };
  if (b.hello === "world") return "shape";
  if (b.error?.code === "INSUFFICIENT_POWER") return "final";
  const wiroCode = b.errors?.[0]?.code;
  if (wiroCode === 96) return "rate";
  if (wiroCode === 97) return "final";
  if (status >= 400 || b.success === false || b.result === false) return "other_error";
  return "ok";
}
