// How other code reaches a batch's Durable Object: the batch as stored, the calls it offers and
// the stub builder, apart from the class so the routes, schedules and jobs never import the object.
import type { CostAmount, CostEstimate, JobStatus } from "../jobs/record.ts";
import { derivedId } from "../lib/crypto.ts";
import type { JobSpec } from "../schemas/job-spec.ts";

/** A job spec with the quote it was admitted with. */
export type QuotedSpec = JobSpec & { estimate?: CostEstimate | null };

/** The id of the batch's job at `index`: derived, so re-running a chunk re-finds the same jobs (and admission reserves for them before they exist). */
export function batchJobId(batchId: string, index: number): Promise<string> {
  return derivedId("job", `${batchId}:${index}`);
}

export type BatchStatus = "running" | "completed" | "canceled";

export interface NewBatch {
  id: string;
  tenant: string;
  specs: QuotedSpec[];
  webhookUrl?: string;
  scheduleId?: string;
  origin: string;
}

export interface BatchRecord {
  id: string;
  tenant: string;
  total: number;
  /** How many of the batch's jobs exist so far (they are created in index order). */
  created: number;
  finished: number;
  status: BatchStatus;
  canceledAt?: number;
  /** After a cancel: how many created jobs were told to cancel. */
  cancelProgress?: number;
  webhookUrl?: string;
  scheduleId?: string;
  origin: string;
  createdAt: number;
  completedAt?: number;
  webhookSent?: boolean;
  /** The sum of its jobs' estimates per unit, at admission. */
  estimate?: CostAmount[];
}

export interface BatchApi {
  create(input: NewBatch): Promise<BatchRecord>;
  read(tenant: string): Promise<BatchRecord | null>;
  cancel(tenant: string): Promise<{ batch: BatchRecord | null; canceled: boolean }>;
  jobFinished(jobId: string, status: JobStatus): Promise<void>;
  /** DELETE /v1/batches/{id}, once its jobs are deleted: the batch's record and stored specs go. */
  erase(tenant: string): Promise<boolean>;
}

export function batchApi(env: Env, id: string): BatchApi {
  return env.BATCHES.get(env.BATCHES.idFromName(id)) as unknown as BatchApi;
}
