// Wiro callbacks of one job: the per-job URL handed to Wiro with the submit, and what a callback
// that arrives does to the job. A callback is only a signal: the job confirms with Task/Detail
// on its own schedule. Of the body only the task id is read, and only when the submit's answer
// was lost (submit/adopt.ts): no state, URL or output is ever taken from it.
import type { Config } from "../../config.ts";
import { wiroCallbackToken } from "../../lib/callback-token.ts";
import { sha256Hex, timingSafeEqualText } from "../../lib/crypto.ts";
import { CONFIRM_WINDOW_MS } from "../machine/policies.ts";
import { isTerminal } from "../machine/transitions.ts";
import type { JobRecord } from "../record.ts";
import { adoptAfterEnd } from "../stop/stop.ts";
import { adoptableAfterEnd, adoptWhileWaiting, awaitingCallback } from "../submit/adopt.ts";

/**
 * The callback URL for a Wiro submit, and the hash the job keeps of its token. The token is
 * derived from the job id, so the worker refuses a forged callback before it reaches the job;
 * without a public origin Wiro cannot call back and the job is polled only.
 */
export async function callbackFor(
  config: Config,
  jobId: string,
): Promise<{ url: string; tokenHash: string } | undefined> {
  if (!config.publicBaseUrl) return undefined;
  const token = await wiroCallbackToken(config.signingSecret, jobId);
  return { url: `${config.publicBaseUrl}/callbacks/wiro/${jobId}/${token}`, tokenHash: await sha256Hex(token) };
}

/** The hash of a presented token, to compare with `tokenMatches`; hashed before the job is read, so no await separates that read from the write. */
export const tokenHash = (token: string): Promise<string> => sha256Hex(token);

/** The token belongs to this job (compared in constant time). */
export function tokenMatches(job: JobRecord | undefined, hash: string): boolean {
  return job?.callbackTokenHash !== undefined && timingSafeEqualText(hash, job.callbackTokenHash);
}

/**
 * A valid callback arrived: the job notes it and brings its confirming Task/Detail forward, to
 * no earlier than one window after the last poll. Undefined when nothing changes (already noted,
 * and the confirmation is already due as soon). `wakeAt`: the alarm must be moved to then.
 * `taskId` (from the body) is used only by a job whose submit's answer was lost (submit/adopt.ts).
 */
export function callbackNoted(
  job: JobRecord,
  now: number,
  taskId?: string,
): { job: JobRecord; wakeAt?: number } | undefined {
  if (taskId !== undefined && !job.task) {
    const adopted = adoptWhileWaiting(job, taskId, now);
    if (adopted) return { job: adopted, wakeAt: now };
    if (adoptableAfterEnd(job)) return { job: adoptAfterEnd(job, taskId, { now, rand: Math.random() }), wakeAt: now };
  }
  // a job waiting for its task to be named learns nothing from a callback that names none: it waits on
  if (awaitingCallback(job)) return undefined;
  const confirmAt = job.status === "running" ? Math.max(now, (job.lastPollAt ?? 0) + CONFIRM_WINDOW_MS) : job.nextAt;
  if (job.callbackReceived && confirmAt >= job.nextAt) return undefined;
  const updated: JobRecord = {
    ...job,
    callbackReceived: true,
    callbackReceivedAt: job.callbackReceivedAt ?? now,
    nextAt: Math.min(job.nextAt, confirmAt),
  };
  return {
    job: updated,
    wakeAt: !isTerminal(updated.status) && updated.nextAt < job.nextAt ? updated.nextAt : undefined,
  };
}
