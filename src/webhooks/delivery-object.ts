// One Durable Object per outgoing webhook message: it owns the retries (up to ~28 hours, the
// Standard Webhooks schedule), so delivery never delays the job, and reports each attempt's
// outcome back to the job. The report of the final outcome (delivered or given up) is retried
// on this object's alarm until the job has taken it.
import { DurableObject } from "cloudflare:workers";
import { readConfig } from "../config.ts";
import { recordDelivery } from "../db/deliveries.ts";
import { jobApi } from "../jobs/job-client.ts";
import { errorMessage } from "../lib/error-message.ts";
import { log } from "../lib/log.ts";
import { writePoint } from "../lib/metrics.ts";
import { checkUrl } from "../lib/url-policy.ts";
import type { DeliveryApi } from "./delivery-client.ts";
import { deliveryPoint } from "./delivery-point.ts";
import { RETRY_JITTER, RETRY_SCHEDULE_MS } from "./schedule.ts";
import { webhookHeaders } from "./sign.ts";
import type { AttemptRecord, DeliveryState, WebhookMessage } from "./types.ts";

export { RETRY_SCHEDULE_MS } from "./schedule.ts";

/** Delay before retry n+1 of the final report to the job; after the last one it is given up (and logged). */
export const REPORT_RETRY_MS = [5_000, 30_000, 2 * 60_000, 10 * 60_000, 3600_000, 6 * 3600_000, 24 * 3600_000];

const KEY = "delivery";

export class WebhookDelivery extends DurableObject<Env> implements DeliveryApi {
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

  async erase(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
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
    if (!state) return;
    if (state.deliveredAt || state.gaveUpAt) {
      // the outcome is settled; only the job may still have to hear of it
      if (!state.finalReport) return;
      if (state.finalReport.nextAt > Date.now() + 1_000) await this.ctx.storage.setAlarm(state.finalReport.nextAt);
      else await this.sendFinalReport(state);
      return;
    }
    if (state.nextAt !== undefined && state.nextAt > Date.now() + 1_000) {
      await this.ctx.storage.setAlarm(state.nextAt);
      return;
    }
    let next = await this.attempt(state);
    await this.record(next);
    if (next.nextAt === undefined) {
      // settled: stored together with the outcome, so an alarm cut short by a crash still reports it when the runtime retries
      writePoint(this.env, deliveryPoint(next));
      if (reportsToJob(next)) next = { ...next, finalReport: { failures: 0, nextAt: Date.now() } };
      await this.ctx.storage.put(KEY, next);
      if (next.finalReport) await this.sendFinalReport(next);
      return;
    }
    await this.ctx.storage.put(KEY, next);
    // progress reports are best effort: the next attempt reports again, and the final one is retried
    await this.report(next);
    await this.ctx.storage.setAlarm(next.nextAt);
  }

  /** Reports the final outcome; if the job does not take it, tries again later with backoff, a bounded number of times. */
  private async sendFinalReport(state: DeliveryState): Promise<void> {
    const failures = state.finalReport?.failures ?? 0;
    if (await this.report(state)) {
      await this.ctx.storage.put(KEY, { ...state, finalReport: undefined });
      return;
    }
    const delay = REPORT_RETRY_MS[failures];
    if (delay === undefined) {
      log("error", "webhook outcome never reached the job; giving up reporting it", {
        jobId: state.message.jobId,
        webhookId: state.message.id,
        tries: failures + 1,
      });
      await this.ctx.storage.put(KEY, { ...state, finalReport: undefined });
      return;
    }
    const nextAt = Date.now() + delay;
    await this.ctx.storage.put(KEY, { ...state, finalReport: { failures: failures + 1, nextAt } });
    await this.ctx.storage.setAlarm(nextAt);
  }

  /** POST /v1/webhook-deliveries/{id}/redeliver: one attempt now, same message and webhook-id, whatever became of it before. */
  async redeliver(): Promise<DeliveryState | undefined> {
    while (this.running) await this.running;
    const state = await this.ctx.storage.get<DeliveryState>(KEY);
    if (!state) return undefined;
    await this.ctx.storage.put(KEY, {
      ...state,
      deliveredAt: undefined,
      gaveUpAt: undefined,
      finalReport: undefined,
      nextAt: Date.now(),
    });
    await this.alarm();
    return this.ctx.storage.get<DeliveryState>(KEY);
  }

  /** The delivery log's row (best effort: the delivery itself never waits on it). */
  private async record(state: DeliveryState): Promise<void> {
    await recordDelivery(this.env.DB, state, Date.now()).catch((err: unknown) =>
      log("warn", "webhook delivery log write failed", { webhookId: state.message.id, error: errorMessage(err) }),
    );
  }

  private async attempt(state: DeliveryState): Promise<DeliveryState> {
    const sent = await this.send(state);
    const entry: AttemptRecord = {
      at: sent.at,
      httpStatus: sent.next.lastStatus,
      ms: sent.ms,
      ...(sent.next.lastError ? { error: sent.next.lastError } : {}),
    };
    return { ...sent.next, log: [...(state.log ?? []), entry].slice(-50) };
  }

  private async send(state: DeliveryState): Promise<{ next: DeliveryState; at: number; ms: number }> {
    const at = Date.now();
    const next = await this.post(state);
    return { next, at, ms: Date.now() - at };
  }

  private async post(state: DeliveryState): Promise<DeliveryState> {
    const { message } = state;
    const attempts = state.attempts + 1;
    const config = readConfig(this.env);
    let status: number | null = null;
    let error: string | undefined;
    if (!config.ok || !config.config.webhookSecret) error = "WEBHOOK_SECRET is not set";
    else {
      const reason = checkUrl(message.url, { allowLoopbackHttp: config.config.devMode, requireNormalised: false }); // our own WHATWG fetch reads it
      if (reason) error = `webhook URL refused: ${reason}`;
      else {
        try {
          const headers = await webhookHeaders(
            config.config.webhookSecret,
            message.id,
            Math.floor(Date.now() / 1000),
            message.body,
          );
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
    log("warn", "webhook attempt failed", {
      jobId: message.jobId,
      webhookId: message.id,
      attempt: attempts,
      error: lastError,
    });
    if (delay === undefined)
      return { ...state, attempts, lastStatus: status, lastError, gaveUpAt: now, nextAt: undefined };
    // ±10% jitter so many failing receivers are not all retried in the same second
    return {
      ...state,
      attempts,
      lastStatus: status,
      lastError,
      nextAt: now + Math.round(delay * (1 - RETRY_JITTER + 2 * RETRY_JITTER * Math.random())),
    };
  }

  /** Tells the job how delivery stands; false when the job could not be reached. */
  private async report(state: DeliveryState): Promise<boolean> {
    if (!reportsToJob(state)) return true;
    try {
      const { message, finalReport: _, ...progress } = state;
      await jobApi(this.env, message.jobId).webhookReport({ id: message.id, type: message.type, ...progress });
      return true;
    } catch (err) {
      // the delivery itself is already stored here; the caller decides whether to try again
      log("warn", "webhook report to job failed", { jobId: state.message.jobId, error: errorMessage(err) });
      return false;
    }
  }
}

/** Batch messages have no job to report to; their state stays here. */
function reportsToJob(state: DeliveryState): boolean {
  return state.message.jobId.startsWith("job_");
}
