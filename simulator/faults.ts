// Fault queue (FIFO per target) and the canned provider-shaped responses that faults produce.
import { json } from "./state.ts";
import type { Fault, FaultKind, FaultQueue, FaultTarget } from "./types.ts";

const GENERIC: FaultKind[] = [
  "http500",
  "http503",
  "rate_limit",
  "hang",
  "malformed_json",
  "unexpected_shape",
  "error_final",
  "redirect",
];
/** Transient answers of the real APIs (docs/providers.md, "What the official clients show"). */
const WESHOP_TRANSIENT: FaultKind[] = ["concurrency_limit", "system_error"];
const WIRO_DETAIL_TRANSIENT: FaultKind[] = ["server_error", "no_task_yet", "http429"];
const ALLOWED: Record<FaultTarget, FaultKind[]> = {
  "weshop.submit": [...GENERIC, ...WESHOP_TRANSIENT, "accept_then_hang", "run_failed", "run_partial"],
  "weshop.poll": [...GENERIC, ...WESHOP_TRANSIENT],
  "weshop.upload": GENERIC,
  "wiro.run": [...GENERIC, "http429", "accept_then_hang", "run_failed"],
  "wiro.detail": [...GENERIC, ...WIRO_DETAIL_TRANSIENT],
  "wiro.cancel": GENERIC,
  "wiro.kill": GENERIC,
  "wiro.delete": GENERIC,
  media: ["http500", "http503", "rate_limit", "hang", "expired", "truncated", "wrong_length", "chunked", "gzip"],
  "weshop.estimate": [...GENERIC, ...WESHOP_TRANSIENT],
  "wiro.tool": GENERIC,
  "weshop.info": GENERIC,
};

/** Kinds answered before the endpoint does any work; the rest shape a task or a media body and wait for one. */
export const EARLY_KINDS: ReadonlySet<FaultKind> = new Set([
  ...GENERIC,
  ...WESHOP_TRANSIENT,
  ...WIRO_DETAIL_TRANSIENT,
  "expired",
]);

interface Queued {
  fault: Fault;
  left: number;
}

export function validateFault(input: unknown): Fault {
  const f = input as Partial<Fault> | null;
  if (!f || typeof f !== "object") throw new Error("fault must be an object");
  const target = f.target as FaultTarget;
  const allowed = ALLOWED[target];
  if (!allowed) throw new Error(`unknown fault target: ${String(f.target)}`);
  if (!allowed.includes(f.kind as FaultKind))
    throw new Error(`fault kind ${String(f.kind)} does not apply to ${target}`);
  if (f.times !== undefined && (!Number.isInteger(f.times) || f.times < 1))
    throw new Error("times must be a positive integer");
  if (f.retryAfter !== undefined && typeof f.retryAfter !== "number" && typeof f.retryAfter !== "string") {
    throw new Error("retryAfter must be a number of seconds or a string");
  }
  const out: Fault = { target, kind: f.kind as FaultKind };
  if (f.times !== undefined) out.times = f.times;
  if (f.retryAfter !== undefined) out.retryAfter = f.retryAfter;
  return out;
}

export function createFaultQueue(): FaultQueue {
  const queues = new Map<FaultTarget, Queued[]>();
  return {
    inject(fault) {
      const f = validateFault(fault);
      const q = queues.get(f.target) ?? [];
      q.push({ fault: f, left: f.times ?? 1 });
      queues.set(f.target, q);
    },
    take(target, accept) {
      const q = queues.get(target);
      const head = q?.[0];
      if (!q || !head || !accept(head.fault.kind)) return undefined;
      head.left -= 1;
      if (head.left <= 0) q.shift();
      return head.fault;
    },
    clear() {
      queues.clear();
    },
    pending() {
      return [...queues.values()].flat().map((q) => ({ ...q.fault, left: q.left }));
    },
  };
}

/** Carries the abort reason of a hung request through Hono so the sim's fetch rejects the way a real fetch would. */
export class SimAbort extends Error {
  reason: unknown;
  constructor(reason: unknown) {
    super("request aborted while the simulator was hanging");
    this.reason = reason;
  }
}

