// Benchmark-only worker: the least a batch's slot hand-over costs on this runtime. The same
// 1000-job mix as the batch benchmark, against the same simulator with the same caps, done by bare
// Durable Objects: a line object holds the capped slots and hands a freed slot straight to the
// next job (one RPC); a job submits, learns that its run ended and frees its slot. WeShop has no
// callback, so a job polls — first at the run's known end (an ideal schedule: seedrun's has to
// learn it), then every 250 ms, seedrun's closest spacing for a contended slot; a Wiro job waits
// for its callback and confirms it with Task/Detail, as seedrun must (the body is unsigned,
// PROVIDERS.md). Nothing else: no budgets, statistics, logs or webhooks. With REQUIRED_WORK=1 a job
// also does the storage work every seedrun job must: its index row written in D1 when it is
// created, submitted, noticed and done (4 writes, as BENCHMARKS.md's scale section counts), and
// its outputs copied into R2 after the slot is freed, as seedrun copies them.
import { DurableObject } from "cloudflare:workers";
import { weshopRunBody } from "../../../src/providers/weshop-run.ts";
import { wiroSignature } from "../../../src/providers/wiro.ts";

interface FloorEnv {
  LINE: DurableObjectNamespace<FloorLine>;
  JOBS: DurableObjectNamespace<FloorJob>;
  WESHOP_BASE_URL: string;
  WESHOP_API_KEY: string;
  WIRO_BASE_URL: string;
  WIRO_API_KEY: string;
  WIRO_API_SECRET: string;
  PUBLIC_BASE_URL: string;
  WESHOP_MAX_CONCURRENCY: string;
  WIRO_MAX_CONCURRENCY: string;
  RUN_MS: string;
  REQUIRED_WORK?: string;
  DB: D1Database;
  MEDIA: R2Bucket;
}

type Provider = "weshop" | "wiro";
/** The batch benchmark's mix (test/bench/lib.ts mixedSpec): a third each of Seedream, Wiro and WeShop Seedance. */
const providerOf = (i: number): Provider => (i % 3 === 1 ? "wiro" : "weshop");
const POLL_EVERY_MS = 250;
/** A Wiro job polls only if its callback is this late (never, in a healthy run). */
const WIRO_BACKSTOP_MS = 10_000;

export class FloorLine extends DurableObject<FloorEnv> {
  private batch = "";
  private waiting: Record<Provider, number[]> = { weshop: [], wiro: [] };
  private active: Record<Provider, number> = { weshop: 0, wiro: 0 };
  private left = 0;
  private startedAt = 0;
  private endedAt: number | undefined;

  async start(batch: string, jobs: number): Promise<void> {
    if (this.env.REQUIRED_WORK === "1")
      await this.env.DB.prepare(
        "CREATE TABLE IF NOT EXISTS floor_jobs (id TEXT PRIMARY KEY, status TEXT NOT NULL, updated_at INTEGER NOT NULL)",
      ).run();
    this.batch = batch;
    this.waiting = { weshop: [], wiro: [] };
    for (let i = 0; i < jobs; i++) this.waiting[providerOf(i)].push(i);
    this.left = jobs;
    this.startedAt = Date.now();
    this.endedAt = undefined;
    await Promise.all([this.fill("weshop"), this.fill("wiro")]);
  }

  /** A job's run ended: its slot goes to the next job in line at once. */
  async release(provider: Provider): Promise<void> {
    this.active[provider] -= 1;
    await this.fill(provider);
  }

  /** A job is done, its copy included: the batch ends with its last job, as seedrun's does. */
  async finished(): Promise<void> {
    this.left -= 1;
    if (this.left === 0) this.endedAt = Date.now();
  }

  status(): { left: number; seconds: number | null } {
    return { left: this.left, seconds: this.endedAt === undefined ? null : (this.endedAt - this.startedAt) / 1000 };
  }

