// Wiro client for ByteDance/text-to-video-seedance-v1: Run, Task/Detail, Task/Cancel, Task/Kill (what a task's status
// means, and how a stop is chosen from it: wiro-tasks.ts). A signature-based project gets each call signed as the seed
// computes it: hex HMAC-SHA256(key = API key, message = API secret + nonce), with a fresh nonce per request; an
// API-key-only project (no secret configured) gets `x-api-key` alone, as Wiro's own client sends.
import { z } from "zod";
import type { ProviderEndpoint } from "../config.ts";
import { hmacSha256Hex } from "../lib/crypto.ts";
import { authFailure, callJson, type FetchFn, type HttpResult, parseRetryAfter } from "./http.ts";
import { fail, type Outcome, ok, type Provider, type ProviderError } from "./types.ts";
import { detailData, stopTask, toStatus } from "./wiro-tasks.ts";

const errorList = z.array(
  z.object({ code: z.union([z.number(), z.string()]).optional(), message: z.string().optional() }),
);
const envelope = z.looseObject({ result: z.boolean().optional(), errors: errorList.optional() });
const runData = z.looseObject({ taskid: z.union([z.string(), z.number()]), socketaccesstoken: z.string().min(1) });

type Endpoint = "submit" | "poll" | "stop";

function endpointOf(path: string): Endpoint {
  if (path.startsWith("/Run/")) return "submit";
  return path === "/Task/Detail" ? "poll" : "stop";
}

/**
 * Whether one Wiro error code is worth asking again, per endpoint. 96 is the concurrency limit
 * (retry later) everywhere. On Task/Detail the task exists, so code 0 (a server error; a
 * validation error cannot be meant) and code 1 ("There is no task yet." right after Run) are
 * transient. On Cancel/Kill, code 0 is a server error and code 1 (wrong state) is handled by the
 * stop itself. On Run, 0 may be a validation error and 97 is the balance: refused for good.
 */
function retryableCode(code: string, endpoint: Endpoint): boolean {
  if (code === "96") return true;
  // Cancel/Kill name an existing task in a body Wiro's own client sends, so code 0 is a server
  // error there too: asked again (bounded by the stop's attempts) instead of leaving a task billing
  if (endpoint === "stop") return code === "0";
  return endpoint === "poll" && (code === "0" || code === "1");
}

export interface WiroOptions {
  /** Without `apiSecret` the project is taken as API-key-only. */
  endpoint: ProviderEndpoint & { apiKey: string; apiSecret?: string };
  timeoutMs: number;
  fetch: FetchFn;
  model: string;
}

export async function wiroSignature(apiKey: string, apiSecret: string, nonce: string): Promise<string> {
  return hmacSha256Hex(apiKey, `${apiSecret}${nonce}`);
}

function freshNonce(): string {
  // unix seconds plus random digits: unique per request, still an integer as the seed asks
  const random = crypto.getRandomValues(new Uint32Array(1))[0]! % 1_000_000;
  return `${Math.floor(Date.now() / 1000)}${String(random).padStart(6, "0")}`;
}

