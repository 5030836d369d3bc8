// Benchmark-only worker: the least a job creation can cost on this runtime. `POST /new` creates
// a new Durable Object (SQLite-backed, as the JobObject) and stores the request's JSON in it;
// `GET /same` reads one existing object; `/healthz` answers at once.
import { DurableObject } from "cloudflare:workers";

interface BaselineEnv {
  RECORDS: DurableObjectNamespace<RecordObject>;
}

export class RecordObject extends DurableObject<BaselineEnv> {
  async store(record: unknown): Promise<unknown> {
    this.ctx.storage.kv.put("record", record);
    return record;
  }

  async read(): Promise<unknown> {
    return this.ctx.storage.kv.get("record") ?? null;
  }
}

export default {
  async fetch(request: Request, env: BaselineEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/healthz") return Response.json({ ok: true });
    if (url.pathname === "/new" && request.method === "POST") {
      const stub = env.RECORDS.get(env.RECORDS.idFromName(crypto.randomUUID()));
      return Response.json(await stub.store(await request.json()), { status: 202 });
    }
    if (url.pathname === "/same") return Response.json(await env.RECORDS.get(env.RECORDS.idFromName("one")).read());
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<BaselineEnv>;
