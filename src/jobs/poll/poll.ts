// What a status poll's answer means for the job, as pure decisions: still running (the next poll
// from the schedule), ended at the provider (failed, canceled, or succeeded: its outputs listed
// for the copy), past the deadline, or unreadable (retried up to the cap). The request is made
// in poll-io.ts, which also hands a task left in an unknown state to the stop (stop/stop.ts).
import type { Outcome, ProviderOutputRef, TaskStatus } from "../../providers/types.ts";
import { settleOutputs } from "../copy/copy.ts";
import { MAX_POLL_ERRORS } from "../machine/policies.ts";
import { providerFailure, retryOrFail } from "../machine/retry.ts";
import { conclude, moved, type Tick } from "../machine/transitions.ts";
import type { JobRecord, OutputRecord } from "../record.ts";
import { nextPollDelay, pollShape } from "./poll-schedule.ts";

/**
 * A failed status request says nothing about the task, which already exists at the provider and
 * may well be running (and billing): polling goes on through every error, up to the poll-error
 * cap, except one no later request can get past (credentials refused, a redirect).
 */
export function afterPoll(job: JobRecord, outcome: Outcome<TaskStatus>, tick: Tick): JobRecord {
  const polled = { ...job, polls: job.polls + 1, lastPollAt: tick.now, updatedAt: tick.now };
  if (!outcome.ok) {
    if (outcome.error.fatal) return conclude(polled, "poll_fatal", tick, providerFailure(outcome.error));
    return retryOrFail(polled, outcome.error, MAX_POLL_ERRORS, tick);
  }
  const status = outcome.value;
  const seen = { ...polled, providerStatus: status.providerStatus, attempts: 0, lastProviderError: undefined };
  switch (status.state) {
    case "running": {
      if (tick.now >= job.deadlineAt)
        return conclude(seen, "timeout", tick, {
          code: "timeout",
          message: `The provider did not finish within ${Math.round((job.deadlineAt - (job.startedAt ?? job.createdAt)) / 60_000)} minutes`,
          retryable: true,
        });
      const elapsed = tick.now - (job.startedAt ?? job.createdAt);
      return {
        ...seen,
        status: moved(seen, "still_running"),
        nextAt: tick.now + nextPollDelay(job.expectedRunMs, elapsed, tick.rand, pollShape(job)),
      };
    }
    case "failed":
      return conclude(seen, "provider_failed", tick, { code: status.code, message: status.message, retryable: false });
    case "canceled":
      return conclude(seen, "provider_canceled", tick, {
        code: "provider_canceled",
        message: status.message ?? "The provider canceled the task",
        retryable: true,
      });
    case "succeeded":
      return settleOutputs(
        {
          ...seen,
          status: moved(seen, "provider_succeeded"),
          outputs: outputRecords(job, status.outputs),
          nextAt: tick.now,
        },
        tick,
      );
  }
}

/**
 * One record per provider result, in the provider's order (index = result number), then one per
 * extra image a stored-to-be result came with (poster, last frame), pointing at its result.
 */
function outputRecords(job: JobRecord, results: ProviderOutputRef[]): OutputRecord[] {
  const kind = job.outputs[0]?.kind ?? (job.model === "weshop/seedream" ? "image" : "video");
  const outputs: OutputRecord[] = results.map((o, index) =>
    o.ok && o.url
      ? {
          index,
          kind,
          status: "pending",
          sourceUrl: o.url,
          sourceContentType: o.contentType,
          sourceSize: o.size,
          attempts: 0,
        }
      : {
          index,
          kind,
          status: "failed",
          error: o.error ?? "The provider returned no media for this output",
          attempts: 0,
        },
  );
  results.forEach((o, parent) => {
    if (!o.ok || !o.url) return;
    for (const [role, url] of [
      ["poster", o.poster],
      ["last_frame", o.lastFrame],
    ] as const)
      if (url)
        outputs.push({
          index: outputs.length,
          kind: "image",
          role,
          parent,
          status: "pending",
          sourceUrl: url,
          attempts: 0,
        });
  });
  return outputs;
}

/** When the run ended, in ms after its start, as far as the job saw it: after `fromMs` and by `toMs`. */
export interface ObservedRun {
  /** The last poll that still saw it running; 0 when none did (the first poll found it done). */
  fromMs: number;
  toMs: number;
}

/**
 * When the provider's run ended. A callback goes out as the run ends, so its arrival marks the
 * end; otherwise the run finished between the last poll that saw it running and the one that saw
 * it done. The window, not a guess inside it, goes to the statistics (stats/stats-object.ts).
 */
export function observedRunMs(before: JobRecord, after: JobRecord): ObservedRun | undefined {
  if (before.status !== "running" || after.status === "running" || !before.startedAt || !after.lastPollAt)
    return undefined;
  if (after.status === "failed" && after.error?.code !== "run_failed") return undefined;
  if (after.callbackReceivedAt !== undefined && after.callbackReceivedAt > before.startedAt) {
    const at = after.callbackReceivedAt - before.startedAt;
    return { fromMs: at, toMs: at };
  }
  const fromMs = before.lastPollAt === undefined ? 0 : before.lastPollAt - before.startedAt;
  return { fromMs, toMs: after.lastPollAt - before.startedAt };
}
