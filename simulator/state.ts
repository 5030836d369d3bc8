// Shared mutable state of one simulator instance and the time-driven task status rules.
import type { CapturedRequest, FaultQueue, SimTask } from "./types.ts";

export interface TaskRecord extends SimTask {
  /** Creation order across both providers (createdAt ties under a manual clock). */
  seq: number;
  duration: number;
  batchCount: number;
  /** What each output is served as: Seedream png/jpeg, Seedance mp4 (Seedance 2.5 may ask for mov). */
  outputFormat: "png" | "jpeg" | "mp4" | "mov";
  weshopTaskId?: string;
  /** WeShop power the run costs. */
  power?: number;
  uuid?: string;
  outputId?: string;
  callbackDelivered: boolean;
  callbackInflight: boolean;
}

export interface Asset {
  contentType: string;
  bytes: Uint8Array;
}

export interface Ctx {
  origin: string;
  weshopApiKey: string;
  wiroApiKey: string;
  wiroApiSecret: string;
  wiroKeyOnlyApiKey?: string;
  now: () => number;
  durations: { seedance: number; seedream: number; wiro: number };
  /** Seconds a WeShop run with an automatic duration comes out at (SimOptions.weshopAutoSeconds). */
  weshopAutoSeconds: number;
  sendCallback: (url: string, body: string) => Promise<number>;
  wiroOutput?: { bytes: number; chunked: boolean };
  weshop: Map<string, TaskRecord>;
  wiro: Map<string, TaskRecord>;
  idempotency: Map<string, string>;
  assets: Map<string, Asset>;
  faults: FaultQueue;
  hangs: Set<(reason: unknown) => void>;
  requests: CapturedRequest[];
  nextWiroId: number;
  nextSeq: number;
  power: number;
  unsubscribed: Set<string>;
}

export type WeshopStatus = "Pending" | "Segmenting" | "Running" | "Success" | "Failed";

export function weshopStatus(task: TaskRecord, now: number): WeshopStatus {
  const f = (now - task.createdAt) / task.duration;
  if (f < 0.1) return "Pending";
  if (f < 0.2) return "Segmenting";
  if (f < 1) return "Running";
  return task.outcome === "failed" ? "Failed" : "Success";
}

/**
 * Running statuses in Wiro's documented order (Wiro-Docs tasks.md "Task Lifecycle"), each with
 * the elapsed fraction at which it ends: a worker accepts and preprocesses the task before it is
 * assigned to a GPU, and the model's process ends before post-processing.
 */
export const WIRO_STEPS: ReadonlyArray<readonly [string, number]> = [
  ["task_queue", 0.1],
  ["task_accept", 0.15],
  ["task_preprocess_start", 0.2],
  ["task_preprocess_end", 0.25],
  ["task_assign", 0.3],
  ["task_start", 0.6],
  ["task_output", 0.85],
  ["task_output_full", 0.9],
  ["task_end", 0.95],
  ["task_postprocess_start", 1],
];

/** The elapsed fraction at which `status` begins. */
export function wiroStepStart(status: string): number {
  const index = WIRO_STEPS.findIndex(([name]) => name === status);
  return index <= 0 ? 0 : WIRO_STEPS[index - 1]![1];
}

export function wiroStatus(task: TaskRecord, now: number): string {
  if (task.canceledAt !== undefined || task.killedAt !== undefined) return "task_cancel";
  const f = (now - task.createdAt) / task.duration;
  for (const [status, end] of WIRO_STEPS) if (f < end) return status;
  return "task_postprocess_end";
}

export function isWiroTerminal(status: string): boolean {
  return status === "task_postprocess_end" || status === "task_cancel";
}

export function randomToken(
  length: number,
  alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export function randomHex(length: number): string {
  return randomToken(length, "0123456789abcdef");
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}
