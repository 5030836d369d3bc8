// Benchmark-only worker: the least a request can cost on this runtime. `POST /new` creates a new
// Durable Object (SQLite-backed, as the JobObject) and stores the request's JSON in it;
// `GET /same` reads one existing object; `/healthz` answers at once. The `/logged` and
// `/new-job` routes are the floors with what seedrun must do besides: `/logged` writes the one
// JSON access line every request gets (issue 27), `/new-job` makes the same storage calls as a
// job creation, in the same order, with no logic between them (test/bench/api.ts lists them).
import { DurableObject } from "cloudflare:workers";

interface BaselineEnv {
  RECORDS: DurableObjectNamespace<RecordObject>;
  DB: D1Database;
  RATE_LIMITER: RateLimit;
}

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS tenants (id TEXT PRIMARY KEY, disabled_at INTEGER)",
  "CREATE TABLE IF NOT EXISTS settings (tenant TEXT PRIMARY KEY, body TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
];

/** One line shaped like seedrun's access line (src/lib/log.ts), written as it writes it. */
function accessLine(path: string, status: number, started: number): void {
  const line = {
    level: "info",
    msg: "request",
    at: new Date().toISOString(),
    requestId: `req_${crypto.randomUUID()}`,
    method: "GET",
    path,
    status,
    ms: Date.now() - started,
  };
  console.log(JSON.stringify(line));
}

export class RecordObject extends DurableObject<BaselineEnv> {
  async store(record: unknown): Promise<unknown> {
    this.ctx.storage.kv.put("record", record);
    return record;
  }

  async read(): Promise<unknown> {
    return this.ctx.storage.kv.get("record") ?? null;
  }

  /** What JobObject.create stores: the record, its first alarm, its D1 index row. */
  async create(id: string, record: unknown): Promise<unknown> {
    this.ctx.storage.kv.put("record", record);
    this.ctx.storage.kv.put("id", id);
    await this.ctx.storage.setAlarm(Date.now());
    const now = Date.now();
    await this.env.DB.prepare(
      "INSERT INTO jobs (id, tenant, status, created_at, updated_at) VALUES (?, 'dev', 'queued', ?, ?)",
    )
      .bind(id, now, now)
      .run();
    return record;
  }

  /** The budget's admission: read the period's spend, add the reservation. */
  async admit(amount: number): Promise<boolean> {
    const spent = (this.ctx.storage.kv.get<number>("reserved") ?? 0) + amount;
    this.ctx.storage.kv.put("reserved", spent);
    return true;
  }

  /** The job's first alarm: its slot from the gate (another object), then its status row. */
  override async alarm(): Promise<void> {
    await this.env.RECORDS.get(this.env.RECORDS.idFromName("gate")).admit(1);
    this.ctx.storage.kv.put("status", "submitted");
    await this.env.DB.prepare("UPDATE jobs SET status = 'running', updated_at = ? WHERE id = ?")
      .bind(Date.now(), this.ctx.storage.kv.get<string>("id") ?? "")
      .run();
  }
}

async function newJob(request: Request, env: BaselineEnv, started: number): Promise<Response> {
  // the key's tenant, the key's rate limit
  await env.DB.prepare("SELECT disabled_at FROM tenants WHERE id = ?").bind("dev").first();
  await env.RATE_LIMITER.limit({ key: "root:dev" });
  const body = await request.json();
  // budget admission in the tenant's object, then its default webhook from settings
  await env.RECORDS.get(env.RECORDS.idFromName("budget:dev")).admit(1);
  await env.DB.prepare("SELECT body FROM settings WHERE tenant = ?").bind("dev").first();
  const id = crypto.randomUUID();
  const record = await env.RECORDS.get(env.RECORDS.idFromName(id)).create(id, body);
  accessLine("/new-job", 202, started);
  return Response.json(record, { status: 202 });
}

export default {
  async fetch(request: Request, env: BaselineEnv): Promise<Response> {
    const started = Date.now();
    const url = new URL(request.url);
    if (url.pathname === "/healthz") return Response.json({ ok: true });
    if (url.pathname === "/logged") {
      const res = Response.json({ ok: true });
      accessLine("/logged", 200, started);
      return res;
    }
    if (url.pathname === "/setup") {
      await env.DB.batch(SCHEMA.map((s) => env.DB.prepare(s)));
      return Response.json({ ok: true });
    }
    if (url.pathname === "/new" && request.method === "POST") {
      const stub = env.RECORDS.get(env.RECORDS.idFromName(crypto.randomUUID()));
      return Response.json(await stub.store(await request.json()), { status: 202 });
    }
    if (url.pathname === "/new-job" && request.method === "POST") return newJob(request, env, started);
    if (url.pathname === "/same") return Response.json(await env.RECORDS.get(env.RECORDS.idFromName("one")).read());
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<BaselineEnv>;
