// Wiro contract: seedance-v1 runs, Task/Detail progression and completion callbacks (auth and bodies in wiro-http.ts, Cancel vs Kill in wiro-stop.ts).
import type { Hono } from "hono";
import { hangUntilAbort } from "./faults.ts";
import { guard } from "./guard.ts";
import { mp4Video } from "./media.ts";
import {
  type Ctx,
  isWiroTerminal,
  json,
  randomHex,
  randomToken,
  type TaskRecord,
  wiroStatus,
  wiroStepStart,
} from "./state.ts";
import { type Obj, readBody, wiroAuth, wiroError } from "./wiro-http.ts";
import { registerWiroPricing, wiroPrice } from "./wiro-pricing.ts";
import { registerWiroStop } from "./wiro-stop.ts";

export const WIRO_BASE = "/wiro/v1";
const MODEL_PATH = "/Run/ByteDance/text-to-video-seedance-v1";
const MAX_CALLBACK_ATTEMPTS = 4; // the first try plus 3 retries

const SELECT_INPUTS: Record<string, string[]> = {
  resolution: ["480p", "720p"],
  ratio: ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "9:21"],
  duration: ["5", "10"],
  fps: ["24", "16"],
  watermark: ["false", "true"],
  camerafixed: ["false", "true"],
};
// callbackUrl and projectid are Wiro's common parameters for every run (Wiro-Docs run-a-model.md)
const KNOWN_INPUTS = new Set(["prompt", "seed", "callbackUrl", "projectid", ...Object.keys(SELECT_INPUTS)]);

function validateRun(body: Obj): string | undefined {
  for (const key of Object.keys(body)) if (!KNOWN_INPUTS.has(key)) return `Unknown input: ${key}`;
  if (typeof body.prompt !== "string" || body.prompt.trim() === "") return "Request parameter [prompt] required";
  for (const [name, allowed] of Object.entries(SELECT_INPUTS)) {
    const v = body[name];
    // Select inputs are strings in the tool definition; a JSON number here is a client bug.
    if (v !== undefined && !(typeof v === "string" && allowed.includes(v)))
      return `${name} must be one of "${allowed.join('", "')}" (strings)`;
  }
  // seed is a number input (-1 for random); Wiro reads number inputs from strings too (form bodies carry only
  // strings), so "42" is fine and "abc" or 1.5 is refused. The seed's own example sends null.
  const seed = body.seed;
  const seedOk =
    (typeof seed === "number" && Number.isInteger(seed)) || (typeof seed === "string" && /^-?\d+$/.test(seed.trim()));
  if (seed !== undefined && seed !== null && !seedOk) return "Request parameter [seed] must be integer or float";
  const project = body.projectid;
  if (
    project !== undefined &&
    !(typeof project === "string" || (typeof project === "number" && Number.isInteger(project)))
  )
    return "Request parameter [projectid] is invalid";
  const cb = body.callbackUrl;
  if (cb !== undefined && cb !== "") {
    let ok = false;
    try {
      ok = typeof cb === "string" && /^https?:$/.test(new URL(cb).protocol);
    } catch {
      ok = false;
    }
    if (!ok) return "callbackUrl must be an http(s) URL";
  }
  return undefined;
}

/** Wiro-Docs names the token `tasktoken`; Wiro's own client sends it to Task/Kill as `socketaccesstoken`. */
function findTask(ctx: Ctx, body: Obj): TaskRecord | undefined {
  const token = typeof body.tasktoken === "string" && body.tasktoken !== "" ? body.tasktoken : body.socketaccesstoken;
  if (typeof token === "string" && token !== "") {
    for (const t of ctx.wiro.values()) if (t.token === token) return t;
    return undefined;
  }
  if (typeof body.taskid === "string" || typeof body.taskid === "number") return ctx.wiro.get(String(body.taskid));
  return undefined;
}

const hasTaskRef = (body: Obj) =>
  ["tasktoken", "socketaccesstoken", "taskid"].some(
    (k) => (typeof body[k] === "string" && body[k] !== "") || typeof body[k] === "number",
  );

export function wiroOutputLabel(task: TaskRecord): string {
  return `seedrun-sim wiro ${task.id} #0`;
}

