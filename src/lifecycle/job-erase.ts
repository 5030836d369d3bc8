// Deleting a finished job (DELETE /v1/jobs/{id}, batch deletes, job retention) and removing its
// outputs (output retention), run inside the job's Durable Object. A delete first replaces the job
// record by a tombstone that holds no content (only what is left to erase), atomically, with an
// alarm set: whatever a crash interrupts after that, the alarm finishes. What is erased where:
// docs/lifecycle.md.
import { readConfig } from "../config.ts";
import { markDeleted, markOutputsExpired } from "../db/lifecycle.ts";
import { isTerminal } from "../jobs/machine/transitions.ts";
import type { JobRecord, OutputRecord } from "../jobs/record.ts";
import { errorMessage } from "../lib/error-message.ts";
import { log } from "../lib/log.ts";
import { providerFor } from "../providers/index.ts";
import { MODELS, type ModelId } from "../providers/models.ts";
import { deliveryApi } from "../webhooks/delivery-client.ts";

export const TOMBSTONE_KEY = "tombstone";
/** How long the provider's files are asked to be deleted before giving up (logged): a week of backoff. */
export const PROVIDER_DELETE_PATIENCE_MS = 7 * 24 * 3600_000;
/** Retry of the local parts (R2, D1, delivery objects) after a failure. */
const LOCAL_RETRY_MS = 30_000;

export type EraseReason = "client" | "retention";

/** What is left of a deleted job: no params, outputs, metadata or events; only what is still to erase. */
export interface Tombstone {
  id: string;
  tenant: string;
  model: ModelId;
  reason: EraseReason;
  deletedAt: number;
  /** Local parts still to erase: its R2 objects, its index row and delivery log, its webhook messages' objects. */
  media: boolean;
  index: boolean;
  messages: string[];
  localRetryAt?: number;
  /** Wiro: the task whose input and output files are still to be deleted there (Task/InputOutputDelete). */
  providerFiles?: { taskId: string; token: string; attempts: number; nextAt: number; lastError?: string };
  /** Everything is erased (or given up on, see `note`). */
  doneAt?: number;
  note?: string;
}

/** What the job's object lends the erase: its storage and the record it keeps. */
export interface EraseHost {
  env: Env;
  storage: DurableObjectStorage;
  load(): JobRecord | undefined;
  save(job: JobRecord): void;
  /** Removes the job record (in the same synchronous step as the tombstone is written). */
  drop(): void;
  /** Hands over the finished job's cost and batch count before its record goes. */
  handOver(job: JobRecord): Promise<void>;
}

export type EraseAnswer = "erased" | "unfinished" | "missing";

export function tombstoneOf(job: JobRecord, reason: EraseReason, now: number): Tombstone {
  const messages = [...new Set([...Object.keys(job.deliveries ?? {}), ...(job.outbox ?? []).map((m) => m.id)])];
  const token = job.provider === "wiro" ? job.task?.token : undefined;
  return {
    id: job.id,
    tenant: job.tenant,
    model: job.model,
    reason,
    deletedAt: now,
    media: true,
    index: true,
    messages,
    ...(token && job.task ? { providerFiles: { taskId: job.task.taskId, token, attempts: 0, nextAt: now } } : {}),
  };
}

export function readTombstone(storage: DurableObjectStorage): Tombstone | undefined {
  return storage.kv.get<Tombstone>(TOMBSTONE_KEY);
}

/** DELETE: only a finished job of `tenant`. The content goes at once; the rest is done now and, if anything fails, by the alarm. */
export async function eraseJob(host: EraseHost, tenant: string, reason: EraseReason): Promise<EraseAnswer> {
  const job = host.load();
  if (!job || job.tenant !== tenant) return "missing";
  // a provider task still being stopped (or a submit's answer still to come) keeps the record that stop needs
  if (!isTerminal(job.status) || job.providerStop || job.stop?.awaitingSubmit) return "unfinished";
  await host.handOver(job);
  const now = Date.now();
  const tomb = tombstoneOf(host.load() ?? job, reason, now);
  // one synchronous step: the record and its content are gone the moment the tombstone exists
  host.storage.kv.put(TOMBSTONE_KEY, tomb);
  host.drop();
  await host.storage.setAlarm(now + LOCAL_RETRY_MS);
  await continueErase(host);
  log("info", "job deleted", { jobId: job.id, reason });
  return "erased";
}

/** One pass over what is left (alarm, or right after the delete); sets the next alarm while anything is. */
export async function continueErase(host: EraseHost): Promise<void> {
  const tomb = readTombstone(host.storage);
  if (!tomb || tomb.doneAt) return;
  const next = await eraseStep(host.env, tomb, Date.now());
  host.storage.kv.put(TOMBSTONE_KEY, next);
  const wake = eraseWake(next);
  if (Number.isFinite(wake)) await host.storage.setAlarm(wake);
  else await host.storage.deleteAlarm();
}

