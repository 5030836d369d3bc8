// The one interface every provider client implements, and the shapes it speaks in.
export interface ProviderError {
  retryable: boolean;
  /** Provider's own code where it gave one (e.g. "96", "INSUFFICIENT_POWER"), else ours. */
  code: string;
  message: string;
  retryAfterMs?: number;
  httpStatus?: number;
  /** The request may have reached the provider (timeout, dropped connection). */
  uncertain?: boolean;
  /** The provider asks us to slow down (HTTP 429, a concurrency limit): the gate lowers its pace. */
  pushback?: boolean;
  /** No request can succeed until the configuration changes (credentials refused, a redirect): ends the job at any step. */
  fatal?: boolean;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ProviderError };

export interface ProviderTask {
  taskId: string;
  /** Wiro's socketaccesstoken, used to ask for task details. */
  token?: string;
  /** What the provider said the task costs when it accepted it (WeShop `powerConsumption`). */
  reportedCost?: number;
}

export interface ProviderOutputRef {
  url?: string;
  ok: boolean;
  error?: string;
  contentType?: string;
  size?: number;
  /** Extra images the provider gives with a video (WeShop `videoPoster`, `lastFrame`). */
  poster?: string;
  lastFrame?: string;
}

export type TaskStatus =
  | { state: "running"; providerStatus: string }
  | { state: "succeeded"; providerStatus: string; outputs: ProviderOutputRef[]; cost?: number }
  | { state: "failed"; providerStatus: string; code: string; message: string; cost?: number }
  | { state: "canceled"; providerStatus: string; message?: string; cost?: number };

export interface SubmitRequest {
  jobId: string;
  params: Record<string, unknown>;
  callbackUrl?: string;
  /** Aborts the request (the job was canceled while it was in flight). */
  signal?: AbortSignal;
}

export interface CallOptions {
  /** Aborts the request (the job was canceled while it was in flight). */
  signal?: AbortSignal;
}

/**
 * One attempt at stopping a task. `stopped`: the provider's own status (read after asking)
 * shows the task no longer runs; `ended` says whether it had already ended by itself.
 * `pending`: asked, but not confirmed yet, or the task cannot be stopped yet: ask again.
 * `unsupported`: the provider offers no way to stop a task.
 */
export type StopResult =
  | { state: "stopped"; message: string; providerStatus: string; ended: boolean }
  | { state: "pending"; message: string; providerStatus?: string }
  | { state: "unsupported"; message: string };

export interface Provider {
  readonly name: "weshop" | "wiro";
  /** Resubmitting after an uncertain failure cannot create a second task. */
  readonly idempotentSubmit: boolean;
  submit(req: SubmitRequest): Promise<Outcome<ProviderTask>>;
  poll(task: ProviderTask, opts?: CallOptions): Promise<Outcome<TaskStatus>>;
  /** Decides from the task's current status (asked afresh), never from a stored one. */
  cancel(task: ProviderTask, opts?: CallOptions): Promise<Outcome<StopResult>>;
  /** Deletes the task's input and output files at the provider (Wiro `Task/InputOutputDelete`); absent where the provider offers no such call (WeShop). */
  deleteFiles?(task: ProviderTask): Promise<Outcome<unknown>>;
}

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = <T = never>(error: ProviderError): Outcome<T> => ({ ok: false, error });
