// How other code reaches a job's Durable Object: the calls it offers and the stub builder, apart
// from the class so the routes, the batch, the sweeper and the webhooks never import the object.

import type { EraseAnswer, EraseReason } from "../lifecycle/job-erase.ts";
import type { ModelId } from "../providers/models.ts";
import type { DeliveryReport } from "../webhooks/types.ts";
import type { CostEstimate, JobEvent, JobRecord } from "./record.ts";

export interface NewJob {
  id: string;
  tenant: string;
  model: ModelId;
  params: Record<string, unknown>;
  metadata: Record<string, string>;
  batchId?: string;
  /** The creating request's id, carried by the job's log lines. */
  requestId?: string;
  scheduleId?: string;
  pipelineId?: string;
  pipelineStep?: string;
  origin: string;
  webhook?: { url: string; events: JobEvent[] };
  tags?: string[];
  /** The caller's deadline (ms). */
  deadline?: number;
  /** The quote the job was admitted with (null: none could be had, and no limit needed one). */
  estimate?: CostEstimate | null;
}

/** What other code may call on a job's object. RPC typing cannot express the job's JSON params, so the stub is given this shape. */
export interface JobApi {
  create(input: NewJob): Promise<JobRecord>;
  read(tenant: string): Promise<JobRecord | null>;
  cancel(tenant: string): Promise<{ job: JobRecord | null; canceled: boolean }>;
  waitForChange(tenant: string, since: number, timeoutMs: number): Promise<JobRecord | null>;
  wiroCallback(token: string, taskId?: string): Promise<boolean>;
  webhookReport(report: DeliveryReport): Promise<void>;
  rearm(): Promise<boolean>;
  wake(): Promise<void>;
  /** Deletes a finished job (src/lifecycle/job-erase.ts). */
  erase(tenant: string, reason: EraseReason): Promise<EraseAnswer>;
  /** Output retention: removes the finished job's stored outputs. */
  expireOutputs(tenant: string): Promise<boolean>;
}

export function jobApi(env: Env, id: string): JobApi {
  return env.JOBS.get(env.JOBS.idFromName(id)) as unknown as JobApi;
}
