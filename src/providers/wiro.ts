// Wiro client for ByteDance/text-to-video-seedance-v1: Run, Task/Detail, Task/Cancel,
// Task/Kill. A signature-based project gets each call signed as the seed computes it: hex
// HMAC-SHA256(key = API key, message = API secret + nonce), with a fresh nonce per request; an
// API-key-only project (no secret configured) gets `x-api-key` alone, as Wiro's own client sends.
import { z } from "zod";
import type { ProviderEndpoint } from "../config.ts";
import { hmacSha256Hex } from "../lib/crypto.ts";
import { authFailure, callJson, type FetchFn, type HttpResult, parseRetryAfter } from "./http.ts";
import {
  fail,
  type Outcome,
  ok,
  type Provider,
  type ProviderError,
  type ProviderTask,
  type StopResult,
  type TaskStatus,
} from "./types.ts";

const errorList = z.array(
  z.object({ code: z.union([z.number(), z.string()]).optional(), message: z.string().optional() }),
);
const envelope = z.looseObject({ result: z.boolean().optional(), errors: errorList.optional() });
const runData = z.looseObject({ taskid: z.union([z.string(), z.number()]), socketaccesstoken: z.string().min(1) });
const detailData = z.looseObject({
  tasklist: z
    .array(
      z.looseObject({
        status: z.string(),
        pexit: z.union([z.string(), z.number()]).nullish(),
        debugerror: z.string().nullish(),
        totalcost: z.union([z.string(), z.number()]).nullish(),
        outputs: z
          .array(
            z.looseObject({
              url: z.string(),
              contenttype: z.string().nullish(),
              size: z.union([z.string(), z.number()]).nullish(),
            }),
          )
          .nullish(),
      }),
    )
    .min(1),
});

/**
 * Statuses of a task still on its way, in Wiro's order; `task_end` comes before post-processing,
 * so it is not the end. `task_error_full` is the stderr log sent once when the model process
 * exits (Wiro-Docs markdown/tasks.md), before `task_end` and post-processing: the task may still
 * succeed, and Wiro's own client does not count it as terminal (Wiro-MCP src/types.ts).
 */
const RUNNING = new Set([
  "task_queue",
  "task_accept",
  "task_preprocess_start",
  "task_preprocess_end",
  "task_assign",
  "task_start",
  "task_output",
  "task_output_full",
  "task_error_full",
  "task_end",
  "task_postprocess_start",
]);
/** Task/Detail's status for a fatal failure (Wiro-MCP's TERMINAL_STATUSES), unlike the websocket's interim stderr event of the same name. */
const ERRORED = new Set(["task_error"]);

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

/** Statuses after which a task no longer runs: finished, failed before it ran, or stopped (the terminal ones of `toStatus`). */
const ENDED = new Set(["task_postprocess_end", ...ERRORED, "task_cancel"]);

interface StopCalls {
  detail(): Promise<Outcome<string>>;
  send(op: "Cancel" | "Kill"): Promise<Outcome<unknown>>;
}

/**
 * One attempt at stopping a task, the way Wiro allows it: Cancel only while queued, Kill only
 * once a worker is assigned (between the two, accept and preprocessing, neither takes yet). The
 * choice is made from the task's status read now, and the stop counts only once Task/Detail
 * shows the task no longer runs.
 */
