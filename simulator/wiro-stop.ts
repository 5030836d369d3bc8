// Wiro's Task/Cancel and Task/Kill: which task a call names, and when each one takes.
import type { Hono } from "hono";
import { guard } from "./guard.ts";
import { type Ctx, isWiroTerminal, json, type TaskRecord, WIRO_STEPS, wiroStatus } from "./state.ts";
import { readBody, wiroAuth, wiroError } from "./wiro-http.ts";

export function registerWiroStop(app: Hono, ctx: Ctx, base: string): void {
  const auth = wiroAuth(ctx);
  // Cancel: only while queued. Kill: only once assigned to a worker (from task_assign until the
  // task ends); before that, accepted or preprocessing, neither takes. Both end in task_cancel.
  app.post(`${base}/Task/Cancel`, guard(ctx, "wiro.cancel", "wiro"), auth, async (c) => {
    const found = await stopTarget(ctx, c.req.raw, false);
    if (found instanceof Response) return found;
    const now = ctx.now();
    if (wiroStatus(found, now) !== "task_queue") return wiroError(1, "Task is not in a cancellable state.");
    found.canceledAt = now;
    return json({ result: true, errors: [] });
  });
  app.post(`${base}/Task/Kill`, guard(ctx, "wiro.kill", "wiro"), auth, async (c) => {
    const found = await stopTarget(ctx, c.req.raw, true);
    if (found instanceof Response) return found;
    const now = ctx.now();
    const status = wiroStatus(found, now);
    if (isWiroTerminal(status)) return wiroError(1, "Task could not be killed: the task has already ended");
    if (!killable(status)) return wiroError(1, "Task could not be killed: the task is not assigned to a worker yet");
    found.killedAt = now;
    return json({ result: true, errors: [] });
  });
  // Wiro-Docs tasks.md: by `tasktoken` (the socketaccesstoken), terminal tasks only
  // (task_postprocess_end or task_cancel), idempotent; the task record stays, its files go
  app.post(`${base}/Task/InputOutputDelete`, guard(ctx, "wiro.delete", "wiro"), auth, async (c) => {
    const body = await readBody(c.req.raw);
    if (!body) return wiroError(0, "Request body must be JSON or form data");
    const token = typeof body.tasktoken === "string" ? body.tasktoken : "";
    const task = token === "" ? undefined : [...ctx.wiro.values()].find((t) => t.token === token);
    if (!task) return wiroError(1, "task-not-exist");
    if (!isWiroTerminal(wiroStatus(task, ctx.now())))
      return wiroError(1, "Task must be completed or cancelled before deleting files");
    task.filesDeletedAt ??= ctx.now();
    return json({ result: true, errors: [] });
  });
}

/** Kill takes once a worker has the task: task_assign and every running status after it. */
function killable(status: string): boolean {
  const order = (name: string) => WIRO_STEPS.findIndex(([step]) => step === name);
  return order(status) >= order("task_assign");
}

/**
 * The task a Cancel or Kill names: by `taskid` (what Wiro's own client sends), by `tasktoken`
 * (what Wiro's docs show), and for Kill also by `socketaccesstoken` (Wiro's client maps a task
 * token to it). Errors are the documented ones: code 1 "There is no task yet." when unknown.
 */
async function stopTarget(ctx: Ctx, req: Request, socketToken: boolean): Promise<TaskRecord | Response> {
  const body = await readBody(req);
  if (!body) return wiroError(0, "Request body must be JSON or form data");
  const text = (v: unknown) => (typeof v === "string" && v !== "") || typeof v === "number";
  let task: TaskRecord | undefined;
  if (text(body.taskid)) task = ctx.wiro.get(String(body.taskid));
  else {
    const token = text(body.tasktoken)
      ? body.tasktoken
      : socketToken && text(body.socketaccesstoken)
        ? body.socketaccesstoken
        : undefined;
    if (token === undefined)
      return wiroError(
        0,
        socketToken ? "taskid, tasktoken or socketaccesstoken is required" : "taskid or tasktoken is required",
      );
    for (const t of ctx.wiro.values()) if (t.token === String(token)) task = t;
  }
  return task ?? wiroError(1, "There is no task yet.");
}
