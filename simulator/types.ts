// Public types of the provider simulator (kept apart so every module can import them without cycles).

export interface SimOptions {
  /** Where the sim is reachable, e.g. "http://127.0.0.1:8790"; used to build the media URLs it hands out. */
  origin: string;
  weshopApiKey: string;
  wiroApiKey: string;
  wiroApiSecret: string;
  /** The key of a second Wiro project, created as "API Key Only": it is accepted without a signature. */
  wiroKeyOnlyApiKey?: string;
  /** ms clock; default Date.now. Tests pass a manual clock. */
  now?: () => number;
  /** ms from submit to finished; defaults 20000, 8000, 15000. */
  durations?: { seedance?: number; seedream?: number; wiro?: number };
  /** POST for Wiro callbacks; default uses global fetch and returns the HTTP status. */
  sendCallback?: (url: string, body: string) => Promise<number>;
  /** Benchmarks: Wiro outputs become synthetic videos of this many bytes (streamed, never held whole). */
  wiroOutputBytes?: number;
  /** With wiroOutputBytes: serve them without Content-Length (unknown length). */
  wiroOutputChunked?: boolean;
  /** WeShop agents or modelNames this account has no subscription for: runs answer 403 SUBSCRIPTION_REQUIRED. */
  weshopUnsubscribed?: string[];
  /**
   * How long a WeShop run with an automatic duration (`"-1"`) comes out, in seconds: the model
   * chooses, and the run is charged for what it made. The power estimate (`isEstimated: true`)
   * always guesses AUTO_GUESS_SECONDS. Default: that guess.
   */
  weshopAutoSeconds?: number;
}

export type FaultTarget =
  | "weshop.submit"
  | "weshop.poll"
  | "weshop.upload"
  | "weshop.estimate"
  | "weshop.info"
  | "wiro.run"
  | "wiro.detail"
  | "wiro.cancel"
  | "wiro.kill"
  | "wiro.delete"
  | "wiro.tool"
  | "media";

export type FaultKind =
  | "http500"
  | "http503"
  | "rate_limit"
  | "hang"
  | "accept_then_hang"
  | "malformed_json"
  | "unexpected_shape"
  | "error_final"
  | "redirect"
  | "run_failed"
  | "run_partial"
  | "expired"
  | "truncated"
  | "wrong_length"
  | "chunked"
  | "gzip"
  // WeShop's older numeric codes, answered with HTTP 200: 40005 concurrency limit, 50001 system error
  | "concurrency_limit"
  | "system_error"
  // Wiro: code 0 server error, code 1 "There is no task yet." (right after Run), HTTP 429 rate limit
  | "server_error"
  | "no_task_yet"
  | "http429";

export interface Fault {
  target: FaultTarget;
  kind: FaultKind;
  /** How many matching requests it applies to; default 1. */
  times?: number;
  /** For rate_limit: number = seconds, string = sent as is (e.g. an HTTP date). */
  retryAfter?: number | string;
}

export interface CapturedRequest {
  at: number;
  target: FaultTarget;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface SimTask {
  provider: "weshop" | "wiro";
  /** WeShop executionId or Wiro taskid. */
  id: string;
  /** Wiro socketaccesstoken. */
  token?: string;
  /** "seedance" | "seedance-25" | "seedream" for WeShop, "seedance-v1" for Wiro. */
  agent?: string;
  idempotencyKey?: string;
  params: Record<string, unknown>;
  /** WeShop: the params the run executes, the server's defaults filled in (e.g. modelName) and its images in `images`. */
  effectiveParams?: Record<string, unknown>;
  callbackUrl?: string;
  createdAt: number;
  outcome: "success" | "failed" | "partial";
  canceledAt?: number;
  killedAt?: number;
  /** Wiro: Task/InputOutputDelete removed the task's input and output files. */
  filesDeletedAt?: number;
  /** Wiro callback POST attempts made so far (a delivered callback stops further attempts). */
  callbacksSent: number;
}

export interface Simulator {
  fetch(request: Request): Promise<Response>;
  /** Faults are consumed FIFO per target, `times` each. Throws on a kind that makes no sense for the target. */
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Every request to a provider endpoint or media, in order, including refused ones. */
  requests: CapturedRequest[];
  tasks(): SimTask[];
  /** The exact full bytes served at that media URL (ignoring faults), or undefined if nothing is served there. */
  mediaBytes(url: string): Promise<Uint8Array | undefined>;
  /** Sends due Wiro callbacks; the node runner calls it every 250 ms. */
  tick(): Promise<void>;
  reset(): void;
}

/** The faults injected through the control API, consumed in order by the provider routes. */
export interface FaultQueue {
  inject(fault: Fault): void;
  /** Consumes one use of the target's head fault if `accept` likes its kind; strict FIFO, so a non-matching head blocks. */
  take(target: FaultTarget, accept: (kind: FaultKind) => boolean): Fault | undefined;
  clear(): void;
  pending(): Array<Fault & { left: number }>;
}
