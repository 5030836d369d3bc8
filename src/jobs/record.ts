// The job as the JobObject stores it, and the shape clients see (PublicJob). What of the record a
// client sees is decided only by `publicJob` (public-job.ts).
import type { ModelId, OutputKind, ProviderName } from "../providers/models.ts";
import type { DeliveryReport, WebhookMessage } from "../webhooks/types.ts";
import type { JobCost } from "./cost-types.ts";

export type JobStatus = "queued" | "running" | "copying" | "succeeded" | "failed" | "canceled";
export const TERMINAL: ReadonlySet<JobStatus> = new Set(["succeeded", "failed", "canceled"]);

export interface JobError {
  code: string;
  message: string;
  retryable: boolean;
}

/** An extra image that came with a video result: its poster, or its last frame. */
export type OutputRole = "poster" | "last_frame";

export interface OutputRecord {
  index: number;
  kind: OutputKind;
  /** Set on extras only; `parent` is then the index of the result they belong to. */
  role?: OutputRole;
  parent?: number;
  /** `expired`: retention removed the stored copy from R2 (docs/lifecycle.md). */
  status: "pending" | "stored" | "failed" | "expired";
  /** Provider URL: used to copy, never shown to clients. */
  sourceUrl?: string;
  sourceContentType?: string;
  sourceSize?: number;
  key?: string;
  contentType?: string;
  size?: number;
  sha256?: string;
  error?: string;
  attempts: number;
}

export const JOB_EVENTS = ["job.running", "job.succeeded", "job.failed", "job.canceled"] as const;
export type JobEvent = (typeof JOB_EVENTS)[number];
export const DEFAULT_JOB_EVENTS: JobEvent[] = ["job.succeeded", "job.failed", "job.canceled"];

export interface StopRecord {
  /** The job's error message up to the stop's note. */
  headline: string;
  /** What the provider was asked and answered: the end of the job's error message. */
  note: string;
  /** The provider's own status shows the task no longer runs. */
  confirmed: boolean;
  /** Stored by earlier versions: a WeShop run to be looked up by resubmitting. No longer done (a resubmit can start the run); read only to settle such jobs. */
  resolve?: boolean;
  /** A submit was in flight at the cancel: what became of it is said once its answer is in (a Wiro task it names is stopped). */
  awaitingSubmit?: boolean;
  /** A Wiro submit's answer never came: the task it may have created is adopted (and stopped) if its callback names it. */
  taskUnknown?: boolean;
}

export type { CostAmount, CostEstimate, CostUnit, EstimateSource, JobCost } from "./cost-types.ts";

