// How jobs reach a provider's concurrency gate: the calls it offers, its answers, and the stub
// builder, apart from the class so the job does not import the gate object.

/** A slot is held this long after the last acquire/renew; jobs renew on every poll. */
export const LEASE_MS = 10 * 60_000;

export interface GateConfig {
  maxConcurrency: number;
}

export type AcquireResult =
  /**
   * `behind`: jobs still waiting in line after this grant (absent when none), so the holder knows its slot is contended.
   * `recovering`: the gate runs below its limit after pushback and raises it again with reported successes (absent at full
   * pace, where a success changes nothing, so the holder need not report it).
   */
  | { granted: true; behind?: number; recovering?: true }
  | {
      granted: false /** 1-based place in the waiting line */;
      position: number /** ms epoch: ask again by then at the latest */;
      retryAt: number;
    };

export interface GateSnapshot {
  limit: number;
  effectiveLimit: number;
  active: number;
  waiting: number;
  holders: string[];
}

export type ProviderOutcome = "rate_limited" | "ok";

/** What callers use. RPC typing wraps union results awkwardly, so the stub is given this plain shape (as with jobApi). */
export interface GateApi {
  acquire(jobId: string, config: GateConfig): Promise<AcquireResult>;
  renew(jobId: string): Promise<boolean>;
  release(jobId: string): Promise<void>;
  report(outcome: ProviderOutcome): Promise<void>;
  snapshot(): Promise<GateSnapshot>;
  /** The job at the head of the waiting line (null when nobody waits), for GET /v1/stats. */
  oldestWaiter(): Promise<string | null>;
}

export function gateApi(env: Env, provider: "weshop" | "wiro"): GateApi {
  return env.GATES.get(env.GATES.idFromName(provider)) as unknown as GateApi;
}
