// How other code reaches a tenant's budget object: the shapes it speaks in, the calls it offers
// and the stub builder, apart from the class so routes, schedules and jobs never import it.
import type { CostUnit } from "../jobs/record.ts";
import type { Period } from "./periods.ts";

export interface Limit {
  unit: CostUnit;
  period: Period;
  amount: number;
  /** Counts only jobs carrying this tag. */
  tag?: string;
}

export interface LimitView extends Limit {
  used: number;
  reserved: number;
  remaining: number;
  resetsAt: string;
}

/** One job asking to be admitted: its unit, and its estimate (null when none could be had). */
export interface Admission {
  jobId: string;
  unit: CostUnit;
  amount: number | null;
  tags?: string[];
}

export type AdmitResult =
  | { ok: true }
  | {
      ok: false;
      code: "budget_exceeded";
      unit: CostUnit;
      period: Period;
      limit: number;
      remaining: number;
      requested: number;
      tag?: string;
    }
  | { ok: false; code: "quote_unavailable"; unit: CostUnit; period: Period; tag?: string };

/** A job's end: its actual cost (null when the provider never reported one) and when it was admitted. */
export interface Settlement {
  jobId: string;
  unit: CostUnit;
  actual: number | null;
  estimate: number | null;
  admittedAt: number;
  tags?: string[];
}

export interface BudgetApi {
  limits(): Promise<LimitView[]>;
  setLimits(limits: Limit[]): Promise<LimitView[]>;
  /** Checks every limit for all the jobs at once and reserves their estimates, or reserves nothing. */
  admit(jobs: Admission[], tenant: string): Promise<AdmitResult>;
  settle(settlement: Settlement): Promise<void>;
  /** Gives back reservations of jobs that will never run (a batch canceled before creating them, a start that failed). */
  release(jobIds: string[]): Promise<void>;
}

/** One object per tenant: every admission of that tenant goes through it, one at a time. */
export function budgetApi(env: Env, tenant: string): BudgetApi {
  return env.BUDGETS.get(env.BUDGETS.idFromName(tenant)) as unknown as BudgetApi;
}