export interface JobRecord {
  id: string;
  tenant: string;
  model: ModelId;
  provider: ProviderName;
  params: Record<string, unknown>;
  metadata: Record<string, string>;
  tags?: string[];
  /** The caller's deadline (ms): the job is canceled then if unfinished (src/lifecycle/deadline.ts). */
  deadline?: number;
  batchId?: string;
  scheduleId?: string;
  /** The request that created the job: its lines and the request's access line join on it. */
  requestId?: string;
  /** The pipeline this job is one of, and the id of its step there. */
  pipelineId?: string;
  pipelineStep?: string;
  status: JobStatus;
  task?: { taskId: string; token?: string; reportedCost?: number };
  /** The quote at admission, and the provider's reported cost once known (see costs/actual.ts). */
  cost?: JobCost;
  /** The tenant's budget has taken this job's final cost. */
  costSettled?: boolean;
  /** The job's metrics point and stats rollup are written (jobs/hand-overs/finish-record.ts). */
  finishRecorded?: boolean;
  providerStatus?: string;
  callbackReceived?: boolean;
  callbackReceivedAt?: number;
  /** SHA-256 of the per-job Wiro callback token; the token itself is never stored. */
  callbackTokenHash?: string;
  webhook?: { url: string; events: JobEvent[] };
  /** Latest known state of each outgoing webhook message, by message id. */
  deliveries?: Record<string, DeliveryReport>;
  /** Webhook messages decided but not yet handed to their delivery objects. */
  outbox?: WebhookMessage[];
  outputs: OutputRecord[];
  error?: JobError;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  completedAt?: number;
  polls: number;
  lastPollAt?: number;
  /** Consecutive failed attempts of the current step; reset on progress. */
  attempts: number;
  /** Set just before a submit call: if we find it set with no task, that call's fate is unknown. */
  submitStartedAt?: number;
  submitAttempts: number;
  /** Expected run time for this job (model prior x learned factor), drives the poll schedule. */
  expectedRunMs: number;
  /** σ of log run time for this model (learned), shapes the poll window. */
  runSpread?: number;
  deadlineAt: number;
  /** When the alarm should next act. */
  nextAt: number;
  lastProviderError?: string;
  /** A stop of the provider's task still to do after the job ended (see `stop`): the next attempt. */
  providerStop?: { attempts: number; nextAt: number; tries?: number; since?: number };
  /** The job ended (client cancel, deadline) while a provider task might exist: what became of it. */
  stop?: StopRecord;
  /** The job holds one of its provider's concurrency slots. */
  slotHeld?: boolean;
  /** Other jobs were waiting for a slot when this one got its own: each ms it holds the slot after the run is theirs. */
  slotContended?: boolean;
  /** When the slot's lease was last renewed (polls renew it at most once a minute). */
  slotRenewedAt?: number;
  /** Place in the provider's waiting line while no slot is free. */
  queuePosition?: number;
  /** The provider's concurrency cap when the job was put in line (for its ETA). */
  queueSlots?: number;
  /** The job's batch, its pipeline, has been told it ended. */
  batchNotified?: boolean;
  pipelineNotified?: boolean;
  /** Status and updatedAt last written to the D1 index. */
  indexedStatus?: JobStatus;
  indexedAt?: number;
  /** Origin used to build media links when no PUBLIC_BASE_URL is set. */
  origin: string;
}

/** A stored (or failed) copy of one file: a result, or an image that came with it. */
export interface PublicMedia {
  status: "stored" | "failed" | "expired";
  contentType: string | null;
  size: number | null;
  sha256?: string;
  url: string | null;
  expiresAt: string | null;
  error?: string;
}

export interface PublicOutput extends PublicMedia {
  index: number;
  kind: OutputKind;
  /** WeShop's poster image of this video, when it gave one. */
  poster?: PublicMedia;
  /** WeShop's last frame of this video (asked for with `returnLastFrame`), when it gave one. */
  lastFrame?: PublicMedia;
}

export interface PublicWebhook {
  url: string;
  events: JobEvent[];
  /** The most recent event's delivery. */
  lastStatus: number | null;
  attempts: number;
  deliveredAt?: string;
  deliveries: {
    id: string;
    type: string;
    status: "pending" | "delivered" | "failed";
    attempts: number;
    lastStatus: number | null;
    deliveredAt?: string;
    nextAttemptAt?: string;
    error?: string;
  }[];
}

export interface PublicJob {
  id: string;
  model: ModelId;
  status: JobStatus;
  /** While queued behind the provider's concurrency cap: the place in line (1 = next). */
  queuePosition?: number;
  params: Record<string, unknown>;
  metadata: Record<string, string>;
  tags?: string[];
  deadline?: string;
  batchId?: string;
  pipelineId?: string;
  pipelineStep?: string;
  cost: JobCost;
  provider: {
    name: ProviderName;
    taskId: string | null;
    status: string | null;
    callbackReceived?: boolean;
    callbackReceivedAt?: string;
    /** Present once the job ended while a provider task might exist: true when the provider's status shows it no longer runs. */
    stopConfirmed?: boolean;
  };
  webhook?: PublicWebhook;
  outputs: PublicOutput[];
  error?: JobError;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  completedAt?: string;
  /** When the job is expected to end (learned run time and place in line); null once it ended. */
  estimatedCompletionAt: string | null;
  polls: number;
}