async function stopTask(task: ProviderTask, calls: StopCalls): Promise<Outcome<StopResult>> {
  const before = await calls.detail();
  if (!before.ok) return before;
  if (ENDED.has(before.value)) return ok(alreadyEnded(task, before.value));
  let sent: "Cancel" | "Kill" | undefined;
  if (before.value === "task_queue") {
    const canceled = await calls.send("Cancel");
    if (canceled.ok) sent = "Cancel";
    // code 1: not in a cancellable state any more (a worker took it meanwhile): Kill instead
    else if (canceled.error.code !== "1") return canceled;
  }
  if (!sent) {
    const killed = await calls.send("Kill");
    if (killed.ok) sent = "Kill";
    else if (killed.error.code !== "1") return killed;
  }
  const after = await calls.detail();
  if (!after.ok)
    return ok({
      state: "pending",
      message: sent
        ? `Wiro accepted Task/${sent} for task ${task.taskId}, but its status could not be read to confirm the stop`
        : `Wiro could not stop task ${task.taskId} yet`,
    });
  if (after.value === "task_cancel" && sent)
    return ok({
      state: "stopped",
      ended: false,
      providerStatus: after.value,
      message: `Wiro task ${task.taskId} ${sent === "Cancel" ? "canceled while queued" : "killed"} (Task/Detail shows task_cancel)`,
    });
  if (ENDED.has(after.value)) return ok(alreadyEnded(task, after.value));
  // Kill refused (code 1) while the task is accepted or preprocessing: not assigned to a worker yet
  return ok({
    state: "pending",
    providerStatus: after.value,
    message: sent
      ? `Wiro accepted Task/${sent} for task ${task.taskId}, but Task/Detail still shows ${after.value}`
      : `Wiro cannot stop task ${task.taskId} yet (${after.value}: not assigned to a worker)`,
  });
}

function alreadyEnded(task: ProviderTask, status: string): StopResult {
  const message =
    status === "task_cancel"
      ? `Wiro task ${task.taskId} is canceled (Task/Detail shows task_cancel)`
      : `Wiro task ${task.taskId} had already ended by itself (${status}) before it could be stopped`;
  return { state: "stopped", ended: status !== "task_cancel", providerStatus: status, message };
}

/** `totalcost`: the USD charged, a decimal string (e.g. "0.003510000000"; "0" for a failed task). */
function costOf(task: z.infer<typeof detailData>["tasklist"][number]): { cost?: number } {
  const n =
    task.totalcost === undefined || task.totalcost === null || task.totalcost === ""
      ? Number.NaN
      : Number(task.totalcost);
  return Number.isFinite(n) && n >= 0 ? { cost: n } : {};
}

function toStatus(task: z.infer<typeof detailData>["tasklist"][number]): TaskStatus {
  const status = toStatusOnly(task);
  return status.state === "running" ? status : { ...status, ...costOf(task) };
}

function toStatusOnly(task: z.infer<typeof detailData>["tasklist"][number]): TaskStatus {
  const status = task.status;
  if (RUNNING.has(status)) return { state: "running", providerStatus: status };
  if (status === "task_cancel")
    return { state: "canceled", providerStatus: status, message: "Wiro reports the task as canceled (task_cancel)" };
  if (status === "task_postprocess_end") {
    // both successful and failed tasks end here: only exit code "0" is a success
    const pexit = task.pexit === undefined || task.pexit === null ? "" : String(task.pexit);
    if (pexit !== "0")
      return {
        state: "failed",
        providerStatus: status,
        code: "run_failed",
        message: `Wiro run ended with ${pexit === "" ? "no exit code" : `exit code ${pexit}`}${task.debugerror ? `: ${task.debugerror.slice(0, 300)}` : ""}`,
      };
    const outputs = (task.outputs ?? []).map((o) => {
      const size = o.size === undefined || o.size === null ? undefined : Number(o.size);
      return {
        ok: true,
        url: o.url,
        contentType: o.contenttype ?? undefined,
        size: size !== undefined && Number.isFinite(size) ? size : undefined,
      };
    });
    return { state: "succeeded", providerStatus: status, outputs };
  }
  if (ERRORED.has(status))
    return {
      state: "failed",
      providerStatus: status,
      code: "run_failed",
      message: task.debugerror?.slice(0, 300) || `Wiro reported ${status}`,
    };
  // a status Wiro added after this was written: keep polling until the deadline decides
  return { state: "running", providerStatus: status };
}
