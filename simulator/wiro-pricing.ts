// Wiro pricing for the Seedance model: a `dynamicprice` table by resolution and duration (the
// shape and the figures of Wiro-Docs pricing.md's video example), published by POST /Tool/Detail,
// and what Task/Detail's `totalcost` charges a successful task (a failed one costs "0").
import type { Hono, MiddlewareHandler } from "hono";
import { guard } from "./guard.ts";
import { type Ctx, json } from "./state.ts";
import { type Obj, readBody, wiroError } from "./wiro-http.ts";

export const DYNAMIC_PRICE = [
  { inputs: { resolution: "480p", duration: "5" }, price: 0.06, priceMethod: "cpr" },
  { inputs: { resolution: "720p", duration: "5" }, price: 0.13, priceMethod: "cpr" },
  { inputs: { resolution: "480p", duration: "10" }, price: 0.12, priceMethod: "cpr" },
  { inputs: { resolution: "720p", duration: "10" }, price: 0.26, priceMethod: "cpr" },
];

/** The seed's defaults apply to inputs a run leaves out. */
const DEFAULTS: Record<string, string> = { resolution: "480p", duration: "5" };

/** USD a successful run with these inputs is charged. */
export function wiroPrice(params: Obj): number {
  const value = (name: string) => (params[name] === undefined ? DEFAULTS[name] : String(params[name]));
  const row = DYNAMIC_PRICE.find((r) => Object.entries(r.inputs).every(([name, v]) => value(name) === v));
  return row?.price ?? 0;
}

export function registerWiroPricing(app: Hono, ctx: Ctx, base: string, auth: MiddlewareHandler): void {
  app.post(`${base}/Tool/Detail`, guard(ctx, "wiro.tool", "wiro"), auth, async (c) => {
    const body = await readBody(c.req.raw);
    if (body?.slugowner !== "ByteDance" || body.slugproject !== "text-to-video-seedance-v1")
      return wiroError(1, "slug-owner-project-not-exist");
    return json({
      result: true,
      errors: [],
      tool: [
        {
          slugowner: "ByteDance",
          slugproject: "text-to-video-seedance-v1",
          cleanslugowner: "bytedance",
          cleanslugproject: "text-to-video-seedance-v1",
          // a JSON string inside the JSON, as Wiro sends it
          dynamicprice: JSON.stringify(DYNAMIC_PRICE),
        },
      ],
    });
  });
}
