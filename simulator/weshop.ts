// WeShop OpenAPI contract: raw-key auth, agent runs for seedance/seedream with idempotency, polling, image upload.
import type { Hono, MiddlewareHandler } from "hono";
import { hangUntilAbort } from "./faults.ts";
import { guard } from "./guard.ts";
import { type Ctx, type TaskRecord, json, randomHex, weshopStatus } from "./state.ts";

export const WESHOP_BASE = "/weshop/openapi";

/** One row per model so a new provider variant is a one-line change. */
const SEEDANCE_MODELS: Record<string, { minSeconds: number; maxSeconds: number; audio: boolean }> = {
  Seedance_20: { minSeconds: 4, maxSeconds: 15, audio: true },
  Seedance_20_Mini: { minSeconds: 4, maxSeconds: 15, audio: true },
  Seedance_25: { minSeconds: 4, maxSeconds: 30, audio: true },
  Seedance_15_Pro: { minSeconds: 4, maxSeconds: 15, audio: true },
  Seedance_10_Pro: { minSeconds: 2, maxSeconds: 12, audio: false },
  Seedance_10_Pro_Fast: { minSeconds: 2, maxSeconds: 12, audio: false },
};
const SEEDANCE_RATIOS = ["21:9", "16:9", "9:16", "3:4", "4:3", "1:1", "adaptive"];
/** Images per model: the 2.0 family and 2.5 run text-only too. */
const SEEDANCE_IMAGES: Record<string, [number, number]> = { Seedance_20: [0, 9], Seedance_20_Mini: [0, 9], Seedance_25: [0, 30] };
const SEEDREAM_RATIOS = ["auto", "1:1", "2:3", "3:2", "4:3", "3:4", "16:9", "9:16", "21:9"];
const SEEDREAM_SIZES = ["1K", "2K", "3K"];
const SEEDREAM_FORMATS = ["jpeg", "png"];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function weshopError(status: number, code: string, message: string): Response {
  return json({ success: false, error: { code, message, retryable: false } }, status);
}

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== "string") return false;
  try {
    const u = new URL(v);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

function checkImages(field: string, v: unknown, min: number, max: number): string | undefined {
  if (v === undefined && min === 0) return undefined;
  if (!Array.isArray(v) || v.length < min || v.length > max || !v.every(isHttpUrl)) {
    return min === max ? `${field} must be an array of exactly ${min} image URL` : `${field} must be an array of at most ${max} image URLs`;
  }
  return undefined;
}

function checkOneOf(field: string, v: unknown, allowed: string[]): string | undefined {
  if (v === undefined || (typeof v === "string" && allowed.includes(v))) return undefined;
  return `${field} must be one of ${allowed.join(", ")}`;
}

function checkBatch(v: unknown): string | undefined {
  if (v === undefined || (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 16)) return undefined;
  return "params.batchCount must be an integer from 1 to 16";
}

function checkText(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? undefined : "params.textDescription is required";
}

function validateSeedance(input: Obj, params: Obj, agent: string): string | undefined {
  const model = params.modelName ?? (agent === "seedance-25" ? "Seedance_25" : "Seedance_20");
  const [minImages, maxImages] = (typeof model === "string" ? SEEDANCE_IMAGES[model] : undefined) ?? [1, 1];
  const spec = typeof model === "string" ? SEEDANCE_MODELS[model] : undefined;
  let durationError: string | undefined;
  if (spec && params.duration !== undefined) {
    const m = typeof params.duration === "string" ? /^(\d+)s$/.exec(params.duration) : null;
    const secs = m ? Number(m[1]) : NaN;
    if (!(secs >= spec.minSeconds && secs <= spec.maxSeconds) && !(model === "Seedance_25" && params.duration === "-1")) {
      durationError = `params.duration must be a string from "${spec.minSeconds}s" to "${spec.maxSeconds}s" for ${String(model)}`;
    }
  }
  let audioError = checkOneOf("params.generateAudio", params.generateAudio, ["true", "false"]);
  if (!audioError && spec && !spec.audio && params.generateAudio === "true") {
    audioError = `params.generateAudio is not supported by ${String(model)}`;
  }
  return (
    checkImages("input.images", input.images, minImages, maxImages) ??
    checkImages("params.images", params.images, minImages, maxImages) ??
    checkText(params.textDescription) ??
    (spec ? undefined : `params.modelName must be one of ${Object.keys(SEEDANCE_MODELS).join(", ")}`) ??
    durationError ??
    checkOneOf("params.aspectRatio", params.aspectRatio, SEEDANCE_RATIOS) ??
    audioError ??
    checkBatch(params.batchCount)
  );
}

function validateSeedream(input: Obj, params: Obj): string | undefined {
  const toolsOk = params.tools === undefined || (Array.isArray(params.tools) && params.tools.every((t) => typeof t === "string"));
  return (
    checkImages("input.images", input.images, 0, 14) ??
    checkImages("params.images", params.images, 0, 14) ??
    checkText(params.textDescription) ??
    checkOneOf("params.imageSize", params.imageSize, SEEDREAM_SIZES) ??
    checkOneOf("params.aspectRatio", params.aspectRatio, SEEDREAM_RATIOS) ??
    checkOneOf("params.outputFormat", params.outputFormat, SEEDREAM_FORMATS) ??
    (toolsOk ? undefined : "params.tools must be an array of strings") ??
    checkBatch(params.batchCount)
  );
}

function runAccepted(ctx: Ctx, task: TaskRecord): Response {
  const data = {
    executionId: task.id,
    taskId: task.weshopTaskId,
    powerConsumption: 10 * task.batchCount,
    powerBalanceAmount: ctx.power,
  };
  return json({ success: true, data, meta: { executionId: task.id } });
}

function mediaUrl(ctx: Ctx, task: TaskRecord, name: string): string {
  return `${ctx.origin}/files/weshop/${task.id}/${name}`;
}

function results(ctx: Ctx, task: TaskRecord): Obj[] {
  return Array.from({ length: task.batchCount }, (_, i) => {
    if (task.outcome === "partial" && i % 2 === 1) return { status: "Failed" };
    if (task.agent === "seedream") {
      return { status: "Success", image: mediaUrl(ctx, task, `${i}.${task.outputFormat === "png" ? "png" : "jpg"}`) };
    }
    return { status: "Success", video: mediaUrl(ctx, task, `${i}.mp4`), videoPoster: mediaUrl(ctx, task, `${i}-poster.jpg`) };
  });
}

/** Which image types the upload accepts, recognised by magic bytes rather than the client's word. */
function sniffImage(b: Uint8Array): { ext: string; type: string } | undefined {
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b[0] === 0x89 && ascii(1, 4) === "PNG") return { ext: "png", type: "image/png" };
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { ext: "jpg", type: "image/jpeg" };
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return { ext: "webp", type: "image/webp" };
  if (ascii(0, 4) === "GIF8") return { ext: "gif", type: "image/gif" };
  return undefined;
}

