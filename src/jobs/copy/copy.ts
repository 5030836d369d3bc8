// Copying a finished run's outputs into R2, as pure decisions: each copy's answer (stored, retry,
// failed), and when no output is pending, how the job ends. The copy itself is copy-io.ts's.
import { backoffDelay, MAX_COPY_ATTEMPTS } from "../machine/policies.ts";
import { conclude, moved, type Tick } from "../machine/transitions.ts";
import type { JobRecord, OutputRecord } from "../record.ts";

export type CopyOutcome =
  | { ok: true; key: string; size: number; sha256: string; contentType: string }
  | { ok: false; retryable: boolean; code: string; message: string };

export function afterCopy(job: JobRecord, index: number, result: CopyOutcome, tick: Tick): JobRecord {
  const outputs = job.outputs.map((o): OutputRecord => {
    if (o.index !== index) return o;
    if (result.ok)
      return {
        ...o,
        status: "stored",
        key: result.key,
        size: result.size,
        sha256: result.sha256,
        contentType: result.contentType,
      };
    const attempts = o.attempts + 1;
    if (result.retryable && attempts < MAX_COPY_ATTEMPTS)
      return { ...o, attempts, error: `${result.code}: ${result.message}` };
    return { ...o, attempts, status: "failed", error: `${result.code}: ${result.message}` };
  });
  const updated = { ...job, outputs, updatedAt: tick.now };
  const retrying = outputs.find((o) => o.index === index && o.status === "pending");
  if (retrying)
    return {
      ...updated,
      status: moved(updated, "copy_pending"),
      nextAt: tick.now + backoffDelay(retrying.attempts, tick.rand),
    };
  return settleOutputs({ ...updated, nextAt: tick.now }, tick);
}

/**
 * When no output is pending, the job ends: succeeded if at least one result is stored. Posters
 * and last frames are extras: copied before the end, but never what decides it.
 */
export function settleOutputs(settling: JobRecord, tick: Tick): JobRecord {
  const job = dropOrphanExtras(settling);
  if (job.outputs.some((o) => o.status === "pending")) return { ...job, status: moved(job, "copy_pending") };
  const results = job.outputs.filter((o) => o.role === undefined);
  if (results.some((o) => o.status === "stored")) return conclude(job, "outputs_stored", tick);
  const firstError = results.find((o) => o.error)?.error;
  if (results.length === 0)
    return conclude(job, "no_outputs", tick, {
      code: "no_outputs",
      message: "The provider finished without any output",
      retryable: false,
    });
  // no copy was ever tried: every result had already failed at the provider
  if (results.every((o) => o.attempts === 0))
    return conclude(job, "results_failed", tick, {
      code: "run_failed",
      message: `Every result failed at the provider: ${firstError ?? "unknown error"}`,
      retryable: false,
    });
  return conclude(job, "media_copy_failed", tick, {
    code: "media_copy_failed",
    message: `No output could be stored: ${firstError ?? "unknown error"}`,
    retryable: true,
  });
}

/** A poster or last frame is not copied once its video could not be stored: a failed job keeps nothing. */
function dropOrphanExtras(job: JobRecord): JobRecord {
  const failed = new Set(job.outputs.filter((o) => o.role === undefined && o.status === "failed").map((o) => o.index));
  if (!job.outputs.some((o) => o.status === "pending" && o.parent !== undefined && failed.has(o.parent))) return job;
  const outputs = job.outputs.map(
    (o): OutputRecord =>
      o.status === "pending" && o.parent !== undefined && failed.has(o.parent)
        ? { ...o, status: "failed", error: "not copied: its video could not be stored" }
        : o,
  );
  return { ...job, outputs };
}
