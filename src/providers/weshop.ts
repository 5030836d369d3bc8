// WeShop OpenAPI client (agents seedance/seedream): submit a run with a per-job idempotency
// key, read its executions, classify every failure. The key goes only to the configured base
// URL, which config.ts allows to be the real WeShop host or a loopback simulator.
import { z } from "zod";
import type { ProviderEndpoint } from "../config.ts";
import { authFailure, callJson, type FetchFn, type HttpResult, parseRetryAfter } from "./http.ts";
import type { OutputKind } from "./models.ts";
import { fail, type Outcome, ok, type Provider, type ProviderError, type TaskStatus } from "./types.ts";
import { weshopRunBody, weshopRunKey } from "./weshop-run.ts";

/** WeShop's error envelope, and the older `{code, msg}` form some responses still use. */
export const envelopeError = z.object({
  success: z.literal(false).optional(),
  error: z
    .object({
      code: z.union([z.string(), z.number()]).optional(),
      message: z.string().optional(),
      retryable: z.boolean().optional(),
    })
    .optional(),
  code: z.union([z.string(), z.number()]).optional(),
  msg: z.string().optional(),
});

const submitData = z.object({
  executionId: z.string().min(1),
  taskId: z.string().optional(),
  // what the run costs in power points, when WeShop reports it; an odd value is left out, never fatal
  powerConsumption: z.number().finite().nonnegative().optional().catch(undefined),
});

const resultEntry = z.looseObject({
  status: z.string().optional(),
  image: z.string().optional(),
  video: z.string().optional(),
  // images that may come with a video: kept as extras, never required
  videoPoster: z.unknown().optional(),
  lastFrame: z.unknown().optional(),
});
const runData = z.object({
  executions: z
    .array(
      z.looseObject({ executionId: z.string().optional(), status: z.string(), result: z.array(resultEntry).nullish() }),
    )
    .default([]),
});

const RUNNING = new Set(["Pending", "Segmenting", "Running"]);
/** Some WeShop material names a canceled run either way; both are final. */
const CANCELED = new Set(["Cancelled", "Canceled"]);

export interface WeshopOptions {
  endpoint: ProviderEndpoint & { apiKey: string };
  timeoutMs: number;
  fetch: FetchFn;
  agent: string;
  kind: OutputKind;
}

/**
 * Codes of the older WeShop API, still met with HTTP 200: 40005 is the concurrency limit ("retry
 * later", so it is pushback like a 429) and 50001–50006 are system errors ("retry"). Either may
 * come in the `{success:false,error:{code}}` or the older `{code,msg}` envelope, as number or string.
 */
const CONCURRENCY_LIMIT = "40005";
const SYSTEM_ERROR = /^5000[1-6]$/;

/** One of the older API's "retry later" codes, whatever the endpoint and HTTP status. */
export function isTransientCode(code: string): boolean {
  return code === CONCURRENCY_LIMIT || SYSTEM_ERROR.test(code);
}

function classify(result: Extract<HttpResult, { ok: true }>): ProviderError | undefined {
  const { status, headers, json } = result;
  const body = json as { success?: unknown };
  if (status < 300 && body && body.success === true) return undefined;
  const retryAfterMs = parseRetryAfter(headers.get("retry-after"));
  const parsed = envelopeError.safeParse(json);
  const e = parsed.success ? parsed.data : {};
  const rawCode = e.error?.code ?? e.code;
  const said = e.error?.message ?? e.msg ?? "WeShop request failed";
  if (status === 401)
    return authFailure(
      "WeShop",
      status,
      `${String(rawCode ?? "no code")}: ${said}`,
      "check WESHOP_API_KEY (sent as the raw key, without Bearer)",
    );
  if (!e.error && rawCode === undefined && status < 300)
    // neither success nor an error envelope: the answer cannot be trusted either way
    return {
      retryable: true,
      code: "bad_response",
      message: "WeShop answered with an unexpected shape",
      httpStatus: status,
      uncertain: true,
    };
  const code = String(rawCode ?? `http_${status}`);
  const message = `${said} (HTTP ${status})`;
  if (code === CONCURRENCY_LIMIT)
    return { retryable: true, pushback: true, code, message, httpStatus: status, retryAfterMs };
  if (SYSTEM_ERROR.test(code)) return { retryable: true, code, message, httpStatus: status, retryAfterMs };
  const retryable = e.error?.retryable ?? (status >= 500 || status === 429);
  return { retryable, code, message, httpStatus: status, retryAfterMs, ...(status === 429 ? { pushback: true } : {}) };
}

