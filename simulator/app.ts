// Builds one simulator instance: shared state, the Hono app with provider/media/control routes, and the public handle.
import { Hono } from "hono";
import { createFaultQueue, SimAbort, validateFault } from "./faults.ts";
import { registerFiles, resolveMedia } from "./files.ts";
import { allBytes } from "./media.ts";
import { type Ctx, json, type TaskRecord } from "./state.ts";
import type { Fault, SimOptions, SimTask, Simulator } from "./types.ts";
import { registerWeshop, WESHOP_BASE, weshopError } from "./weshop.ts";
import { AUTO_GUESS_SECONDS } from "./weshop-models.ts";
import { registerWiro, sendDueCallbacks, WIRO_BASE } from "./wiro.ts";
import { wiroError } from "./wiro-http.ts";

const START_POWER = 100_000;
const FIRST_WIRO_TASK = 2221;

async function defaultSendCallback(url: string, body: string): Promise<number> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  await res.body?.cancel();
  return res.status;
}

function publicTask(t: TaskRecord): SimTask {
  const out: SimTask = {
    provider: t.provider,
    id: t.id,
    params: t.params,
    createdAt: t.createdAt,
    outcome: t.outcome,
    callbacksSent: t.callbacksSent,
  };
  if (t.token !== undefined) out.token = t.token;
  if (t.agent !== undefined) out.agent = t.agent;
  if (t.idempotencyKey !== undefined) out.idempotencyKey = t.idempotencyKey;
  if (t.effectiveParams !== undefined) out.effectiveParams = t.effectiveParams;
  if (t.callbackUrl !== undefined) out.callbackUrl = t.callbackUrl;
  if (t.canceledAt !== undefined) out.canceledAt = t.canceledAt;
  if (t.filesDeletedAt !== undefined) out.filesDeletedAt = t.filesDeletedAt;
  if (t.killedAt !== undefined) out.killedAt = t.killedAt;
  return out;
}

export function createSimulator(options: SimOptions): Simulator {
  const ctx: Ctx = {
    origin: options.origin.replace(/\/+$/, ""),
    weshopApiKey: options.weshopApiKey,
    wiroApiKey: options.wiroApiKey,
    wiroApiSecret: options.wiroApiSecret,
    ...(options.wiroKeyOnlyApiKey ? { wiroKeyOnlyApiKey: options.wiroKeyOnlyApiKey } : {}),
    now: options.now ?? (() => Date.now()),
    durations: {
      seedance: options.durations?.seedance ?? 20000,
      seedream: options.durations?.seedream ?? 8000,
      wiro: options.durations?.wiro ?? 15000,
    },
    weshopAutoSeconds: options.weshopAutoSeconds ?? AUTO_GUESS_SECONDS,
    sendCallback: options.sendCallback ?? defaultSendCallback,
    ...(options.wiroOutputBytes
      ? { wiroOutput: { bytes: options.wiroOutputBytes, chunked: options.wiroOutputChunked ?? false } }
      : {}),
    weshop: new Map(),
    wiro: new Map(),
    idempotency: new Map(),
    assets: new Map(),
    faults: createFaultQueue(),
    hangs: new Set(),
    requests: [],
    nextWiroId: FIRST_WIRO_TASK,
    nextSeq: 0,
    power: START_POWER,
    unsubscribed: new Set(options.weshopUnsubscribed ?? []),
  };

  const tasks = () => [...ctx.weshop.values(), ...ctx.wiro.values()].sort((a, b) => a.seq - b.seq).map(publicTask);

  const reset = () => {
    ctx.weshop.clear();
    ctx.wiro.clear();
    ctx.idempotency.clear();
    ctx.assets.clear();
    ctx.faults.clear();
    // Emptied in place so callers holding `sim.requests` keep seeing the live list.
    ctx.requests.length = 0;
    ctx.power = START_POWER;
    for (const release of [...ctx.hangs]) release(new Error("simulator reset"));
  };

  const app = new Hono();
  registerWeshop(app, ctx);
  registerWiro(app, ctx);
  registerFiles(app, ctx);

  app.post("/__sim/faults", async (c) => {
    let faults: Fault[];
    try {
      const body: unknown = await c.req.raw.json();
      faults = (Array.isArray(body) ? body : [body]).map(validateFault);
    } catch (err) {
      return json({ error: err instanceof Error ? err.message : String(err) }, 400);
    }
    for (const f of faults) ctx.faults.inject(f);
    return json({ ok: true, pending: ctx.faults.pending() });
  });
  app.get("/__sim/faults", () => json(ctx.faults.pending()));
  app.delete("/__sim/faults", () => {
    ctx.faults.clear();
    return json({ ok: true });
  });
  app.get("/__sim/requests", () => json(ctx.requests));
  app.get("/__sim/tasks", () => json(tasks()));
  app.post("/__sim/reset", () => {
    reset();
    return json({ ok: true });
  });
  app.get("/__sim/health", () => json({ ok: true, origin: ctx.origin, now: ctx.now() }));

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    if (path.startsWith(`${WESHOP_BASE}/`)) return weshopError(404, "NOT_FOUND", `No route ${c.req.method} ${path}`);
    // Wiro-Docs error-reference.md: "Endpoint not found", code 0, HTTP 404
    if (path.startsWith(`${WIRO_BASE}/`)) return wiroError(0, "Error parsing url.", 404);
    return new Response("Not Found", { status: 404, headers: { "content-type": "text/plain" } });
  });
  app.onError((err) => {
    if (err instanceof SimAbort) throw err;
    // A sim bug must look like a server error, not like a network failure.
    return json({ simulatorError: err.message }, 500);
  });

  return {
    async fetch(request) {
      try {
        return await app.fetch(request);
      } catch (err) {
        if (err instanceof SimAbort) throw err.reason ?? new DOMException("The operation was aborted.", "AbortError");
        throw err;
      }
    },
    inject: (fault) => ctx.faults.inject(fault),
    clearFaults: () => ctx.faults.clear(),
    requests: ctx.requests,
    tasks,
    async mediaBytes(url) {
      const media = resolveMedia(ctx, new URL(url, ctx.origin));
      return media ? allBytes(media) : undefined;
    },
    tick: () => sendDueCallbacks(ctx),
    reset,
  };
}
