// Wiro's HTTP layer shared by every endpoint: the error envelope, project authentication and body parsing.
import type { MiddlewareHandler } from "hono";
import { type Ctx, json } from "./state.ts";

export type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function wiroError(code: number, message: string, status = 200): Response {
  return json({ result: false, errors: [{ code, message }] }, status);
}

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function wiroSignature(apiKey: string, apiSecret: string, nonce: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(apiKey), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return hex(await crypto.subtle.sign("HMAC", key, enc.encode(apiSecret + nonce)));
}

// Two projects, as Wiro-Docs (authentication.md, error-reference.md) describe them: the
// signature-based one needs x-nonce + x-signature, the API-key-only one x-api-key alone. The
// kind is fixed when a project is created. Every refusal is code 0 with HTTP 401.
export function wiroAuth(ctx: Ctx): MiddlewareHandler {
  return async (c, next) => {
    const key = c.req.header("x-api-key");
    if (key !== undefined && key === ctx.wiroKeyOnlyApiKey) return next();
    if (!key || key !== ctx.wiroApiKey) return wiroError(0, "Project authorization is not founded.", 401);
    const nonce = c.req.header("x-nonce");
    const signature = c.req.header("x-signature");
    if (!nonce || !signature)
      return wiroError(
        0,
        "Project requires signature authentication. x-signature and x-nonce headers are required.",
        401,
      );
    if (signature !== (await wiroSignature(ctx.wiroApiKey, ctx.wiroApiSecret, nonce)))
      return wiroError(0, "Project authorization is not valid.", 401);
    await next();
  };
}

/**
 * JSON or form bodies. The seed's own curl sends JSON under a multipart Content-Type without a boundary,
 * so a body that looks like JSON is parsed as JSON whatever the header says.
 */
export async function readBody(req: Request): Promise<Obj | undefined> {
  const bytes = new Uint8Array(await req.arrayBuffer());
  const text = new TextDecoder().decode(bytes).trim();
  if (text === "") return {};
  if (text.startsWith("{")) {
    try {
      const v: unknown = JSON.parse(text);
      return isObj(v) ? v : undefined;
    } catch {
      return undefined;
    }
  }
  const type = req.headers.get("content-type") ?? "";
  if (!/multipart\/form-data|application\/x-www-form-urlencoded/i.test(type)) return undefined;
  try {
    const form = await new Response(bytes, { headers: { "content-type": type } }).formData();
    const out: Obj = {};
    form.forEach((value, name) => {
      out[name] = typeof value === "string" ? value : "[file]";
    });
    return out;
  } catch {
    return undefined;
  }
}
