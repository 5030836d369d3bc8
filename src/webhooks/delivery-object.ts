// One Durable Object per outgoing webhook message: it owns the retries (up to ~28 hours, the
// Standard Webhooks schedule), so delivery never delays the job, and reports each attempt's
// outcome back to the job.
import { DurableObject } from "cloudflare:workers";
import { readConfig } from "../config.ts";
import type { Env } from "../env.ts";
import { log } from "../lib/log.ts";
import { checkUrl } from "../lib/url-policy.ts";
import { jobApi } from "../jobs/job-object.ts";
import type { DeliveryReport } from "../jobs/record.ts";
import { webhookHeaders } from "./sign.ts";

/** Delay before attempt n+1 (Standard Webhooks' schedule): 5 s … 10 h, about 28 h in all. */
export const RETRY_SCHEDULE_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 5 * 3600_000, 10 * 3600_000, 10 * 3600_000];

export interface WebhookMessage {
  id: string;
  jobId: string;
  url: string;
  type: string;
  /** The exact body, fixed when the event happened so every retry sends the same bytes. */
  body: string;
  /** Unix seconds of the event; the signature's timestamp is that of each attempt. */
  createdAt: number;
}

/** The message plus how its delivery stands: the same fields the job is told about. */
export type DeliveryState = Omit<DeliveryReport, "id" | "type"> & { message: WebhookMessage };

const KEY = "delivery";

export class WebhookDelivery extends DurableObject<Env> {
  /** Stores the message once (a repeated enqueue is ignored) and starts delivering it. */
  async enqueue(message: WebhookMessage): Promise<void> {
    if (await this.ctx.storage.get(KEY)) return;
    const state: DeliveryState = { message, attempts: 0, lastStatus: null, nextAt: Date.now() };
    await this.ctx.storage.put(KEY, state);
    await this.ctx.storage.setAlarm(Date.now());
  }

  async state(): Promise<DeliveryState | undefined> {
    return this.ctx.storage.get<DeliveryState>(KEY);
  }

  /** Set while an attempt runs, so an overlapping alarm waits and re-reads instead of sending twice. */
  private running: Promise<void> | undefined;

  override async alarm(): Promise<void> {
    while (this.running) await this.running;
    const run = this.runAlarm();
    this.running = run.finally(() => {
      this.running = undefined;
    });
    return run;
  }

  private async runAlarm(): Promise<void> {
    const state = await this.ctx.storage.get<DeliveryState>(KEY);
    if (!state || state.deliveredAt || state.gaveUpAt) return;
    if (state.nextAt !== undefined && state.nextAt > Date.now() + 1_000) {
      await this.ctx.storage.setAlarm(state.nextAt);
      return;
    }
    const next = await this.attempt(state);
    await this.ctx.storage.put(KEY, next);
    await this.report(next);
    if (next.nextAt !== undefined) await this.ctx.storage.setAlarm(next.nextAt);
  }

  private async attempt(state: DeliveryState): Promise<DeliveryState> {
    const { message } = state;
    const attempts = state.attempts + 1;
    const config = readConfig(this.env);
    let status: number | null = null;
    let error: string | undefined;
    if (!config.ok || !config.config.webhookSecret) error = "WEBHOOK_SECRET is not set";
    else {
      const reason = checkUrl(message.url, { allowLoopbackHttp: config.config.devMode });
      if (reason) error = `webhook URL refused: ${reason}`;
      else {
        try {
          const headers = await webhookHeaders(config.config.webhookSecret, message.id, Math.floor(Date.now() / 1000), message.body);
          const res = await fetch(message.url, {
            method: "POST",
            headers,
            body: message.body,
            // a redirect could lead anywhere, including private addresses: it counts as a failure
            redirect: "manual",
            signal: AbortSignal.timeout(config.config.webhookTimeoutMs),
          });
          status = res.status;
          await res.body?.cancel();
        } catch (err) {
          error = err instanceof Error && err.name === "TimeoutError" ? "timed out" : "could not connect";
        }
      }
    }
    const now = Date.now();
    if (status !== null && status >= 200 && status < 300)
      return { ...state, attempts, lastStatus: status, lastError: undefined, deliveredAt: now, nextAt: undefined };
    const delay = RETRY_SCHEDULE_MS[attempts - 1];
    const lastError = error ?? `HTTP ${status}`;
    log("warn", "webhook attempt failed", { jobId: message.jobId, webhookId: message.id, attempt: attempts, error: lastError });
    if (delay === undefined) return { ...state, attempts, lastStatus: status, lastError, gaveUpAt: now, nextAt: undefined };
    // ±10% jitter so many failing receivers are not all retried in the same second
    return { ...state, attempts, lastStatus: status, lastError, nextAt: now + Math.round(delay * (0.9 + 0.2 * Math.random())) };
  }

  private async report(state: DeliveryState): Promise<void> {
    // batch messages have no job to report to; their state stays here
    if (!state.message.jobId.startsWith("job_")) return;
    try {
      const { message, ...progress } = state;
      await jobApi(this.env, message.jobId).webhookReport({ id: message.id, type: message.type, ...progress });
    } catch (err) {
      // the report is informational; the delivery itself is already stored
      log("warn", "webhook report to job failed", { jobId: state.message.jobId, error: err instanceof Error ? err.message : String(err) });
    }
  }
}

export function deliveryStub(env: Env, id: string) {
  return env.WEBHOOKS.get(env.WEBHOOKS.idFromName(id));
}
