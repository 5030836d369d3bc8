// One Durable Object per tenant (API key): its limits, the reservations of jobs admitted and not
// yet ended, and the settled cost per period. Each call runs without awaiting anything between
// its reads and its writes, so concurrent admissions are decided one after the other and can
// never together pass a limit. Amounts are stored in millionths of their unit (exact sums).
import { DurableObject } from "cloudflare:workers";
import { fromMicro, toMicro } from "../costs/units.ts";
import { jobApi } from "../jobs/job-client.ts";
import type { CostUnit } from "../jobs/record.ts";
import { log } from "../lib/log.ts";
import type { Admission, AdmitResult, BudgetApi, Limit, LimitView, Settlement } from "./budget-client.ts";
import { PERIODS, periodEnd, periodKey } from "./periods.ts";

interface Reservation {
  unit: CostUnit;
  micro: number;
  /** The period keys it counts in (those of its admission). */
  keys: string[];
  /** When it was made: one whose job never came to exist is given back after STALE_MS. */
  at: number;
  /** The job's tags: it also counts against the limits naming one of them. */
  tags?: string[];
}

interface Totals {
  used: number;
  reserved: number;
}

const LIMITS_KEY = "limits";
const TENANT_KEY = "tenant";
/**
 * A reservation whose job does not exist this long after admission was made for a creation that
 * failed (or a batch job a cancel kept from being created): its estimate goes back. A batch
 * creates all its jobs within minutes, so an hour never releases one that is still coming.
 */
export const STALE_MS = 3600_000;

export class BudgetObject extends DurableObject<Env> implements BudgetApi {
  private kv() {
    return this.ctx.storage.kv;
  }

  /** Limits as stored: amounts in millionths. */
  private stored(): Limit[] {
    return this.kv().get<Limit[]>(LIMITS_KEY) ?? [];
  }

  /** A unit's totals, or (with `tag`) those of the unit's jobs carrying that tag. */
  private totals(unit: CostUnit, key: string, tag?: string): Totals {
    return this.kv().get<Totals>(`tot:${scope(unit, tag)}:${key}`) ?? { used: 0, reserved: 0 };
  }

  private addTo(unit: CostUnit, keys: string[], change: Partial<Totals>, tags: readonly string[] = []): void {
    for (const tag of [undefined, ...tags])
      for (const key of keys) {
        const t = this.totals(unit, key, tag);
        this.kv().put(`tot:${scope(unit, tag)}:${key}`, {
          used: t.used + (change.used ?? 0),
          reserved: t.reserved + (change.reserved ?? 0),
        });
      }
  }

  private view(now: number): LimitView[] {
    return this.stored().map((l) => {
      const t = this.totals(l.unit, periodKey(l.period, now), l.tag);
      return {
        unit: l.unit,
        period: l.period,
        amount: fromMicro(l.amount),
        ...(l.tag ? { tag: l.tag } : {}),
        used: fromMicro(t.used),
        reserved: fromMicro(t.reserved),
        // an actual cost above its estimate can leave a period over its limit: nothing remains then
        remaining: fromMicro(Math.max(0, l.amount - t.used - t.reserved)),
        resetsAt: new Date(periodEnd(l.period, now)).toISOString(),
      };
    });
  }

  async limits(): Promise<LimitView[]> {
    return this.view(Date.now());
  }

  async setLimits(limits: Limit[]): Promise<LimitView[]> {
    this.kv().put(
      LIMITS_KEY,
      limits.map((l) => ({ ...l, amount: toMicro(l.amount) })),
    );
    return this.view(Date.now());
  }

