// The one way tests reach inside a Durable Object instance (what `runInDurableObject` hands
// them): the members they read, replace or spy on, typed from the classes themselves, private
// and protected ones included. A member renamed or retyped in a class then breaks the compile
// here, instead of a cast elsewhere silently reaching nothing.
import type { BatchObject } from "../../src/batches/batch-object.ts";
import type { ProviderGate } from "../../src/jobs/gate/gate-object.ts";
import type { JobObject } from "../../src/jobs/job-object.ts";
import type { WebhookDelivery } from "../../src/webhooks/delivery-object.ts";

/** A job's object: its bindings (replaceable per test), the alarm in progress, and the methods tests call, wrap or crash. */
export interface JobInside {
  env: JobObject["env"];
  running: JobObject["running"];
  alarm: JobObject["alarm"];
  create: JobObject["create"];
  cancel: JobObject["cancel"];
  /** The step's I/O and the store after it: `crashOnce` replaces one of them to crash the alarm there. */
  advance: JobObject["advance"];
  commit: JobObject["commit"];
  /** Its record, kept in memory once read (src/jobs/job-store.ts). */
  store: JobObject["store"];
}

/** A provider gate: its clock and its call to a job (the seams tests stand in for), and its API. */
export interface GateInside {
  now: ProviderGate["now"];
  wakeJob: ProviderGate["wakeJob"];
  report: ProviderGate["report"];
  snapshot: ProviderGate["snapshot"];
}

export interface BatchInside {
  env: BatchObject["env"];
  alarm: BatchObject["alarm"];
}

export interface DeliveryInside {
  env: WebhookDelivery["env"];
  running: WebhookDelivery["running"];
  alarm: WebhookDelivery["alarm"];
}

export const jobInside = (instance: JobObject): JobInside => instance as unknown as JobInside;
export const gateInside = (instance: ProviderGate): GateInside => instance as unknown as GateInside;
export const batchInside = (instance: BatchObject): BatchInside => instance as unknown as BatchInside;
export const deliveryInside = (instance: WebhookDelivery): DeliveryInside => instance as unknown as DeliveryInside;

/**
 * Writes a job's stored record directly, as a test's set-up (a crash mid-submit, a passed
 * deadline), and makes the object read it back: its store keeps the record in memory.
 */
export async function writeJobRecord(instance: JobObject, state: DurableObjectState, job: unknown): Promise<void> {
  await state.storage.put("job", job);
  jobInside(instance).store.forget();
}

/** `env` with settings replaced or removed (undefined), as a deployment without them has it: the generated `Env` types every secret as set. */
export function envWith(env: Env, settings: { [K in keyof Env]?: Env[K] | undefined }): Env {
  return { ...env, ...settings } as Env;
}

/** `namespace` with every object stood in for by what `get` returns (one that fails, or loses answers); ids still come from the real namespace. */
export function fakeObjects<N extends { idFromName(name: string): DurableObjectId }>(
  namespace: N,
  get: (id: DurableObjectId) => unknown,
): N {
  return { idFromName: (name: string) => namespace.idFromName(name), get } as unknown as N;
}