  private async fill(provider: Provider): Promise<void> {
    const cap = Number(provider === "weshop" ? this.env.WESHOP_MAX_CONCURRENCY : this.env.WIRO_MAX_CONCURRENCY);
    const starts: Promise<void>[] = [];
    while (this.active[provider] < cap && this.waiting[provider].length > 0) {
      this.active[provider] += 1;
      const i = this.waiting[provider].shift()!;
      starts.push(this.env.JOBS.get(this.env.JOBS.idFromName(`${this.batch}:${i}`)).run(this.batch, i));
    }
    await Promise.all(starts);
  }
}

interface FloorState {
  batch: string;
  i: number;
  task?: string;
  token?: string;
  done?: boolean;
}

export class FloorJob extends DurableObject<FloorEnv> {
  /** Starts the job's submit and answers at once: the line does not wait for the provider. */
  async run(batch: string, i: number): Promise<void> {
    this.ctx.storage.kv.put("state", { batch, i } satisfies FloorState);
    await this.index("queued");
    this.ctx.waitUntil(this.submit());
  }

  /** Wiro called back: confirm with Task/Detail now. */
  async callback(): Promise<void> {
    await this.check();
  }

  override async alarm(): Promise<void> {
    const state = this.state();
    if (!state || state.done) return;
    if (!(await this.check()))
      await this.ctx.storage.setAlarm(Date.now() + (providerOf(state.i) === "wiro" ? WIRO_BACKSTOP_MS : POLL_EVERY_MS));
  }

  private state(): FloorState | undefined {
    return this.ctx.storage.kv.get<FloorState>("state");
  }

  private async submit(): Promise<void> {
    const state = this.state()!;
    if (providerOf(state.i) === "weshop") {
      const agent = state.i % 3 === 0 ? "seedream" : "seedance";
      const params =
        agent === "seedream"
          ? { textDescription: `image ${state.i}` }
          : { textDescription: `clip ${state.i}`, images: ["https://images.example.com/a.png"] };
      const res = await fetch(`${this.env.WESHOP_BASE_URL}/agent/runs`, {
        method: "POST",
        headers: {
          Authorization: this.env.WESHOP_API_KEY,
          "Content-Type": "application/json",
          "Idempotency-Key": `floor-${state.batch}-${state.i}`,
        },
        body: JSON.stringify(weshopRunBody(agent, params)),
      });
      const body = (await res.json()) as { data?: { executionId?: string } };
      if (!body.data?.executionId) throw new Error(`WeShop submit ${res.status}: ${JSON.stringify(body)}`);
      this.ctx.storage.kv.put("state", { ...state, task: body.data.executionId } satisfies FloorState);
      await this.index("running");
      await this.ctx.storage.setAlarm(Date.now() + Number(this.env.RUN_MS));
      return;
    }
    const callbackUrl = `${this.env.PUBLIC_BASE_URL}/cb/${encodeURIComponent(`${state.batch}:${state.i}`)}`;
    const res = await fetch(`${this.env.WIRO_BASE_URL}/Run/ByteDance/text-to-video-seedance-v1`, {
      method: "POST",
      headers: { ...(await this.wiroHeaders()), "Content-Type": "application/json" },
      body: JSON.stringify({ prompt: `video ${state.i}`, callbackUrl }),
    });
    const body = (await res.json()) as { taskid?: string; socketaccesstoken?: string };
    if (!body.taskid) throw new Error(`Wiro Run ${res.status}: ${JSON.stringify(body)}`);
    this.ctx.storage.kv.put("state", {
      ...state,
      task: body.taskid,
      token: body.socketaccesstoken,
    } satisfies FloorState);
    await this.index("running");
    await this.ctx.storage.setAlarm(Date.now() + Number(this.env.RUN_MS) + WIRO_BACKSTOP_MS);
  }

