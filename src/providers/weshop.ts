// WeShop OpenAPI client (agents seedance/seedream): submit a run with a per-job idempotency
// key, read its executions, classify every failure. The key goes only to the configured base
// URL, which config.ts allows to be the real WeShop host or a loopback simulator.
import { z } from "zod";
import type { ProviderEndpoint } from "../config.ts";
import { callJson, parseRetryAfter, type FetchFn, type HttpResult } from "./http.ts";
import type { OutputKind } from "./models.ts";
import { fail, ok, type Outcome, type Provider, type ProviderError, type TaskStatus } from "./types.ts";

/** WeShop's error envelope, and the older `{code, msg}` form some responses still use. */
export const envelopeError = z.object({
  success: z.literal(false).optional(),
  error: z
    .object({ code: z.union([z.string(), z.number()]).optional(), message: z.string().optional(), retryable: z.boolean().optional() })
    .optional(),
  code: z.union([z.string(), z.number()]).optional(),
  msg: z.string().optional(),
});

const submitData = z.object({ executionId: z.string().min(1), taskId: z.string().optional() });

const resultEntry = z.looseObject({
  status: z.string().optional(),
  image: z.string().optional(),
  video: z.string().optional(),
});
const runData = z.object({
  executions: z
    .array(z.looseObject({ executionId: z.string().optional(), status: z.string(), result: z.array(resultEntry).nullish() }))
    .default([]),
});

const RUNNING = new Set(["Pending", "Segmenting", "Running"]);

export interface WeshopOptions {
  endpoint: ProviderEndpoint & { apiKey: string };
  timeoutMs: number;
  fetch: FetchFn;
  agent: string;
  kind: OutputKind;
}

function classify(result: Extract<HttpResult, { ok: true }>): ProviderError | undefined {
  const { status, headers, json } = result;
  const body = json as { success?: unknown };
  if (status < 300 && body && body.success === true) return undefined;
  const retryAfterMs = parseRetryAfter(headers.get("retry-after"));
  const parsed = envelopeError.safeParse(json);
  const e = parsed.success ? parsed.data : {};
  if (!e.error && e.code === undefined && status < 300)
    // neither success nor an error envelope: the answer cannot be trusted either way
    return { retryable: true, code: "bad_response", message: "WeShop answered with an unexpected shape", httpStatus: status, uncertain: true };
  const code = String(e.error?.code ?? e.code ?? `http_${status}`);
  const message = `${e.error?.message ?? e.msg ?? "WeShop request failed"} (HTTP ${status})`;
  const retryable = e.error?.retryable ?? (status >= 500 || status === 429);
  return { retryable, code, message, httpStatus: status, retryAfterMs };
}

function data<T>(result: HttpResult, schema: z.ZodType<T>, mutating: boolean): Outcome<T> {
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
      const images = Array.isArray(params.images) ? params.images : [];
      const body = {
        agent: { name: opts.agent, version: "v1.0" },
        input: { images },
        // the seed lists images among run params as well, so they go in both places
        params: images.length > 0 ? { ...params, images } : params,
      };
      const result = await callJson(
        fetch,
        `${endpoint.baseUrl}/agent/runs`,
        {
          method: "POST",
          headers: { ...headers, "Content-Type": "application/json", "Idempotency-Key": jobId },
          body: JSON.stringify(body),
          signal,
        },
        timeoutMs,
        true,
      );
      const outcome = data(result, submitData, true);
      return outcome.ok ? ok({ taskId: outcome.value.executionId }) : outcome;
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
      return ok({ state: "unsupported", message: `WeShop has no cancel endpoint: the run (executionId ${task.taskId}) may still finish and be billed` });
    },
  };
}

function toStatus(run: z.infer<typeof runData>, kind: OutputKind): TaskStatus {
  // the run is decided by its last execution
  const last = run.executions.at(-1);
  if (!last || RUNNING.has(last.status)) return { state: "running", providerStatus: last?.status ?? "Pending" };
  if (last.status === "Failed")
    return { state: "failed", providerStatus: "Failed", code: "run_failed", message: "WeShop reported the run as Failed" };
  if (last.status !== "Success") return { state: "running", providerStatus: last.status };
  const outputs = (last.result ?? []).map((entry) => {
    const url = kind === "video" ? entry.video : entry.image;
    const good = (entry.status === undefined || entry.status === "Success") && typeof url === "string" && url !== "";
    return good ? { ok: true, url } : { ok: false, error: `WeShop reported this result as ${entry.status ?? "missing"}` };
  });
  return { state: "succeeded", providerStatus: "Success", outputs };
}
