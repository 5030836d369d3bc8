// The webhook message and its delivery's progress: plain types shared by the job (which builds
// messages and keeps their reports), the batch, and the delivery object, so none imports another.

export interface WebhookMessage {
  id: string;
  jobId: string;
  url: string;
  type: string;
  /** The exact body, fixed when the event happened so every retry sends the same bytes. */
  body: string;
  /** Unix seconds of the event; the signature's timestamp is that of each attempt. */
  createdAt: number;
  /** Whose delivery log it appears in (GET /v1/webhook-deliveries), and what it concerns. */
  tenant?: string;
  batchId?: string;
  pipelineId?: string;
}

/** One delivery attempt as the log shows it. */
export interface AttemptRecord {
  at: number;
  httpStatus: number | null;
  ms: number;
  error?: string;
}

/** How one message's delivery stands, as the delivery object reports it to the job. */
export interface DeliveryReport {
  id: string;
  type: string;
  attempts: number;
  lastStatus: number | null;
  lastError?: string;
  deliveredAt?: number;
  gaveUpAt?: number;
  nextAt?: number;
}

/** The message plus how its delivery stands: the same fields the job is told about. */
export type DeliveryState = Omit<DeliveryReport, "id" | "type"> & {
  message: WebhookMessage;
  /** Every attempt (the last 50), for the delivery log. */
  log?: AttemptRecord[];
  /** Set while the job has not yet taken the final outcome: how often that report failed, and when to try again. */
  finalReport?: { failures: number; nextAt: number };
};
