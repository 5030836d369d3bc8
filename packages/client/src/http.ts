// One HTTP call to the API: bearer auth, JSON in and out, problem+json into SeedrunError, and
// retries of 429, 5xx and network errors with exponential backoff that honours Retry-After.
// A POST is retried after a network error only when it carries an Idempotency-Key (the server
// then answers the first request's result instead of doing the work twice).
import { errorFromResponse, SeedrunError } from "./errors.ts";

export interface HttpOptions {
  baseUrl: string;
  apiKey: string | undefined;
  /** Attempts after the first (default 4). */
  maxRetries: number;
  /** The longest wait between attempts, whatever Retry-After says (default 30 s). */
  maxRetryDelayMs: number;
  fetch: typeof fetch;
  userAgent?: string | undefined;
  /** Called for every request sent (for counting and logging). */
  onRequest?: ((info: { method: string; url: string; attempt: number }) => void) | undefined;
}

export interface CallOptions {
  method?: string;
  query?: Record<string, unknown> | undefined;
  /** JSON-encoded unless it is FormData. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** Return the raw Response (streams); errors are still thrown. */
  raw?: boolean;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

export class Http {
  readonly options: HttpOptions;
  constructor(options: HttpOptions) {
    this.options = options;
  }

  url(path: string, query?: Record<string, unknown>): string {
    const url = new URL(path.replace(/^\//, ""), this.options.baseUrl.replace(/\/?$/, "/"));
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  async call<T>(path: string, options: CallOptions = {}): Promise<T> {
    const res = await this.send(path, options);
    if (options.raw) return res as T;
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async send(path: string, options: CallOptions): Promise<Response> {
    const method = options.method ?? "GET";
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    if (this.options.apiKey) headers.Authorization = `Bearer ${this.options.apiKey}`;
    if (this.options.userAgent) headers["User-Agent"] = this.options.userAgent;
    let body: BodyInit | undefined;
    if (options.body instanceof FormData) body = options.body;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["Content-Type"] = "application/json";
    }
    const replayable =
      method === "GET" || method === "PUT" || method === "DELETE" || headers["Idempotency-Key"] !== undefined;
    for (let attempt = 0; ; attempt++) {
      this.options.onRequest?.({ method, url, attempt });
      let res: Response;
      try {
        res = await this.options.fetch(url, { method, headers, body, signal: options.signal });
      } catch (err) {
        if (options.signal?.aborted) throw abortError(options.signal);
        if (!replayable || attempt >= this.options.maxRetries) {
          throw new SeedrunError({
            status: 0,
            code: "network_error",
            title: "Network error",
            detail: `${method} ${url}: ${String(err)}`,
            cause: err,
          });
        }
        await sleep(this.backoff(attempt, null), options.signal);
        continue;
      }
      if (res.ok) return res;
      // a 429 was not acted on, so any request may repeat it; a 5xx may have been, so only a replayable one
      const retry =
        RETRY_STATUS.has(res.status) && (replayable || res.status === 429) && attempt < this.options.maxRetries;
      if (!retry) throw await errorFromResponse(res);
      await res.body?.cancel().catch(() => undefined);
      await sleep(this.backoff(attempt, res.headers.get("retry-after")), options.signal);
    }
  }

  /** Retry-After (seconds or an HTTP date) when given, else 0.5 s doubling with jitter; never over maxRetryDelayMs. */
  backoff(attempt: number, retryAfter: string | null): number {
    let ms: number | undefined;
    if (retryAfter !== null) {
      const seconds = Number(retryAfter);
      ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
      if (!Number.isFinite(ms) || ms < 0) ms = 0;
    }
    ms ??= 500 * 2 ** attempt * (0.75 + Math.random() * 0.5);
    return Math.min(ms, this.options.maxRetryDelayMs);
  }
}

export function abortError(signal: AbortSignal): SeedrunError {
  return new SeedrunError({
    status: 0,
    code: "aborted",
    title: "Aborted",
    detail: "The request was aborted.",
    cause: signal.reason,
  });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
