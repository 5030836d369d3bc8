// Benchmark-only entry for the lifecycle section (test/bench/lifecycle.ts): src/index.ts unchanged,
// with every D1 statement's rows read and written (D1's own meta.rows_read / rows_written, what D1
// bills) and every R2 call counted, in the worker and in its Durable Objects alike (one isolate
// locally). Routes under /__bench/ clone a finished job (its object's record, its R2 objects, its
// index row) and run one cron tick to its end.
import worker, * as real from "../../../src/index.ts";
import type { JobRecord } from "../../../src/jobs/record.ts";

interface Tally {
  calls: number;
  rowsRead: number;
  rowsWritten: number;
}

/** D1 rows by statement (its first words), and R2 calls by method, since the last reset. */
let d1: Record<string, Tally> = {};
let r2: Record<string, number> = {};

const statementName = (sql: string) => sql.replace(/\s+/g, " ").trim().slice(0, 70);

function note(sql: string, result: D1Result): D1Result {
  const name = statementName(sql);
  d1[name] ??= { calls: 0, rowsRead: 0, rowsWritten: 0 };
  const t = d1[name];
  t.calls++;
  t.rowsRead += result.meta.rows_read ?? 0;
  t.rowsWritten += result.meta.rows_written ?? 0;
  return result;
}

const statements = new WeakMap<object, { inner: D1PreparedStatement; sql: string }>();

function countedStatement(inner: D1PreparedStatement, sql: string): D1PreparedStatement {
  const outer = {
    bind: (...values: unknown[]) => countedStatement(inner.bind(...values), sql),
    all: async () => note(sql, await inner.all()),
    run: async () => note(sql, await inner.run()),
    // first() gives no meta: the same query through all(), its first row
    first: async (column?: string) => {
      const row = note(sql, await inner.all()).results[0] as Record<string, unknown> | undefined;
      return row === undefined ? null : column ? row[column] : row;
    },
    raw: (options?: { columnNames?: boolean }) => inner.raw(options as { columnNames: true }),
  } as unknown as D1PreparedStatement;
  statements.set(outer, { inner, sql });
  return outer;
}