export function registerWeshop(app: Hono, ctx: Ctx): void {
  const auth: MiddlewareHandler = async (c, next) => {
    // Exact match on purpose: "Bearer <key>" is a client mistake the seed warns about.
    if (c.req.header("authorization") !== ctx.weshopApiKey) return weshopError(401, "UNAUTHORIZED", "Invalid API key");
    await next();
  };

  app.post(`${WESHOP_BASE}/agent/runs`, guard(ctx, "weshop.submit", "weshop"), auth, async (c) => {
    let body: unknown;
    try {
      body = await c.req.raw.json();
    } catch {
      return weshopError(400, "INVALID_PARAMS", "body must be a JSON object");
    }
    if (!isObj(body)) return weshopError(400, "INVALID_PARAMS", "body must be a JSON object");
    const agent = body.agent;
    if (!isObj(agent) || (agent.name !== "seedance" && agent.name !== "seedance-25" && agent.name !== "seedream") || agent.version !== "v1.0") {
      return weshopError(400, "INVALID_AGENT", "agent must be {name: seedance|seedream, version: v1.0}");
    }
    const key = c.req.header("idempotency-key");
    const known = key ? ctx.weshop.get(ctx.idempotency.get(key) ?? "") : undefined;
    if (known) return runAccepted(ctx, known);

    const input = body.input ?? {};
    const params = body.params;
    if (!isObj(input)) return weshopError(400, "INVALID_PARAMS", "input must be an object");
    if (!isObj(params)) return weshopError(400, "INVALID_PARAMS", "params must be an object");
    if (body.callbackUrl !== undefined && !isHttpUrl(body.callbackUrl)) return weshopError(400, "INVALID_PARAMS", "callbackUrl must be a URL");
    const problem = agent.name === "seedream" ? validateSeedream(input, params) : validateSeedance(input, params, agent.name);
    if (problem) return weshopError(400, "INVALID_PARAMS", problem);

    const fault = ctx.faults.take("weshop.submit", (k) => k === "accept_then_hang" || k === "run_failed" || k === "run_partial");
    const task: TaskRecord = {
      seq: ctx.nextSeq++,
      provider: "weshop",
      id: `exe_${randomHex(24)}`,
      weshopTaskId: `task_${randomHex(24)}`,
      agent: agent.name,
      params,
      createdAt: ctx.now(),
      outcome: fault?.kind === "run_failed" ? "failed" : fault?.kind === "run_partial" ? "partial" : "success",
      callbacksSent: 0,
      duration: agent.name === "seedance" ? ctx.durations.seedance : ctx.durations.seedream,
      batchCount: typeof params.batchCount === "number" ? params.batchCount : 1,
      outputFormat: params.outputFormat === "png" ? "png" : "jpeg",
      callbackDelivered: false,
      callbackInflight: false,
    };
    if (key) task.idempotencyKey = key;
    if (typeof body.callbackUrl === "string") task.callbackUrl = body.callbackUrl;
    ctx.weshop.set(task.id, task);
    if (key) ctx.idempotency.set(key, task.id);
    ctx.power -= 10 * task.batchCount;
    if (fault?.kind === "accept_then_hang") return hangUntilAbort(c.req.raw.signal, ctx.hangs);
    return runAccepted(ctx, task);
  });

  app.get(`${WESHOP_BASE}/agent/runs/:executionId`, guard(ctx, "weshop.poll", "weshop"), auth, (c) => {
    const task = ctx.weshop.get(c.req.param("executionId"));
    if (!task) return weshopError(404, "NOT_FOUND", "Execution not found");
    const now = ctx.now();
    const status = weshopStatus(task, now);
    const execution: Obj = {
      executionId: task.id,
      status,
      executionTime: new Date(task.createdAt).toISOString(),
      params: task.params,
      result: status === "Success" ? results(ctx, task) : [],
    };
    if (status === "Failed") execution.error = "simulated failure";
    const data = { agentName: task.agent, agentVersion: "v1.0", initParams: task.params, executions: [execution] };
    return json({ success: true, data, meta: { executionId: task.id } });
  });

  app.post(`${WESHOP_BASE}/agent/assets/images`, guard(ctx, "weshop.upload", "weshop"), auth, async (c) => {
    let form: FormData;
    try {
      form = await c.req.raw.formData();
    } catch {
      return weshopError(400, "INVALID_PARAMS", "multipart/form-data body with an `image` file is required");
    }
    const file = form.get("image");
    if (file === null || typeof file === "string") return weshopError(400, "INVALID_PARAMS", "image: a file field named `image` is required");
    const bytes = new Uint8Array(await file.arrayBuffer());
    const kind = sniffImage(bytes);
    if (!kind) return weshopError(400, "INVALID_PARAMS", "image must be a PNG, JPEG, WebP or GIF file");
    const name = `${randomHex(20)}.${kind.ext}`;
    ctx.assets.set(name, { contentType: kind.type, bytes });
    return json({ success: true, data: { image: `${ctx.origin}/files/assets/${name}` }, meta: {} });
  });
}

/** Media a finished WeShop run serves at /files/weshop/<executionId>/<name>, if that output exists. */
export function weshopMedia(ctx: Ctx, executionId: string, name: string): { kind: "png" | "jpeg" | "mp4"; label: string } | undefined {
  const task = ctx.weshop.get(executionId);
  const m = /^(\d+)(-poster)?\.(png|jpg|mp4)$/.exec(name);
  if (!task || !m || weshopStatus(task, ctx.now()) !== "Success") return undefined;
  const index = Number(m[1]);
  if (index >= task.batchCount || (task.outcome === "partial" && index % 2 === 1)) return undefined;
  const ext = m[3];
  const label = `seedrun-sim weshop ${task.id} #${index}${m[2] ?? ""}`;
  if (task.agent === "seedream") {
    const want = task.outputFormat === "png" ? "png" : "jpg";
    return !m[2] && ext === want ? { kind: task.outputFormat, label } : undefined;
  }
  if (m[2]) return ext === "jpg" ? { kind: "jpeg", label } : undefined;
  return ext === "mp4" ? { kind: "mp4", label } : undefined;
}
