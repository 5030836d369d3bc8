// Helpers for the cost and budget tests: limits set relative to what the tenant's budget already
// holds (other tests of the run spend too), and read back through the public API.
import { expect } from "vitest";
import { api, KEY_A } from "./harness.ts";

export interface LimitView {
  unit: string;
  period: string;
  amount: number;
  used: number;
  reserved: number;
  remaining: number;
  resetsAt: string;
}

export async function putLimits(
  limits: { unit: string; period: string; amount: number }[],
  key = KEY_A,
): Promise<LimitView[]> {
  const res = await api("/v1/budget", { method: "PUT", json: { limits }, key });
  if (res.status !== 200) throw new Error(`PUT /v1/budget ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { limits: LimitView[] }).limits;
}

export async function budget(key = KEY_A): Promise<LimitView[]> {
  return ((await (await api("/v1/budget", { key })).json()) as { limits: LimitView[] }).limits;
}

/** What the tenant has committed today in `unit` (used + reserved), read through a limit too high to matter. */
export async function committed(unit: string, key = KEY_A): Promise<number> {
  const [limit] = await putLimits([{ unit, period: "day", amount: 1e9 }], key);
  return limit!.used + limit!.reserved;
}

/** A day limit in `unit` that leaves exactly `room` for new jobs. */
export async function leaveRoom(unit: string, room: number, key = KEY_A): Promise<LimitView> {
  const already = await committed(unit, key);
  const [limit] = await putLimits([{ unit, period: "day", amount: round(already + room) }], key);
  return limit!;
}

export const round = (n: number) => Math.round(n * 1e6) / 1e6;

export async function problem(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get("Content-Type")).toContain("application/problem+json");
  return (await res.json()) as Record<string, unknown>;
}