function countedDb(db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, key) {
      if (key === "prepare") return (sql: string) => countedStatement(target.prepare(sql), sql);
      if (key === "batch")
        return async (list: D1PreparedStatement[]) => {
          const known = list.map((s) => statements.get(s));
          const results = await target.batch(list.map((s, i) => known[i]?.inner ?? s));
          return results.map((r, i) => note(known[i]?.sql ?? "(uncounted)", r));
        };
      const value = Reflect.get(target, key) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function countedBucket(bucket: R2Bucket): R2Bucket {
  return new Proxy(bucket, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        r2[String(key)] = (r2[String(key)] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function countedEnv(env: Env): Env {
  const db = countedDb(env.DB);
  const media = countedBucket(env.MEDIA);
  return new Proxy(env, {
    get: (target, key) => (key === "DB" ? db : key === "MEDIA" ? media : Reflect.get(target, key)),
  });
}

type ObjectClass = new (ctx: never, env: Env) => object;
/** The same class, built with the counted env. */
function counted<T extends ObjectClass>(Base: T): T {
  const Plain = Base as unknown as new (ctx: unknown, env: Env) => object;
  return class extends Plain {
    constructor(ctx: unknown, env: Env) {
      super(ctx, countedEnv(env));
    }
  } as unknown as T;
}

/** The job's object, plus reading and writing its stored record as it is (key "job", src/jobs/job-object.ts). */
export class JobObject extends real.JobObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, countedEnv(env));
  }
  async benchRecord(): Promise<JobRecord | null> {
    return this.ctx.storage.kv.get<JobRecord>("job") ?? null;
  }
  async benchStore(record: JobRecord): Promise<void> {
    this.ctx.storage.kv.put("job", record);
    // the object keeps its record in memory once read (src/jobs/job-store.ts)
    (this as unknown as { store: { forget(): void } }).store.forget();
  }
}
export const ModelStats = counted(real.ModelStats);
export const WebhookDelivery = counted(real.WebhookDelivery);
export const IdempotencyKeys = counted(real.IdempotencyKeys);
export const BatchObject = counted(real.BatchObject);
export const ProviderGate = counted(real.ProviderGate);
export const BudgetObject = counted(real.BudgetObject);
export const PipelineWorkflow = counted(real.PipelineWorkflow);

const jobStub = (env: Env, id: string) =>
  env.JOBS.get(env.JOBS.idFromName(id)) as unknown as DurableObjectStub<JobObject>;

interface CloneRequest {
  from: string;
  /** New ids, and the created_at (ms) each clone's index row gets. */
  ids: string[];
  createdAt: number[];
}

/** Copies of one finished job under new ids: the object's record, every R2 object under jobs/<id>/, the index row. */
async function clone(env: Env, req: CloneRequest): Promise<number> {
  const record = (await jobStub(env, req.from).benchRecord()) as JobRecord | null;
  if (!record) throw new Error(`no job ${req.from}`);
  const listed = await env.MEDIA.list({ prefix: `jobs/${req.from}/` });
  const objects = await Promise.all(
    listed.objects.map(async (o) => {
      const body = await env.MEDIA.get(o.key);
      return { key: o.key, bytes: await body!.arrayBuffer(), httpMetadata: body!.httpMetadata };
    }),
  );
  const columns = (
    await env.DB.prepare("SELECT name FROM pragma_table_info('jobs')").all<{ name: string }>()
  ).results.map((c) => c.name);
  const copied = columns.filter((c) => c !== "id" && c !== "created_at");
  const insert = env.DB.prepare(
    `INSERT INTO jobs (id, created_at, ${copied.join(", ")}) SELECT ?, ?, ${copied.join(", ")} FROM jobs WHERE id = ?`,
  );
  await env.DB.batch(req.ids.map((id, i) => insert.bind(id, req.createdAt[i], req.from)));
  await Promise.all(
    req.ids.map(async (id, i) => {
      const move = (key: string) => key.replace(`jobs/${req.from}/`, `jobs/${id}/`);
      const outputs = record.outputs.map((o) => (o.key ? { ...o, key: move(o.key) } : o));
      await jobStub(env, id).benchStore({ ...record, id, outputs, createdAt: req.createdAt[i]! });
      await Promise.all(objects.map((o) => env.MEDIA.put(move(o.key), o.bytes, { httpMetadata: o.httpMetadata })));
    }),
  );
  return req.ids.length;
}

/** One cron tick, as the platform runs it, answered when all its work (waitUntil) has ended. */
async function tick(env: Env): Promise<Response> {
  const pending: Promise<unknown>[] = [];
  const ctx = {
    waitUntil: (p: Promise<unknown>) => void pending.push(p),
    passThroughOnException: () => undefined,
    props: {},
  };
  const controller = { cron: "* * * * *", scheduledTime: Date.now(), noRetry: () => undefined };
  const started = Date.now();
  await worker.scheduled(controller as ScheduledController, countedEnv(env), ctx as unknown as ExecutionContext);
  await Promise.all(pending);
  return Response.json({ ms: Date.now() - started });
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/__bench/clone")
      return Response.json({ cloned: await clone(env, (await request.json()) as CloneRequest) });
    if (pathname === "/__bench/tick") return tick(env);
    if (pathname === "/__bench/counts") return Response.json({ d1, r2 });
    if (pathname === "/__bench/reset") {
      d1 = {};
      r2 = {};
      return Response.json({ ok: true });
    }
    if (pathname === "/__bench/left") {
      const row = await env.DB.prepare(
        "SELECT COUNT(*) AS n FROM jobs WHERE deleted_at IS NULL AND id LIKE 'job_sweep%'",
      ).first<{ n: number }>();
      let objects = 0;
      let cursor: string | undefined;
      do {
        const page = await env.MEDIA.list({ prefix: "jobs/job_sweep", limit: 1000, ...(cursor ? { cursor } : {}) });
        objects += page.objects.length;
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return Response.json({ listed: row?.n ?? 0, r2Objects: objects });
    }
    return worker.fetch(request, countedEnv(env), ctx);
  },
} satisfies ExportedHandler<Env>;