/** Never answers; settles only when the caller aborts (or the sim is reset, which releases every hang). */
export function hangUntilAbort(signal: AbortSignal, hangs: Set<(reason: unknown) => void>): Promise<never> {
  return new Promise<never>((_, reject) => {
    const release = (reason: unknown) => {
      hangs.delete(release);
      reject(new SimAbort(reason));
    };
    if (signal.aborted) return release(signal.reason);
    signal.addEventListener("abort", () => release(signal.reason), { once: true });
    hangs.add(release);
  });
}

function retryAfter(fault: Fault): Record<string, string> {
  return fault.retryAfter === undefined ? {} : { "retry-after": String(fault.retryAfter) };
}

/** Where the `redirect` fault points: a host nobody should ever send a request to. */
export const REDIRECT_TARGET = "https://collector.invalid/keys";

const GATEWAY_503 = "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>";

/** Response for an early fault; `hang` is handled by the caller because it needs the request's signal. */
export function faultResponse(provider: "weshop" | "wiro" | "media", fault: Fault): Response {
  switch (fault.kind) {
    case "http503":
      // Gateways answer 503 with HTML, not the provider envelope; clients must not assume JSON.
      return new Response(GATEWAY_503, { status: 503, headers: { "content-type": "text/html" } });
    case "malformed_json":
      return new Response("{not json", { status: 200, headers: { "content-type": "application/json" } });
    case "unexpected_shape":
      return json({ hello: "world" }, 200);
    case "redirect":
      // a misconfigured proxy or a hijacked host: a client that follows it hands its key to another origin
      return new Response(null, { status: 307, headers: { location: `${REDIRECT_TARGET}/${provider}` } });
    default:
      break;
  }
  if (provider === "weshop") {
    switch (fault.kind) {
      case "http500":
        // No `retryable` on purpose: clients must fall back to "HTTP >= 500 is retryable".
        return json({ success: false, error: { code: "INTERNAL_ERROR", message: "Simulated internal error" } }, 500);
      case "rate_limit":
        return json(
          { success: false, error: { code: "RATE_LIMITED", message: "Too many requests", retryable: true } },
          429,
          retryAfter(fault),
        );
      case "error_final":
        return json(
          {
            success: false,
            error: { code: "INSUFFICIENT_POWER", message: "Insufficient power balance", retryable: false },
          },
          400,
        );
      // the older API's numeric codes come with HTTP 200; one in each envelope, neither says `retryable`
      case "concurrency_limit":
        return json(
          { success: false, error: { code: 40005, message: "Concurrency limit reached, please retry later" } },
          200,
          retryAfter(fault),
        );
      case "system_error":
        return json({ code: 50001, msg: "System error, please retry" }, 200);
      default:
        break;
    }
  } else if (provider === "wiro") {
    switch (fault.kind) {
      case "http500":
        return json({ result: false, errors: [{ code: 0, message: "Internal server error" }] }, 500);
      case "rate_limit":
        return json(
          { result: false, errors: [{ code: 96, message: "Concurrent task limit reached" }] },
          200,
          retryAfter(fault),
        );
      case "error_final":
        return json({ result: false, errors: [{ code: 97, message: "Insufficient balance" }] }, 200);
      case "server_error":
        return json(
          { result: false, errors: [{ code: 0, message: "An unexpected error occurred, please try again" }] },
          200,
        );
      case "no_task_yet":
        // what Task/Detail can answer for a task Run has only just created
        return json({ result: false, errors: [{ code: 1, message: "There is no task yet." }] }, 200);
      case "http429":
        // the per-project rate limit
        return json({ result: false, errors: [{ code: 0, message: "Too many requests" }] }, 429, retryAfter(fault));
      default:
        break;
    }
  } else {
    switch (fault.kind) {
      case "http500":
        return new Response("Internal Server Error", { status: 500, headers: { "content-type": "text/plain" } });
      case "rate_limit":
        return new Response("Too Many Requests", {
          status: 429,
          headers: { "content-type": "text/plain", ...retryAfter(fault) },
        });
      case "expired":
        return new Response("Not Found", { status: 404, headers: { "content-type": "text/plain" } });
      default:
        break;
    }
  }
  throw new Error(`no early response for fault ${fault.kind} on ${provider}`);
}