function classify(
  result: Extract<HttpResult, { ok: true }>,
  endpoint: Endpoint,
  keyOnly: boolean,
): ProviderError | undefined {
  const { status, headers } = result;
  const parsed = envelope.safeParse(result.json);
  const retryAfterMs = parseRetryAfter(headers.get("retry-after"));
  if (status < 300 && parsed.success && parsed.data.result !== false && (parsed.data.errors ?? []).length === 0)
    return undefined;
  const first = parsed.success ? parsed.data.errors?.[0] : undefined;
  const code = first?.code === undefined ? undefined : String(first.code);
  // Wiro answers a refused key or signature with code 0 and HTTP 401; 98/99 are its sign-in and token refusals
  if (status === 401 || code === "98" || code === "99")
    return authFailure(
      "Wiro",
      status,
      `code ${code ?? "none"}: ${first?.message ?? "no message"}`,
      keyOnly
        ? "check WIRO_API_KEY; a signature-based Wiro project also needs WIRO_API_SECRET"
        : "check WIRO_API_KEY and WIRO_API_SECRET (an API-key-only project takes no secret)",
    );
  const pushback = status === 429 || code === "96";
  if (code !== undefined) {
    const retryable = retryableCode(code, endpoint) || status >= 500 || status === 429;
    return {
      retryable,
      code,
      message: first?.message ?? `Wiro error ${code}`,
      httpStatus: status,
      retryAfterMs,
      ...(pushback ? { pushback } : {}),
    };
  }
  if (status >= 300 || !parsed.success || parsed.data.result === false) {
    const retryable = status >= 500 || status === 429 || status < 300;
    return {
      retryable,
      code: `http_${status}`,
      message: `Wiro answered HTTP ${status}`,
      httpStatus: status,
      retryAfterMs,
      ...(pushback ? { pushback } : {}),
    };
  }
  return undefined;
}

export function wiroProvider(opts: WiroOptions): Provider {
  const { endpoint, timeoutMs, fetch } = opts;

  const { apiKey, apiSecret } = endpoint;

  async function authHeaders(): Promise<Record<string, string>> {
    if (apiSecret === undefined) return { "x-api-key": apiKey };
    const nonce = freshNonce();
    return { "x-api-key": apiKey, "x-nonce": nonce, "x-signature": await wiroSignature(apiKey, apiSecret, nonce) };
  }

  async function call<T>(
    path: string,
    body: Record<string, unknown>,
    schema: z.ZodType<T>,
    mutating: boolean,
    signal?: AbortSignal,
  ): Promise<Outcome<T>> {
    const result = await callJson(
      fetch,
      `${endpoint.baseUrl}${path}`,
      {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", ...(await authHeaders()) },
        body: JSON.stringify(body),
        signal,
      },
      timeoutMs,
      mutating,
    );
    if (!result.ok) return fail(result.error);
    const error = classify(result, endpointOf(path), apiSecret === undefined);
    if (error) return fail(error);
    const parsed = schema.safeParse(result.json);
    if (!parsed.success)
      return fail({
        retryable: true,
        code: "bad_response",
        message: "Wiro answered with an unexpected shape",
        uncertain: mutating,
      });
    return ok(parsed.data);
  }

  const taskRef = (task: { taskId: string; token?: string }) =>
    task.token ? { tasktoken: task.token } : { taskid: task.taskId };

  return {
    name: "wiro",
    idempotentSubmit: false,
    async submit({ params, callbackUrl, signal }) {
      const outcome = await call(
        `/Run/${opts.model}`,
        callbackUrl ? { ...params, callbackUrl } : params,
        runData,
        true,
        signal,
      );
      if (!outcome.ok) return outcome;
      return ok({ taskId: String(outcome.value.taskid), token: outcome.value.socketaccesstoken });
    },
    async poll(task, callOpts) {
      const outcome = await call("/Task/Detail", taskRef(task), detailData, false, callOpts?.signal);
      if (!outcome.ok) return outcome;
      return ok(toStatus(outcome.value.tasklist[0]!));
    },
    cancel: (task) =>
      stopTask(task, {
        // by taskid, as Wiro's client names a task it stops; it also tells a stop's reads apart from the job's polls
        detail: async () => {
          const outcome = await call("/Task/Detail", { taskid: task.taskId }, detailData, false);
          return outcome.ok ? ok(outcome.value.tasklist[0]!.status) : outcome;
        },
        // Wiro's own client sends Cancel and Kill by taskid (it calls taskid required)
        send: (op) => call(`/Task/${op}`, { taskid: task.taskId }, envelope, true),
      }),
    // Wiro-Docs tasks.md: by the task's socketaccesstoken, terminal tasks only, idempotent
    deleteFiles: (task) => call("/Task/InputOutputDelete", { tasktoken: task.token ?? "" }, envelope, true),
  };
}
