// The logger of one job: every line it writes carries the job's id, its batch (or pipeline) and
// the id of the request that created it, so an access line and the job's own lines join on them.
import { type Logger, logger } from "../lib/log.ts";
import type { JobRecord } from "./record.ts";

export function jobLog(job: Pick<JobRecord, "id" | "batchId" | "requestId">): Logger {
  const pipelineId = (job as { pipelineId?: unknown }).pipelineId;
  return logger({
    requestId: job.requestId,
    jobId: job.id,
    batchId: job.batchId,
    pipelineId: typeof pipelineId === "string" ? pipelineId : undefined,
  });
}
