// WeShop OpenAPI contract: raw-key auth, agent runs (seedance, seedance-25, seedream) with idempotency,
// power estimates, agent info, polling, image upload. Per-variant rules live in weshop-variants.ts, their checks in weshop-models.ts.
import type { Hono, MiddlewareHandler } from "hono";
import { hangUntilAbort } from "./faults.ts";
import { guard } from "./guard.ts";
import { type Ctx, json, randomHex, type TaskRecord, weshopStatus } from "./state.ts";
import { AUTO_GUESS_SECONDS, checkRun, type RunCheck } from "./weshop-models.ts";
import { AGENTS } from "./weshop-variants.ts";

export const WESHOP_BASE = "/weshop/openapi";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function weshopError(status: number, code: string, message: string, retryable = false): Response {
  return json({ success: false, error: { code, message, retryable } }, status);
}

/** The real API refuses bad parameters with INVALID_PARAMETER at HTTP 422, every problem in one message. */
const invalid = (problems: string[]) => weshopError(422, "INVALID_PARAMETER", problems.join("; "));

interface ParsedRun {
  agent: string;
  body: Obj;
  check: RunCheck;
}

/** Reads and checks a run (or power-estimate) body; a Response when it is refused. */
async function parseRun(ctx: Ctx, req: Request): Promise<ParsedRun | Response> {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    return invalid(["body must be a JSON object"]);
  }
  if (!isObj(body)) return invalid(["body must be a JSON object"]);
  const agent = body.agent;
  if (!isObj(agent) || typeof agent.name !== "string" || !AGENTS.includes(agent.name) || agent.version !== "v1.0") {
    return invalid([`agent must be {name: ${AGENTS.join("|")}, version: v1.0}`]);
  }
  const check = checkRun(agent.name, body.input ?? {}, body.params, body);
  if (check.problems.length > 0) return invalid(check.problems);
  const model = String(check.effective.modelName);
  if (ctx.unsubscribed.has(agent.name) || ctx.unsubscribed.has(model)) {
    return weshopError(403, "SUBSCRIPTION_REQUIRED", `${model} needs a WeShop subscription this account does not have`);
  }
  return { agent: agent.name, body, check };
}

function runAccepted(ctx: Ctx, task: TaskRecord): Response {
  const data = {
    executionId: task.id,
    taskId: task.weshopTaskId,
    powerConsumption: task.power ?? 0,
    powerBalanceAmount: ctx.power,
  };
  return json({ success: true, data, meta: { executionId: task.id } });
}

function mediaUrl(ctx: Ctx, task: TaskRecord, name: string): string {
  return `${ctx.origin}/files/weshop/${task.id}/${name}`;
}

// Seedance 2.5 serves the container its outputFormat asked for; every other video is mp4
const videoExt = (task: TaskRecord): "mp4" | "mov" => (task.outputFormat === "mov" ? "mov" : "mp4");
const formatOf = (agent: string, asked: unknown): TaskRecord["outputFormat"] =>
  agent === "seedream" ? (asked === "png" ? "png" : "jpeg") : asked === "mov" ? "mov" : "mp4";

const wantsLastFrame = (p: Obj | undefined) => p?.returnLastFrame === true || p?.returnLastFrame === "true";

