// What the cancel suites share: settings under which only a cancel ends a held step, the cancel
// call and the job view it answers with, and a job parked before its submit.
import { expect } from "vitest";
import { firstStep } from "../reliability/steps.ts";
import type { SEEDREAM, WIRO } from "../support/builders.ts";
import { api, createJob, getJob, type Harness } from "../support/harness.ts";

/** Provider and media timeouts far longer than any cancel: only the cancel can end a held step. */
export const PATIENT = { PROVIDER_TIMEOUT_MS: "60000", MEDIA_TIMEOUT_MS: "60000" };

export type Public = Awaited<ReturnType<typeof getJob>> & {
  error: { code: string; message: string };
  provider: { taskId: string | null; status: string | null; stopConfirmed?: boolean };
};
export const cancel = async (id: string) => {
  const res = await api(`/v1/jobs/${id}/cancel`, { method: "POST" });
  expect(res.status).toBe(200);
  return (await res.json()) as Public;
};
export const view = async (id: string) => (await getJob(id)) as Public;

/** A job whose first submit was refused (HTTP 500, a definite answer): parked, nothing at the provider. */
export async function parkedBeforeSubmit(
  h: Harness,
  spec: typeof SEEDREAM | typeof WIRO,
  target: "weshop.submit" | "wiro.run",
): Promise<string> {
  h.sim.inject({ target, kind: "http500", times: 1000 });
  const { id } = await createJob(spec);
  await firstStep(id);
  h.sim.clearFaults();
  return id;
}