export function data<T>(result: HttpResult, schema: z.ZodType<T>, mutating: boolean): Outcome<T> {
  if (!result.ok) return fail(result.error);
  const error = classify(result);
  if (error) return fail(error);
  const parsed = schema.safeParse((result.json as { data?: unknown }).data);
  if (!parsed.success)
    return fail({
      retryable: true,
      code: "bad_response",
      message: "WeShop answered with an unexpected shape",
      uncertain: mutating,
    });
  return ok(parsed.data);
}

export function weshopProvider(opts: WeshopOptions): Provider {
  const { endpoint, timeoutMs, fetch } = opts;
  const headers = { Authorization: endpoint.apiKey, Accept: "application/json" };
  return {
    name: "weshop",
    idempotentSubmit: true,
    async submit({ jobId, params, signal }) {
      const result = await callJson(
        fetch,
        `${endpoint.baseUrl}/agent/runs`,
        {
          method: "POST",
          headers: { ...headers, "Content-Type": "application/json", "Idempotency-Key": await weshopRunKey(jobId) },
          body: JSON.stringify(weshopRunBody(opts.agent, params)),
          signal,
        },
        timeoutMs,
        true,
      );
      const outcome = data(result, submitData, true);
      if (!outcome.ok) return outcome;
      const cost = outcome.value.powerConsumption;
      return ok({ taskId: outcome.value.executionId, ...(cost !== undefined ? { reportedCost: cost } : {}) });
    },
    async poll(task, callOpts) {
      const result = await callJson(
        fetch,
        `${endpoint.baseUrl}/agent/runs/${encodeURIComponent(task.taskId)}`,
        { method: "GET", headers, signal: callOpts?.signal },
        timeoutMs,
        false,
      );
      const outcome = data(result, runData, false);
      if (!outcome.ok) return outcome;
      return ok(toStatus(outcome.value, opts.kind));
    },
    async cancel(task) {
      return ok({
        state: "unsupported",
        message: `WeShop has no cancel endpoint: the run (executionId ${task.taskId}) may still finish and be billed`,
      });
    },
  };
}

function toStatus(run: z.infer<typeof runData>, kind: OutputKind): TaskStatus {
  // the run is decided by its last execution
  const last = run.executions.at(-1);
  if (!last || RUNNING.has(last.status)) return { state: "running", providerStatus: last?.status ?? "Pending" };
  const why = typeof last.error === "string" && last.error !== "" ? `: ${last.error.slice(0, 300)}` : "";
  if (last.status === "Failed")
    return {
      state: "failed",
      providerStatus: "Failed",
      code: "run_failed",
      message: `WeShop reported the run as Failed${why}`,
    };
  if (CANCELED.has(last.status))
    return {
      state: "canceled",
      providerStatus: last.status,
      message: `WeShop reported the run as ${last.status}${why}`,
    };
  if (last.status !== "Success") return { state: "running", providerStatus: last.status };
  const outputs = (last.result ?? []).map((entry) => {
    const url = kind === "video" ? entry.video : entry.image;
    const good = (entry.status === undefined || entry.status === "Success") && typeof url === "string" && url !== "";
    if (!good) return { ok: false, error: `WeShop reported this result as ${entry.status ?? "missing"}` };
    const poster = kind === "video" ? urlOf(entry.videoPoster) : undefined;
    const lastFrame = kind === "video" ? urlOf(entry.lastFrame) : undefined;
    return { ok: true, url, ...(poster ? { poster } : {}), ...(lastFrame ? { lastFrame } : {}) };
  });
  return { state: "succeeded", providerStatus: "Success", outputs };
}

/** An extra image's URL, if the provider gave a usable one (a bad or missing one is simply left out). */
function urlOf(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  try {
    return /^https?:$/.test(new URL(value).protocol) ? value : undefined;
  } catch {
    return undefined;
  }
}