function results(ctx: Ctx, task: TaskRecord): Obj[] {
  return Array.from({ length: task.batchCount }, (_, i) => {
    if (task.outcome === "partial" && i % 2 === 1) return { status: "Failed" };
    if (task.agent === "seedream") {
      return { status: "Success", image: mediaUrl(ctx, task, `${i}.${task.outputFormat === "png" ? "png" : "jpg"}`) };
    }
    const entry: Obj = {
      status: "Success",
      video: mediaUrl(ctx, task, `${i}.${videoExt(task)}`),
      videoPoster: mediaUrl(ctx, task, `${i}-poster.jpg`),
    };
    if (wantsLastFrame(task.effectiveParams)) entry.lastFrame = mediaUrl(ctx, task, `${i}-last.jpg`);
    return entry;
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
    // the same Idempotency-Key is the same logical run: answer it again, start nothing
    const key = c.req.header("idempotency-key");
    const known = key ? ctx.weshop.get(ctx.idempotency.get(key) ?? "") : undefined;
    if (known) return runAccepted(ctx, known);
    const parsed = await parseRun(ctx, c.req.raw);
    if (parsed instanceof Response) return parsed;
    const { agent, body, check } = parsed;
    const params = body.params as Obj;

    const fault = ctx.faults.take(
      "weshop.submit",
      (k) => k === "accept_then_hang" || k === "run_failed" || k === "run_partial",
    );
    const task: TaskRecord = {
      seq: ctx.nextSeq++,
      provider: "weshop",
      id: `exe_${randomHex(24)}`,
      weshopTaskId: `task_${randomHex(24)}`,
      agent,
      params,
      effectiveParams: check.effective,
      power: runPower(ctx, check),
      createdAt: ctx.now(),
      outcome: fault?.kind === "run_failed" ? "failed" : fault?.kind === "run_partial" ? "partial" : "success",
      callbacksSent: 0,
      duration: agent === "seedream" ? ctx.durations.seedream : ctx.durations.seedance,
      batchCount: Number(check.effective.batchCount ?? 1),
      outputFormat: formatOf(agent, check.effective.outputFormat),
      callbackDelivered: false,
      callbackInflight: false,
    };
    if (key) task.idempotencyKey = key;
    if (typeof body.callbackUrl === "string") task.callbackUrl = body.callbackUrl;
    ctx.weshop.set(task.id, task);
    if (key) ctx.idempotency.set(key, task.id);
    ctx.power -= task.power ?? 0;
    if (fault?.kind === "accept_then_hang") return hangUntilAbort(c.req.raw.signal, ctx.hangs);
    return runAccepted(ctx, task);
  });

  // a real price quote for the same body as a run; starts nothing and charges nothing
  app.post(`${WESHOP_BASE}/agent/power-estimates`, guard(ctx, "weshop.estimate", "weshop"), auth, async (c) => {
    const parsed = await parseRun(ctx, c.req.raw);
    if (parsed instanceof Response) return parsed;
    const { power, estimated } = parsed.check;
    const data: Obj = { totalPower: power, type: "power", exclusive: false, paidPowerNotEnough: power > ctx.power };
    if (estimated) data.isEstimated = true;
    return json({ success: true, data, meta: {} });
  });

  // presets (locations, fashion models, backgrounds) per agent; the video/image agents here have none
  app.get(`${WESHOP_BASE}/v1/agent/info`, guard(ctx, "weshop.info", "weshop"), auth, (c) => {
    const q = new URL(c.req.url).searchParams;
    const problems: string[] = [];
    const agentName = q.get("agentName") ?? "";
    if (!AGENTS.includes(agentName)) problems.push(`agentName must be one of ${AGENTS.join(", ")}`);
    if (q.get("agentVersion") !== "v1.0") problems.push("agentVersion must be v1.0");
    const page = Number(q.get("page") ?? 1);
    const pageSize = Number(q.get("pageSize") ?? 50);
    if (!(Number.isInteger(page) && page >= 1)) problems.push("page must be a positive integer");
    if (!(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 100))
      problems.push("pageSize must be an integer from 1 to 100");
    if (problems.length > 0) return invalid(problems);
    return json({ success: true, data: { pagination: { page, pageSize } }, meta: {} });
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
      return invalid(["multipart/form-data body with an `image` file is required"]);
    }
    const file = form.get("image");
    if (file === null || typeof file === "string") return invalid(["image: a file field named `image` is required"]);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const kind = sniffImage(bytes);
    if (!kind) return invalid(["image must be a PNG, JPEG, WebP or GIF file"]);
    const name = `${randomHex(20)}.${kind.ext}`;
    ctx.assets.set(name, { contentType: kind.type, bytes });
    return json({ success: true, data: { image: `${ctx.origin}/files/assets/${name}` }, meta: {} });
  });
}

/** Media a finished WeShop run serves at /files/weshop/<executionId>/<name>, if that output exists. */
export function weshopMedia(
  ctx: Ctx,
  executionId: string,
  name: string,
): { kind: TaskRecord["outputFormat"]; label: string } | undefined {
  const task = ctx.weshop.get(executionId);
  const m = /^(\d+)(-poster|-last)?\.(png|jpg|mp4|mov)$/.exec(name);
  if (!task || !m || weshopStatus(task, ctx.now()) !== "Success") return undefined;
  const index = Number(m[1]);
  if (index >= task.batchCount || (task.outcome === "partial" && index % 2 === 1)) return undefined;
  const ext = m[3];
  const label = `seedrun-sim weshop ${task.id} #${index}${m[2] ?? ""}`;
  if (task.agent === "seedream") {
    const want = task.outputFormat === "png" ? "png" : "jpg";
    return !m[2] && ext === want ? { kind: task.outputFormat, label } : undefined;
  }
  if (m[2] === "-last" && !wantsLastFrame(task.effectiveParams)) return undefined;
  if (m[2]) return ext === "jpg" ? { kind: "jpeg", label } : undefined;
  return ext === videoExt(task) ? { kind: videoExt(task), label } : undefined;
}

/** A run is charged for what it made: an automatic duration comes out at the model's choice, not the estimate's guess. */
function runPower(ctx: Ctx, check: { power: number; estimated: boolean }): number {
  return check.estimated ? (check.power / AUTO_GUESS_SECONDS) * ctx.weshopAutoSeconds : check.power;
}