  async admit(jobs: Admission[], tenant?: string): Promise<AdmitResult> {
    const now = Date.now();
    const kv = this.kv();
    if (tenant !== undefined && kv.get(TENANT_KEY) === undefined) kv.put(TENANT_KEY, tenant);
    // a retried request (same job ids) is admitted again without reserving twice
    const fresh = jobs.filter((j) => kv.get(`res:${j.jobId}`) === undefined && kv.get(`done:${j.jobId}`) === undefined);
    const limits = this.stored();
    for (const unit of new Set(fresh.map((j) => j.unit))) {
      for (const limit of limits.filter((l) => l.unit === unit)) {
        // a tagged limit counts only the jobs carrying its tag
        const mine = fresh.filter((j) => j.unit === unit && (limit.tag === undefined || j.tags?.includes(limit.tag)));
        if (mine.length === 0) continue;
        const tag = limit.tag ? { tag: limit.tag } : {};
        if (mine.some((j) => j.amount === null))
          return { ok: false, code: "quote_unavailable", unit, period: limit.period, ...tag };
        const requested = mine.reduce((sum, j) => sum + toMicro(j.amount!), 0);
        const t = this.totals(unit, periodKey(limit.period, now), limit.tag);
        const remaining = limit.amount - t.used - t.reserved;
        if (requested > remaining)
          return {
            ok: false,
            code: "budget_exceeded",
            unit,
            period: limit.period,
            limit: fromMicro(limit.amount),
            remaining: fromMicro(Math.max(0, remaining)),
            requested: fromMicro(requested),
            ...tag,
          };
      }
    }
    const keys = PERIODS.map((p) => periodKey(p, now));
    this.ctx.storage.transactionSync(() => {
      for (const job of fresh) {
        if (job.amount === null) continue;
        const micro = toMicro(job.amount);
        kv.put(`res:${job.jobId}`, {
          unit: job.unit,
          micro,
          keys,
          at: now,
          ...(job.tags ? { tags: job.tags } : {}),
        } satisfies Reservation);
        this.addTo(job.unit, keys, { reserved: micro }, job.tags);
      }
    });
    if (fresh.length > 0 && (await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(now + STALE_MS);
    return { ok: true };
  }

  /** Gives back reservations whose job never came to exist; runs while any reservation is held. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const tenant = this.kv().get<string>(TENANT_KEY);
    const stale = [...this.kv().list<Reservation>({ prefix: "res:" })]
      .filter(([, r]) => r.at < now - STALE_MS)
      .slice(0, 200);
    if (tenant !== undefined) {
      const gone: string[] = [];
      for (const [key] of stale) {
        const id = key.slice(4);
        // a job that exists settles its own reservation when it ends
        if ((await jobApi(this.env, id).read(tenant)) === null) gone.push(id);
      }
      if (gone.length > 0) {
        log("warn", "stale budget reservations released", { jobs: gone.length });
        await this.release(gone);
      }
    }
    const left = [...this.kv().list({ prefix: "res:", limit: 1 })].length > 0;
    if (left) await this.ctx.storage.setAlarm(now + (stale.length >= 200 ? 1_000 : STALE_MS));
  }

  async settle(s: Settlement): Promise<void> {
    const kv = this.kv();
    if (kv.get(`done:${s.jobId}`) !== undefined) return;
    const reservation = kv.get<Reservation>(`res:${s.jobId}`);
    const keys = reservation?.keys ?? PERIODS.map((p) => periodKey(p, s.admittedAt));
    // a cost the provider never reported counts at its estimate: a budget must not assume it was free
    const used =
      s.actual !== null ? toMicro(s.actual) : (reservation?.micro ?? (s.estimate !== null ? toMicro(s.estimate) : 0));
    this.ctx.storage.transactionSync(() => {
      if (reservation) {
        this.addTo(reservation.unit, keys, { reserved: -reservation.micro }, reservation.tags);
        kv.delete(`res:${s.jobId}`);
      }
      this.addTo(s.unit, keys, { used }, reservation?.tags ?? s.tags);
      kv.put(`done:${s.jobId}`, 1);
    });
  }

  async release(jobIds: string[]): Promise<void> {
    const kv = this.kv();
    this.ctx.storage.transactionSync(() => {
      for (const id of jobIds) {
        const reservation = kv.get<Reservation>(`res:${id}`);
        if (!reservation) continue;
        this.addTo(reservation.unit, reservation.keys, { reserved: -reservation.micro }, reservation.tags);
        kv.delete(`res:${id}`);
      }
    });
  }
}

/** Totals of a unit, or of a unit's jobs carrying `tag` ("#" cannot occur in a unit or a tag). */
function scope(unit: CostUnit, tag?: string): string {
  return tag === undefined ? unit : `${unit}#${tag}`;
}
