// Deleting many jobs at once: a batch's (DELETE /v1/batches/{id}), a pipeline's (the pipelines
// code calls `deleteJobs` with its job ids), and the retention sweep's. Each job is erased by its
// own object (src/lifecycle/job-erase.ts), a few at a time.

import { jobApi } from "../jobs/job-client.ts";
import { errorMessage } from "../lib/error-message.ts";
import { log } from "../lib/log.ts";
import { type ApiError, problem } from "../lib/problems.ts";
import type { EraseReason } from "./job-erase.ts";

/** Jobs erased at once: bounded so a large batch stays within a request's subrequest budget per round. */
const PARALLEL = 8;

export interface DeleteOutcome {
  erased: string[];
  /** Not finished yet: left as they are (the caller answers 409 for them). */
  unfinished: string[];
  /** Unknown, another tenant's, or already deleted. */
  missing: string[];
  /** Could not be reached now; asking again deletes them. */
  failed: string[];
}

/** Deletes every finished job of `ids` that belongs to `tenant`. */
export async function deleteJobs(
  env: Env,
  tenant: string,
  ids: readonly string[],
  reason: EraseReason = "client",
): Promise<DeleteOutcome> {
  const out: DeleteOutcome = { erased: [], unfinished: [], missing: [], failed: [] };
  for (let i = 0; i < ids.length; i += PARALLEL) {
    await Promise.all(
      ids.slice(i, i + PARALLEL).map(async (id) => {
        try {
          out[await jobApi(env, id).erase(tenant, reason)].push(id);
        } catch (err) {
          log("warn", "job delete failed", { jobId: id, error: errorMessage(err) });
          out.failed.push(id);
        }
      }),
    );
  }
  return out;
}

/**
 * Deletes every job of a group (a batch, a pipeline) or throws what the group's DELETE answers:
 * `unfinished` while any job still runs, `503 delete_incomplete` when some could not be reached.
 */
export async function deleteGroupJobs(
  env: Env,
  tenant: string,
  ids: readonly string[],
  unfinished: () => ApiError,
): Promise<void> {
  const outcome = await deleteJobs(env, tenant, ids);
  if (outcome.unfinished.length > 0) throw unfinished();
  if (outcome.failed.length > 0)
    throw problem("delete_incomplete", {
      detail: `${outcome.failed.length} jobs could not be reached; send the DELETE again.`,
      headers: { "Retry-After": "5" },
    });
}
