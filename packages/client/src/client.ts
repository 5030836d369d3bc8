// Seedrun: the client. `run()` is the one-call way to get a result; the namespaces map the API.
import { jobError, SeedrunError } from "./errors.ts";
import { Http } from "./http.ts";
import { Jobs, newIdempotencyKey, type WaitOptions } from "./jobs.ts";
import { Batches, BudgetApi, Keys, Models, Pipelines, Schedules, Settings } from "./resources.ts";
import type { CreateJob, CreateQuote, Job, ModelId, ParamsOf, Quote, Usage, UsageQuery } from "./types.ts";
import { type FileInput, Uploads } from "./uploads.ts";

export interface SeedrunOptions {
  /** The API's origin. Default: SEEDRUN_URL, else http://127.0.0.1:8787 (the local stack). */
  baseUrl?: string;
  /** Default: SEEDRUN_API_KEY. */
  apiKey?: string;
  /** Retries of 429, 5xx and network errors after the first attempt (default 4). */
  maxRetries?: number;
  /** The longest wait between retries, whatever Retry-After asks (default 30 000 ms). */
  maxRetryDelayMs?: number;
  /** Another fetch (tests, proxies, instrumentation). */
  fetch?: typeof fetch;
}

/** A params object where any URL field may instead be a Blob, File or bytes to upload first. */
export type WithFiles<T> = T extends string
  ? T | FileInput
  : T extends readonly (infer U)[]
    ? WithFiles<U>[]
    : T extends object
      ? { [K in keyof T]: WithFiles<T[K]> }
      : T;

export interface RunOptions extends Pick<WaitOptions, "onProgress" | "timeoutMs"> {
  /** Aborting cancels the job at the server; run() then rejects with SeedrunError `aborted` (with the job). */
  signal?: AbortSignal;
  /** Default: a fresh random key. */
  idempotencyKey?: string;
  webhookUrl?: string;
  webhookEvents?: CreateJob["webhookEvents"];
  metadata?: Record<string, string>;
  /** Other JobSpec fields the server knows (tags, deadline, …). */
  extra?: Record<string, unknown>;
}

function env(name: string): string | undefined {
  const process = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return process?.env?.[name];
}

export class Seedrun {
  readonly http: Http;
  readonly jobs: Jobs;
  readonly batches: Batches;
  readonly pipelines: Pipelines;
  readonly schedules: Schedules;
  readonly uploads: Uploads;
  readonly budget: BudgetApi;
  readonly keys: Keys;
  readonly models: Models;
  readonly settings: Settings;

  constructor(options: SeedrunOptions = {}) {
    this.http = new Http({
      baseUrl: options.baseUrl ?? env("SEEDRUN_URL") ?? "http://127.0.0.1:8787",
      apiKey: options.apiKey ?? env("SEEDRUN_API_KEY"),
      maxRetries: options.maxRetries ?? 4,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 30_000,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    });
    this.jobs = new Jobs(this.http);
    this.batches = new Batches(this.http);
    this.pipelines = new Pipelines(this.http);
    this.schedules = new Schedules(this.http);
    this.uploads = new Uploads(this.http);
    this.budget = new BudgetApi(this.http);
    this.keys = new Keys(this.http);
    this.models = new Models(this.http);
    this.settings = new Settings(this.http);
  }

  /**
   * Creates a job and waits for it: resolves with the succeeded job; rejects with SeedrunError
   * (carrying `code` and `job`) when it fails or is canceled. Blob/File/bytes params are uploaded first.
   */
  async run<M extends ModelId>(model: M, params: WithFiles<ParamsOf<M>>, options: RunOptions = {}): Promise<Job> {
    const { signal } = options;
    signal?.throwIfAborted();
    const inlined = await this.uploads.inlineFiles(params, signal);
    const spec = {
      model,
      params: inlined,
      ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}),
      ...(options.webhookEvents ? { webhookEvents: options.webhookEvents } : {}),
      ...(options.metadata ? { metadata: options.metadata } : {}),
      ...options.extra,
    } as CreateJob;
    // not aborted mid-request: a job the server created must be known here to be canceled
    let job = await this.jobs.create(spec, { idempotencyKey: options.idempotencyKey ?? newIdempotencyKey() });
    options.onProgress?.(job);
    try {
      job = await this.jobs.wait(job.id, {
        lastSeen: job,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(signal ? { signal } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      });
    } catch (err) {
      if (!signal?.aborted) throw err;
      const canceled = await this.#cancel(job.id);
      throw new SeedrunError({
        status: 0,
        code: "aborted",
        title: "Aborted",
        detail: `Job ${job.id} was canceled.`,
        job: canceled ?? job,
        cause: signal.reason,
      });
    }
    if (job.status !== "succeeded") throw jobError(job);
    return job;
  }

  /** Cancels at the server; a job that ended meanwhile is read instead. */
  async #cancel(id: string): Promise<Job | undefined> {
    try {
      return await this.jobs.cancel(id);
    } catch (err) {
      if (err instanceof SeedrunError && err.status === 409) return this.jobs.get(id).catch(() => undefined);
      return undefined;
    }
  }

  /** POST /v1/quotes: what a job (or `{jobs: […]}`, or `{pipeline: {steps}}`) would cost; creates nothing. */
  quote(spec: CreateQuote | { pipeline: { steps: unknown[] } }): Promise<Quote> {
    return this.http.call("/v1/quotes", { method: "POST", body: spec });
  }

  /** GET /v1/usage: actual costs, grouped by day, model, batch, schedule or tag. */
  usage(query: UsageQuery | Record<string, string> = {}): Promise<Usage> {
    return this.http.call("/v1/usage", { query });
  }

  /** GET /v1/stats: queues, caps and the last 24 h of the caller's jobs. */
  stats(): Promise<Record<string, unknown>> {
    return this.http.call("/v1/stats");
  }
}
