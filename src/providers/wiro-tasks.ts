// What a Wiro task's status means (Task/Detail's `tasklist[0]`), and how a task is stopped from
// that status (Task/Cancel or Task/Kill). The HTTP calls themselves are made by wiro.ts, which
// hands them in, so this file knows Wiro's statuses and nothing of signing or transport.
import { z } from "zod";
import { type Outcome, ok, type ProviderTask, type StopResult, type TaskStatus } from "./types.ts";

export const detailData = z.looseObject({
  tasklist: z
    .array(
      z.looseObject({
        status: z.string(),
        pexit: z.union([z.string(), z.number()]).nullish(),
        debugerror: z.string().nullish(),
        totalcost: z.union([z.string(), z.number()]).nullish(),
        outputs: z
          .array(
            z.looseObject({
              url: z.string(),
              contenttype: z.string().nullish(),
              size: z.union([z.string(), z.number()]).nullish(),
            }),
          )
          .nullish(),
      }),
    )
    .min(1),
});

/**
 * Statuses of a task still on its way, in Wiro's order; `task_end` comes before post-processing,
 * so it is not the end. `task_error_full` is the stderr log sent once when the model process
 * exits (Wiro-Docs markdown/tasks.md), before `task_end` and post-processing: the task may still
 * succeed, and Wiro's own client does not count it as terminal (Wiro-MCP src/types.ts).
 */
const RUNNING = new Set([
  "task_queue",
  "task_accept",
  "task_preprocess_start",
  "task_preprocess_end",
  "task_assign",
  "task_start",
  "task_output",
  "task_output_full",
  "task_error_full",
  "task_end",
  "task_postprocess_start",
]);
/** Task/Detail's status for a fatal failure (Wiro-MCP's TERMINAL_STATUSES), unlike the websocket's interim stderr event of the same name. */
const ERRORED = new Set(["task_error"]);

/** Statuses after which a task no longer runs: finished, failed before it ran, or stopped (the terminal ones of `toStatus`). */
const ENDED = new Set(["task_postprocess_end", ...ERRORED, "task_cancel"]);

export interface StopCalls {
  detail(): Promise<Outcome<string>>;
  send(op: "Cancel" | "Kill"): Promise<Outcome<unknown>>;
}

/**
 * One attempt at stopping a task, the way Wiro allows it: Cancel only while queued, Kill only
 * once a worker is assigned (between the two, accept and preprocessing, neither takes yet). The
 * choice is made from the task's status read now, and the stop counts only once Task/Detail
 * shows the task no longer runs.
 */
export async function stopTask(task: ProviderTask, calls: StopCalls): Promise<Outcome<StopResult>> {
  const before = await calls.detail();
  if (!before.ok) return before;
  if (ENDED.has(before.value)) return ok(alreadyEnded(task, before.value));
  let sent: "Cancel" | "Kill" | undefined;
  if (before.value === "task_queue") {
    const canceled = await calls.send("Cancel");
    if (canceled.ok) sent = "Cancel";
    // code 1: not in a cancellable state any more (a worker took it meanwhile): Kill instead
    else if (canceled.error.code !== "1") return canceled;
  }
  if (!sent) {
    const killed = await calls.send("Kill");
    if (killed.ok) sent = "Kill";
    else if (killed.error.code !== "1") return killed;
  }
  const after = await calls.detail();
  if (!after.ok)
    return ok({
      state: "pending",
      message: sent
        ? `Wiro accepted Task/${sent} for task ${task.taskId}, but its status could not be read to confirm the stop`
        : `Wiro could not stop task ${task.taskId} yet`,
    });
  if (after.value === "task_cancel" && sent)
    return ok({
      state: "stopped",
      ended: false,
      providerStatus: after.value,
      message: `Wiro task ${task.taskId} ${sent === "Cancel" ? "canceled while queued" : "killed"} (Task/Detail shows task_cancel)`,
    });
  if (ENDED.has(after.value)) return ok(alreadyEnded(task, after.value));
  // Kill refused (code 1) while the task is accepted or preprocessing: not assigned to a worker yet
  return ok({
    state: "pending",
    providerStatus: after.value,
    message: sent
      ? `Wiro accepted Task/${sent} for task ${task.taskId}, but Task/Detail still shows ${after.value}`
      : `Wiro cannot stop task ${task.taskId} yet (${after.value}: not assigned to a worker)`,
  });
}

function alreadyEnded(task: ProviderTask, status: string): StopResult {
  const message =
    status === "task_cancel"
      ? `Wiro task ${task.taskId} is canceled (Task/Detail shows task_cancel)`
      : `Wiro task ${task.taskId} had already ended by itself (${status}) before it could be stopped`;
  return { state: "stopped", ended: status !== "task_cancel", providerStatus: status, message };
}

/** `totalcost`: the USD charged, a decimal string (e.g. "0.003510000000"; "0" for a failed task). */
function costOf(task: z.infer<typeof detailData>["tasklist"][number]): { cost?: number } {
  const n =
    task.totalcost === undefined || task.totalcost === null || task.totalcost === ""
      ? Number.NaN
      : Number(task.totalcost);
  return Number.isFinite(n) && n >= 0 ? { cost: n } : {};
}

export function toStatus(task: z.infer<typeof detailData>["tasklist"][number]): TaskStatus {
  const status = toStatusOnly(task);
  return status.state === "running" ? status : { ...status, ...costOf(task) };
}

function toStatusOnly(task: z.infer<typeof detailData>["tasklist"][number]): TaskStatus {
  const status = task.status;
  if (RUNNING.has(status)) return { state: "running", providerStatus: status };
  if (status === "task_cancel")
    return { state: "canceled", providerStatus: status, message: "Wiro reports the task as canceled (task_cancel)" };
  if (status === "task_postprocess_end") {
    // both successful and failed tasks end here: only exit code "0" is a success
    const pexit = task.pexit === undefined || task.pexit === null ? "" : String(task.pexit);
    if (pexit !== "0")
      return {
        state: "failed",
        providerStatus: status,
        code: "run_failed",
        message: `Wiro run ended with ${pexit === "" ? "no exit code" : `exit code ${pexit}`}${task.debugerror ? `: ${task.debugerror.slice(0, 300)}` : ""}`,
      };
    const outputs = (task.outputs ?? []).map((o) => {
      const size = o.size === undefined || o.size === null ? undefined : Number(o.size);
      return {
        ok: true,
        url: o.url,
        contentType: o.contenttype ?? undefined,
        size: size !== undefined && Number.isFinite(size) ? size : undefined,
      };
    });
    return { state: "succeeded", providerStatus: status, outputs };
  }
  if (ERRORED.has(status))
    return {
      state: "failed",
      providerStatus: status,
      code: "run_failed",
      message: task.debugerror?.slice(0, 300) || `Wiro reported ${status}`,
    };
  // a status Wiro added after this was written: keep polling until the deadline decides
  return { state: "running", providerStatus: status };
}
