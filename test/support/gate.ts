// A provider gate of its own per test, with an injected clock and a recording wake (the test
// stands in for JobObject.wake), shared by the gate tests.
import { env, runInDurableObject } from "cloudflare:test";
import { type Mock, vi } from "vitest";
import type { AcquireResult, GateApi } from "../../src/jobs/gate/gate-client.ts";
import { gateInside } from "./do-internals.ts";

export interface TestGate {
  api: GateApi;
  stub: DurableObjectStub;
  /** The gate's clock; tests move it by hand. */
  clock: { t: number };
  /** Job ids the gate tried to wake, in order (the test stands in for JobObject.wake). */
  woken: string[];
  wake: Mock<(jobId: string) => Promise<void>>;
}

export const used: DurableObjectStub[] = [];

/** A fresh gate per test (its own name), with a fake clock and a recording wake. */
export async function testGate(): Promise<TestGate> {
  const stub = env.GATES.get(env.GATES.idFromName(`test-gate-${crypto.randomUUID()}`));
  // a day ahead of real time: the alarms the gate sets never fire by themselves during a test
  const clock = { t: Date.now() + 86_400_000 };
  const woken: string[] = [];
  const wake = vi.fn(async (jobId: string) => {
    woken.push(jobId);
  });
  await runInDurableObject(stub, (instance) => {
    // the gate's protected seams: its clock and its call to a job
    const seams = gateInside(instance);
    vi.spyOn(seams, "now").mockImplementation(() => clock.t);
    vi.spyOn(seams, "wakeJob").mockImplementation(wake);
  });
  used.push(stub);
  return { api: stub as unknown as GateApi, stub, clock, woken, wake };
}

/** For afterEach: the gates' alarms are set a day ahead; none may fire into another test. */
export async function cleanGates(): Promise<void> {
  for (const stub of used.splice(0)) await runInDurableObject(stub, (_, state) => state.storage.deleteAlarm());
}

export const ids = (n: number, prefix = "job") =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);
export const config = (maxConcurrency: number) => ({ maxConcurrency });

export function waitingPosition(result: AcquireResult): number {
  if (result.granted) throw new Error("expected to wait");
  return result.position;
}