export function eraseWake(tomb: Tombstone): number {
  if (tomb.doneAt) return Number.POSITIVE_INFINITY;
  const local =
    tomb.media || tomb.index || tomb.messages.length > 0 ? (tomb.localRetryAt ?? 0) : Number.POSITIVE_INFINITY;
  return Math.min(local, tomb.providerFiles?.nextAt ?? Number.POSITIVE_INFINITY);
}

async function attempt(what: string, tomb: Tombstone, work: () => Promise<void>): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (err) {
    log("warn", `job delete: ${what} failed; retried`, { jobId: tomb.id, error: errorMessage(err) });
    return false;
  }
}

export async function eraseStep(env: Env, tomb: Tombstone, now: number): Promise<Tombstone> {
  let next = { ...tomb };
  if (next.media) next.media = !(await attempt("R2", next, () => deletePrefix(env.MEDIA, `jobs/${next.id}/`)));
  if (next.index) next.index = !(await attempt("index", next, () => markDeleted(env.DB, next.id, now)));
  const left: string[] = [];
  for (const id of next.messages)
    if (!(await attempt("webhook message", next, () => deliveryApi(env, id).erase()))) left.push(id);
  next.messages = left;
  next.localRetryAt = next.media || next.index || left.length > 0 ? now + LOCAL_RETRY_MS : undefined;
  if (next.providerFiles && next.providerFiles.nextAt <= now + 1_000) next = await deleteProviderFiles(env, next, now);
  if (!next.media && !next.index && left.length === 0 && !next.providerFiles) next.doneAt = now;
  return next;
}

/** Wiro Task/InputOutputDelete, retried with backoff until it succeeds (terminal tasks only; idempotent). */
async function deleteProviderFiles(env: Env, tomb: Tombstone, now: number): Promise<Tombstone> {
  const files = tomb.providerFiles!;
  const config = readConfig(env);
  const lookup = config.ok ? providerFor(MODELS[tomb.model], config.config, fetch) : undefined;
  const provider = lookup?.ok ? lookup.provider : undefined;
  if (!provider?.deleteFiles) return later(tomb, now, "provider not configured");
  const outcome = await provider.deleteFiles({ taskId: files.taskId, token: files.token });
  if (outcome.ok) {
    log("info", "provider files deleted", { jobId: tomb.id, taskId: files.taskId, attempts: files.attempts + 1 });
    return { ...tomb, providerFiles: undefined };
  }
  // Wiro: an unknown token has no files left to delete there
  if (/task-not-exist/.test(outcome.error.message))
    return { ...tomb, providerFiles: undefined, note: `Wiro knows no task ${files.taskId}` };
  return later(tomb, now, `${outcome.error.code}: ${outcome.error.message}`, outcome.error.retryAfterMs);
}

function later(tomb: Tombstone, now: number, error: string, retryAfterMs?: number): Tombstone {
  const files = tomb.providerFiles!;
  const attempts = files.attempts + 1;
  if (now - tomb.deletedAt >= PROVIDER_DELETE_PATIENCE_MS) {
    log("error", "provider files could not be deleted; giving up", {
      jobId: tomb.id,
      taskId: files.taskId,
      attempts,
      error,
    });
    return { ...tomb, providerFiles: undefined, note: `Wiro did not delete task ${files.taskId}'s files: ${error}` };
  }
  // backoff from 30 s doubling to an hour: a task still running ends and is then deletable
  const delay = Math.max(retryAfterMs ?? 0, Math.min(3600_000, 30_000 * 2 ** (attempts - 1)));
  return { ...tomb, providerFiles: { ...files, attempts, lastError: error, nextAt: now + delay } };
}

async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<void> {
  for (;;) {
    const page = await bucket.list({ prefix, limit: 1000 });
    if (page.objects.length > 0) await bucket.delete(page.objects.map((o) => o.key));
    if (!page.truncated) return;
  }
}

/** Output retention: the job's stored copies leave R2 and its outputs say `expired`. */
export async function expireOutputs(host: EraseHost, tenant: string): Promise<boolean> {
  const job = host.load();
  if (!job || job.tenant !== tenant || !isTerminal(job.status)) return false;
  const keys = job.outputs.filter((o) => o.status === "stored" && o.key).map((o) => o.key!);
  if (keys.length > 0) await host.env.MEDIA.delete(keys);
  const outputs = job.outputs.map(
    (o): OutputRecord => (o.status === "stored" ? { ...o, status: "expired", key: undefined } : o),
  );
  if (keys.length > 0) host.save({ ...job, outputs });
  await markOutputsExpired(host.env.DB, job.id, Date.now());
  return true;
}
