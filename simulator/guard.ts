// Per-endpoint middleware: records the request, then answers with an early fault if one is queued for the target.
import type { MiddlewareHandler } from "hono";
import { EARLY_KINDS, faultResponse, hangUntilAbort } from "./faults.ts";
import type { Ctx } from "./state.ts";
import type { FaultTarget } from "./types.ts";

export function guard(ctx: Ctx, target: FaultTarget, provider: "weshop" | "wiro" | "media"): MiddlewareHandler {
  return async (c, next) => {
    const req = c.req.raw;
    const url = new URL(req.url);
    const headers: Record<string, string> = {};
    req.headers.forEach((value, name) => {
      headers[name] = value;
    });
    // Recorded before the body arrives so the list keeps arrival order when requests overlap.
    const record = { at: ctx.now(), target, method: req.method, path: url.pathname + url.search, headers, body: "" };
    ctx.requests.push(record);
    // Decoded by hand: binary uploads are recorded lossily, which is fine for inspection.
    if (req.body) record.body = new TextDecoder().decode(await req.clone().arrayBuffer());
    const fault = ctx.faults.take(target, (kind) => EARLY_KINDS.has(kind));
    if (fault) return fault.kind === "hang" ? hangUntilAbort(req.signal, ctx.hangs) : faultResponse(provider, fault);
    await next();
  };
}