/** The tasklist[] entry for a task at the current sim time (also the callback body). */
export function wiroTaskView(ctx: Ctx, task: TaskRecord): Obj {
  const now = ctx.now();
  const status = wiroStatus(task, now);
  const at = (fraction: number) => task.createdAt + fraction * task.duration;
  const secs = (ms: number | undefined) => (ms === undefined || ms > now ? "0" : String(Math.floor(ms / 1000)));
  const stoppedAt = task.canceledAt ?? task.killedAt;
  const endAt = stoppedAt ?? (status === "task_postprocess_end" ? at(1) : undefined);
  const done = status === "task_postprocess_end";
  const ok = done && task.outcome !== "failed";
  const big = ctx.wiroOutput;
  const size = ok ? (big ? big.bytes : mp4Video(wiroOutputLabel(task)).length) : 0;
  // after Task/InputOutputDelete, Task/Detail returns empty outputs (Wiro-Docs tasks.md)
  const outputs =
    ok && task.filesDeletedAt === undefined
      ? [
          {
            id: task.outputId,
            name: "0.mp4",
            contenttype: "video/mp4",
            parentid: task.outputId,
            uuid: task.uuid,
            size: String(size),
            addedtime: secs(endAt),
            modifiedtime: secs(endAt),
            accesskey: task.outputId?.slice(0, 30),
            url: big
              ? `${ctx.origin}/files/big/${big.bytes}.mp4${big.chunked ? "?chunked=1" : ""}`
              : `${ctx.origin}/files/wiro/${task.id}/0.mp4`,
          },
        ]
      : [];
  const before = (ms: number) => (stoppedAt === undefined || ms <= stoppedAt ? secs(ms) : "0");
  return {
    id: task.id,
    uuid: task.uuid,
    socketaccesstoken: task.token,
    parameters: task.params,
    debugoutput: "",
    debugerror: done && !ok ? "simulated failure" : "",
    starttime: before(at(wiroStepStart("task_start"))),
    endtime: secs(endAt),
    elapsedseconds: ((Math.min(now, endAt ?? now) - task.createdAt) / 1000).toFixed(4),
    status,
    pexit: done ? (ok ? "0" : "1") : "",
    createtime: secs(task.createdAt),
    canceltime: secs(stoppedAt),
    accepttime: before(at(wiroStepStart("task_accept"))),
    assigntime: before(at(wiroStepStart("task_assign"))),
    preprocessstarttime: before(at(wiroStepStart("task_preprocess_start"))),
    preprocessendtime: before(at(wiroStepStart("task_preprocess_end"))),
    postprocessstarttime: done ? secs(at(1)) : "0",
    postprocessendtime: done ? secs(at(1)) : "0",
    // only a successful task is billed: a failed one costs "0" (Wiro-Docs tasks.md, "Billing & Cost")
    totalcost: ok ? wiroPrice(task.params).toFixed(12) : "0",
    modelslugowner: "ByteDance",
    modelslugproject: "text-to-video-seedance-v1",
    outputs,
    size: String(size),
  };
}

export function registerWiro(app: Hono, ctx: Ctx): void {
  const auth = wiroAuth(ctx);
  app.post(`${WIRO_BASE}${MODEL_PATH}`, guard(ctx, "wiro.run", "wiro"), auth, async (c) => {
    const body = await readBody(c.req.raw);
    if (!body) return wiroError(0, "Request parameters are invalid.");
    const problem = validateRun(body);
    if (problem) return wiroError(0, problem);
    const fault = ctx.faults.take("wiro.run", (k) => k === "accept_then_hang" || k === "run_failed");
    const { callbackUrl, ...params } = body;
    const task: TaskRecord = {
      seq: ctx.nextSeq++,
      provider: "wiro",
      id: String(ctx.nextWiroId++),
      token: randomToken(30),
      agent: "seedance-v1",
      params,
      createdAt: ctx.now(),
      outcome: fault?.kind === "run_failed" ? "failed" : "success",
      callbacksSent: 0,
      duration: ctx.durations.wiro,
      batchCount: 1,
      outputFormat: "mp4",
      uuid: crypto.randomUUID(),
      outputId: randomHex(32),
      callbackDelivered: false,
      callbackInflight: false,
    };
    if (typeof callbackUrl === "string" && callbackUrl !== "") task.callbackUrl = callbackUrl;
    ctx.wiro.set(task.id, task);
    if (fault?.kind === "accept_then_hang") return hangUntilAbort(c.req.raw.signal, ctx.hangs);
    return json({ errors: [], taskid: task.id, socketaccesstoken: task.token, result: true });
  });

  // any other model: Wiro-Docs error-reference.md, "Model not found" (not captured: no model of ours),
  // answered only to an authenticated caller: the auth errors come first on every endpoint
  app.post(`${WIRO_BASE}/Run/*`, auth, () => wiroError(1, "slug-owner-project-not-exist"));

  app.post(`${WIRO_BASE}/Task/Detail`, guard(ctx, "wiro.detail", "wiro"), auth, async (c) => {
    const body = await readBody(c.req.raw);
    if (!body) return wiroError(0, "Request body must be JSON or form data");
    if (!hasTaskRef(body)) return wiroError(0, "taskid or socketaccesstoken is required");
    const task = findTask(ctx, body);
    if (!task) return wiroError(1, "There is no task yet.");
    return json({ total: "1", errors: [], tasklist: [wiroTaskView(ctx, task)], result: true });
  });
  registerWiroStop(app, ctx, WIRO_BASE);
  registerWiroPricing(app, ctx, WIRO_BASE, auth);
}

/** The mp4 label a finished, successful Wiro task serves at /files/wiro/<taskid>/0.mp4. */
export function wiroMedia(ctx: Ctx, taskid: string, name: string): string | undefined {
  const task = ctx.wiro.get(taskid);
  if (
    !task ||
    name !== "0.mp4" ||
    task.outcome === "failed" ||
    task.filesDeletedAt !== undefined ||
    wiroStatus(task, ctx.now()) !== "task_postprocess_end"
  )
    return undefined;
  return wiroOutputLabel(task);
}

/** One delivery attempt per due task; a failed attempt (non-200 or network error) is retried on a later tick. */
export async function sendDueCallbacks(ctx: Ctx): Promise<void> {
  const now = ctx.now();
  const due = [...ctx.wiro.values()].filter(
    (t) =>
      t.callbackUrl !== undefined &&
      !t.callbackDelivered &&
      !t.callbackInflight &&
      t.callbacksSent < MAX_CALLBACK_ATTEMPTS &&
      isWiroTerminal(wiroStatus(t, now)),
  );
  await Promise.all(
    due.map(async (task) => {
      task.callbackInflight = true;
      task.callbacksSent += 1;
      let status = 0;
      try {
        status = await ctx.sendCallback(task.callbackUrl as string, JSON.stringify(wiroTaskView(ctx, task)));
      } catch {
        status = 0;
      }
      task.callbackInflight = false;
      if (status === 200) task.callbackDelivered = true;
    }),
  );
}