  /** Asks the provider whether the run ended; if so frees the slot. True once the job is done. */
  private async check(): Promise<boolean> {
    const state = this.state();
    if (!state?.task) return false;
    if (state.done) return true;
    let ended: boolean;
    let outputs: string[] = [];
    if (providerOf(state.i) === "weshop") {
      const res = await fetch(`${this.env.WESHOP_BASE_URL}/agent/runs/${state.task}`, {
        headers: { Authorization: this.env.WESHOP_API_KEY },
      });
      const body = (await res.json()) as {
        data?: { executions?: { status?: string; result?: Record<string, string>[] }[] };
      };
      const execution = body.data?.executions?.[0];
      ended = execution?.status === "Success";
      outputs = (execution?.result ?? []).flatMap((r) =>
        [r.image, r.video, r.videoPoster].filter((u) => u !== undefined),
      );
    } else {
      const res = await fetch(`${this.env.WIRO_BASE_URL}/Task/Detail`, {
        method: "POST",
        headers: { ...(await this.wiroHeaders()), "Content-Type": "application/json" },
        body: JSON.stringify({ socketaccesstoken: state.token }),
      });
      const body = (await res.json()) as { tasklist?: { status?: string; outputs?: { url: string }[] }[] };
      ended = body.tasklist?.[0]?.status === "task_postprocess_end";
      outputs = (body.tasklist?.[0]?.outputs ?? []).map((o) => o.url);
    }
    // a callback and an alarm may both have asked: the first to see the end finishes the job
    if (this.state()?.done) return true;
    if (!ended) return false;
    this.ctx.storage.kv.put("state", { ...state, done: true } satisfies FloorState);
    await this.ctx.storage.deleteAlarm();
    // the slot is freed first, the copy follows it (as in seedrun)
    const line = this.env.LINE.get(this.env.LINE.idFromName(state.batch));
    await Promise.all([this.index("copying"), line.release(providerOf(state.i))]);
    if (this.env.REQUIRED_WORK === "1") {
      for (const [n, url] of outputs.entries()) {
        const res = await fetch(url);
        if (!res.ok) throw new Error(`copy of ${url}: ${res.status}`);
        await this.env.MEDIA.put(`${state.batch}/${state.i}/${n}`, res.body, {
          httpMetadata: { contentType: res.headers.get("content-type") ?? "application/octet-stream" },
        });
      }
      await this.index("succeeded");
    }
    await line.finished();
    return true;
  }

  /** The job's index row (REQUIRED_WORK only). */
  private async index(status: string): Promise<void> {
    if (this.env.REQUIRED_WORK !== "1") return;
    const state = this.state()!;
    await this.env.DB.prepare(
      "INSERT INTO floor_jobs (id, status, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at",
    )
      .bind(`${state.batch}:${state.i}`, status, Date.now())
      .run();
  }

  /** Wiro's signed headers, made as seedrun makes them. */
  private async wiroHeaders(): Promise<Record<string, string>> {
    const nonce = crypto.randomUUID();
    const signature = await wiroSignature(this.env.WIRO_API_KEY, this.env.WIRO_API_SECRET, nonce);
    return { "x-api-key": this.env.WIRO_API_KEY, "x-nonce": nonce, "x-signature": signature };
  }
}

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/healthz") return new Response("ok");
    const batch = url.searchParams.get("batch") ?? "";
    const line = env.LINE.get(env.LINE.idFromName(batch));
    if (url.pathname === "/start" && request.method === "POST") {
      await line.start(batch, Number(url.searchParams.get("jobs")));
      return new Response(null, { status: 202 });
    }
    if (url.pathname === "/status") return Response.json(await line.status());
    if (url.pathname.startsWith("/cb/") && request.method === "POST") {
      await env.JOBS.get(env.JOBS.idFromName(decodeURIComponent(url.pathname.slice(4)))).callback();
      return new Response("ok");
    }
    return new Response("not found", { status: 404 });
  },
};
