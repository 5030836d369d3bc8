// The resource namespaces other than jobs and uploads: batches, pipelines, schedules, budget,
// keys, models, settings. Each method is one API call; lists are Paginators.
import type { Http } from "./http.ts";
import { sleep } from "./http.ts";
import { newIdempotencyKey, TERMINAL } from "./jobs.ts";
import { Paginator } from "./paginate.ts";
import type {
  Batch,
  BatchQuery,
  Budget,
  CreateBatch,
  CreateKey,
  CreatePipeline,
  CreateSchedule,
  Job,
  JobQuery,
  KeyInfo,
  ModelDetail,
  ModelList,
  NewKey,
  Page,
  Pipeline,
  PutBudget,
  Schedule,
  UpdateSchedule,
} from "./types.ts";

const at = (base: string, id: string, rest = "") => `${base}/${encodeURIComponent(id)}${rest}`;

export interface PollOptions<T> {
  onProgress?: (value: T) => void;
  signal?: AbortSignal;
  /** Between reads (default 2000 ms). */
  intervalMs?: number;
}

/** Reads `load()` until `done` says so, reporting each change; for batches and pipelines, which have no event stream. */
async function pollUntil<T>(load: () => Promise<T>, done: (value: T) => boolean, options: PollOptions<T>): Promise<T> {
  let last = "";
  for (;;) {
    const value = await load();
    const text = JSON.stringify(value);
    if (text !== last) options.onProgress?.(value);
    last = text;
    if (done(value)) return value;
    await sleep(options.intervalMs ?? 2000, options.signal);
  }
}

export class Batches {
  readonly #http: Http;
  constructor(http: Http) {
    this.#http = http;
  }
  create(spec: CreateBatch, options: { idempotencyKey?: string } = {}): Promise<Batch> {
    return this.#http.call("/v1/batches", {
      method: "POST",
      body: spec,
      headers: { "Idempotency-Key": options.idempotencyKey ?? newIdempotencyKey() },
    });
  }
  get(id: string): Promise<Batch> {
    return this.#http.call(at("/v1/batches", id));
  }
  list(query: BatchQuery = {}): Paginator<Batch> {
    return new Paginator((cursor) =>
      this.#http.call<Page<Batch>>("/v1/batches", { query: { ...query, cursor: cursor ?? query.cursor } }),
    );
  }
  /** The batch's jobs, every page. */
  jobs(id: string, query: Omit<JobQuery, "batchId"> = {}): Paginator<Job> {
    return new Paginator((cursor) =>
      this.#http.call<Page<Job>>(at("/v1/batches", id, "/jobs"), {
        query: { ...query, cursor: cursor ?? query.cursor },
      }),
    );
  }
  cancel(id: string): Promise<Batch> {
    return this.#http.call(at("/v1/batches", id, "/cancel"), {
      method: "POST",
      headers: { "Idempotency-Key": newIdempotencyKey() },
    });
  }
  async delete(id: string): Promise<void> {
    await this.#http.call(at("/v1/batches", id), { method: "DELETE" });
  }
  /** Resolves once the batch is no longer running; `onProgress` sees its counts change. */
  wait(id: string, options: PollOptions<Batch> = {}): Promise<Batch> {
    return pollUntil(
      () => this.get(id),
      (b) => b.status !== "running",
      options,
    );
  }
}

export class Pipelines {
  readonly #http: Http;
  constructor(http: Http) {
    this.#http = http;
  }
  create(spec: CreatePipeline, options: { idempotencyKey?: string } = {}): Promise<Pipeline> {
    return this.#http.call("/v1/pipelines", {
      method: "POST",
      body: spec,
      headers: { "Idempotency-Key": options.idempotencyKey ?? newIdempotencyKey() },
    });
  }
  get(id: string): Promise<Pipeline> {
    return this.#http.call(at("/v1/pipelines", id));
  }
  list(query: { limit?: number; cursor?: string } = {}): Paginator<Pipeline> {
    return new Paginator((cursor) =>
      this.#http.call<Page<Pipeline>>("/v1/pipelines", { query: { ...query, cursor: cursor ?? query.cursor } }),
    );
  }
  /** The jobs of every step (`GET /v1/jobs?pipelineId=`). */
  jobs(id: string): Paginator<Job> {
    return new Paginator((cursor) => this.#http.call<Page<Job>>("/v1/jobs", { query: { pipelineId: id, cursor } }));
  }
  cancel(id: string): Promise<Pipeline> {
    return this.#http.call(at("/v1/pipelines", id, "/cancel"), {
      method: "POST",
      headers: { "Idempotency-Key": newIdempotencyKey() },
    });
  }
  async delete(id: string): Promise<void> {
    await this.#http.call(at("/v1/pipelines", id), { method: "DELETE" });
  }
  wait(id: string, options: PollOptions<Pipeline> = {}): Promise<Pipeline> {
    return pollUntil(
      () => this.get(id),
      (p) => TERMINAL.has(p.status),
      options,
    );
  }
}

export class Schedules {
  readonly #http: Http;
  constructor(http: Http) {
    this.#http = http;
  }
  create(spec: CreateSchedule): Promise<Schedule> {
    return this.#http.call("/v1/schedules", { method: "POST", body: spec });
  }
  list(): Paginator<Schedule> {
    return new Paginator((cursor) => this.#http.call<Page<Schedule>>("/v1/schedules", { query: { cursor } }));
  }
  get(id: string): Promise<Schedule> {
    return this.#http.call(at("/v1/schedules", id));
  }
  update(id: string, patch: UpdateSchedule): Promise<Schedule> {
    return this.#http.call(at("/v1/schedules", id), { method: "PATCH", body: patch });
  }
  async delete(id: string): Promise<void> {
    await this.#http.call(at("/v1/schedules", id), { method: "DELETE" });
  }
}

export class BudgetApi {
  readonly #http: Http;
  constructor(http: Http) {
    this.#http = http;
  }
  get(): Promise<Budget> {
    return this.#http.call("/v1/budget");
  }
  /** Replaces every limit of the caller (`[]`: none). */
  set(limits: PutBudget["limits"]): Promise<Budget> {
    return this.#http.call("/v1/budget", { method: "PUT", body: { limits } });
  }
}

export class Keys {
  readonly #http: Http;
  constructor(http: Http) {
    this.#http = http;
  }
  /** A new key with these scopes; its `key` is shown only in this answer. */
  create(spec: CreateKey): Promise<NewKey> {
    return this.#http.call("/v1/keys", { method: "POST", body: spec });
  }
  async list(): Promise<KeyInfo[]> {
    return (await this.#http.call<{ data: KeyInfo[] }>("/v1/keys")).data;
  }
  async delete(id: string): Promise<void> {
    await this.#http.call(at("/v1/keys", id), { method: "DELETE" });
  }
}

export class Models {
  readonly #http: Http;
  constructor(http: Http) {
    this.#http = http;
  }
  async list(): Promise<ModelList["data"]> {
    return (await this.#http.call<ModelList>("/v1/models")).data;
  }
  /** One model with its params' JSON Schema. */
  get(id: string): Promise<ModelDetail> {
    return this.#http.call(`/v1/models/${encodeURIComponent(id)}`);
  }
}

export class Settings {
  readonly #http: Http;
  constructor(http: Http) {
    this.#http = http;
  }
  get(): Promise<Record<string, unknown>> {
    return this.#http.call("/v1/settings");
  }
  update(settings: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.#http.call("/v1/settings", { method: "PUT", body: settings });
  }
}
