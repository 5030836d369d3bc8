// sr.jobs: create, get, list, cancel, wait, delete. wait() follows the job's server-sent events
// (GET /v1/jobs/{id}/events: one request for the whole run, an event on every change) and
// reconnects with Last-Event-ID when the stream drops; a server without the stream is asked
// with `Prefer: wait` long polls instead.
import { SeedrunError } from "./errors.ts";
import { abortError, type Http, sleep } from "./http.ts";
import { Paginator } from "./paginate.ts";
import { readEvents } from "./sse.ts";
import type { CreateJob, Job, JobList, JobQuery } from "./types.ts";

export const TERMINAL: ReadonlySet<string> = new Set(["succeeded", "failed", "canceled"]);

export interface CreateOptions {
  /** Default: a fresh random key, so the client's own retries never create a second job. */
  idempotencyKey?: string;
  /** Hold the answer up to this many seconds (at most 60) until the job ends (`Prefer: wait`). */
  waitSeconds?: number;
  signal?: AbortSignal;
}

export interface WaitOptions {
  /** Called with the job on every change (status, place in line, outputs, ETA). */
  onProgress?: (job: Job) => void;
  signal?: AbortSignal;
  /** Give up (SeedrunError `timeout`) after this long; the job goes on at the server. */
  timeoutMs?: number;
  /** The job as last seen, so an unchanged first event is not reported again. */
  lastSeen?: Job;
}

/** A key the server accepts (1–255 visible ASCII characters) and nobody else will send. */
export function newIdempotencyKey(): string {
  return `sr-${crypto.randomUUID()}`;
}

/** True when `next` differs from `prev` in anything a progress display shows. */
function changed(prev: Job | undefined, next: Job): boolean {
  if (!prev) return true;
  const p = prev as Job & { queuePosition?: unknown };
  const n = next as Job & { queuePosition?: unknown };
  return (
    p.updatedAt !== n.updatedAt ||
    p.status !== n.status ||
    p.queuePosition !== n.queuePosition ||
    p.estimatedCompletionAt !== n.estimatedCompletionAt
  );
}

export class Jobs {
  readonly #http: Http;
  constructor(http: Http) {
    this.#http = http;
  }

  /** POST /v1/jobs → the queued job (or the ended one with `waitSeconds`). */
  create(spec: CreateJob, options: CreateOptions = {}): Promise<Job> {
    const headers: Record<string, string> = { "Idempotency-Key": options.idempotencyKey ?? newIdempotencyKey() };
    if (options.waitSeconds) headers.Prefer = `wait=${Math.min(60, Math.max(1, Math.round(options.waitSeconds)))}`;
    return this.#http.call<Job>("/v1/jobs", { method: "POST", body: spec, headers, signal: options.signal });
  }

  /** GET /v1/jobs/{id}; with `waitSeconds`, held until the job ends or that time passes. */
  get(id: string, options: { waitSeconds?: number; signal?: AbortSignal } = {}): Promise<Job> {
    const headers: Record<string, string> = options.waitSeconds
      ? { Prefer: `wait=${Math.min(60, Math.round(options.waitSeconds))}` }
      : {};
    return this.#http.call<Job>(`/v1/jobs/${encodeURIComponent(id)}`, { headers, signal: options.signal });
  }

  /** Every job (newest first) matching the query, page by page: `for await (const job of sr.jobs.list({ status: "failed" }))`. */
  list(query: JobQuery = {}): Paginator<Job> {
    return new Paginator((cursor) =>
      this.#http.call<JobList>("/v1/jobs", { query: { ...query, cursor: cursor ?? query.cursor } }),
    );
  }

  /** POST /v1/jobs/{id}/cancel → the canceled job (`409 job_finished` when it had already ended). */
  cancel(id: string): Promise<Job> {
    return this.#http.call<Job>(`/v1/jobs/${encodeURIComponent(id)}/cancel`, {
      method: "POST",
      headers: { "Idempotency-Key": newIdempotencyKey() },
    });
  }

  /** DELETE /v1/jobs/{id}: a finished job, its outputs and params are erased. */
  async delete(id: string): Promise<void> {
    await this.#http.call<void>(`/v1/jobs/${encodeURIComponent(id)}`, { method: "DELETE" });
  }

  /** Resolves with the job once it has ended, whatever its status (run() is the one that rejects on failure). */
  async wait(id: string, options: WaitOptions = {}): Promise<Job> {
    const timeout = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
    const signal = timeout && options.signal ? AbortSignal.any([timeout, options.signal]) : (timeout ?? options.signal);
    let last = options.lastSeen;
    const seen = (job: Job) => {
      if (changed(last, job)) options.onProgress?.(job);
      last = job;
    };
    try {
      if (last && TERMINAL.has(last.status)) return last;
      let lastEventId: string | undefined;
      let failures = 0;
      for (;;) {
        signal?.throwIfAborted();
        const headers: Record<string, string> = { Accept: "text/event-stream" };
        if (lastEventId) headers["Last-Event-ID"] = lastEventId;
        const res = await this.#http.call<Response>(`/v1/jobs/${encodeURIComponent(id)}/events`, {
          headers,
          signal,
          raw: true,
        });
        if (!res.headers.get("content-type")?.includes("text/event-stream") || !res.body) {
          await res.body?.cancel();
          return await this.#longPoll(id, seen, signal);
        }
        try {
          for await (const event of readEvents(res.body)) {
            if (event.event !== "job") continue;
            lastEventId = event.id ?? lastEventId;
            const job = JSON.parse(event.data) as Job;
            seen(job);
            if (TERMINAL.has(job.status)) return job;
          }
        } catch (err) {
          if (signal?.aborted) throw err;
          // the connection dropped mid-stream: reconnect below, from the last event seen
        }
        failures += 1;
        await sleep(Math.min(5000, 250 * 2 ** Math.min(failures, 5)), signal);
      }
    } catch (err) {
      if (timeout?.aborted && !options.signal?.aborted) {
        throw new SeedrunError({
          status: 0,
          code: "timeout",
          title: "Timed out",
          detail: `Job ${id} had not ended after ${options.timeoutMs} ms.`,
          job: last,
        });
      }
      if (signal?.aborted && !(err instanceof SeedrunError && err.code === "aborted")) throw abortError(signal);
      throw err;
    }
  }

  /** The fallback wait: `GET /v1/jobs/{id}` held by `Prefer: wait=30`, again until the job ends. */
  async #longPoll(id: string, seen: (job: Job) => void, signal: AbortSignal | undefined): Promise<Job> {
    for (;;) {
      const job = await this.get(id, { waitSeconds: 30, ...(signal ? { signal } : {}) });
      seen(job);
      if (TERMINAL.has(job.status)) return job;
    }
  }
}
