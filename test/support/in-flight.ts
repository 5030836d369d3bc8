// A job's step held in flight for as long as the test wants: a provider request or a media
// download that does not end (not even when its signal aborts) until the test lets it. A cancel
// that answers while the step is held did not wait for it; the request's signal tells whether
// the cancel aborted it.
import { runInDurableObject } from "cloudflare:test";
import type { JobRecord } from "../../src/jobs/record.ts";
import { layerFetch } from "../reliability/support.ts";
import { jobInside, writeJobRecord } from "./do-internals.ts";
import { type Harness, jobStub } from "./harness.ts";

export interface Held {
  url: string;
  /** The name of the signal's abort reason once it aborted ("AbortError" for a cancel, "TimeoutError" for a timeout). */
  abortedBy(): string | undefined;
  /**
   * Lets the request go on. "forward": as a real fetch would after the wait (an aborted request
   * then fails). "answer": the provider's answer arrives whatever the signal says (it was on its way).
   */
  release(how?: "forward" | "answer"): void;
  released: boolean;
}

const everyHeld: Held[] = [];

/** Lets every request still held go on (after a test, so no alarm stays stuck in it). */
export function releaseAll(): void {
  for (const entry of everyHeld.splice(0)) if (!entry.released) entry.release();
}

/** Holds the first `count` requests whose URL (and method) match; later ones pass. */
export function holdRequests(h: Harness, match: (url: string, method: string) => boolean, count = 1): Held[] {
  const held: Held[] = [];
  layerFetch(async (request, next) => {
    if (held.length >= count || !match(request.url, request.method)) return next();
    let reason: string | undefined;
    // a listener returns nothing: workerd warns about any value an event handler returns
    const note = (): void => {
      reason ??= (request.signal.reason as Error | undefined)?.name ?? "aborted";
    };
    if (request.signal.aborted) note();
    request.signal.addEventListener("abort", note, { once: true });
    let how: "forward" | "answer" | undefined;
    const entry: Held = {
      url: request.url,
      abortedBy: () => reason,
      released: false,
      release(way = "forward") {
        entry.released = true;
        how = way;
      },
    };
    held.push(entry);
    everyHeld.push(entry);
    // Deliberately deaf to the signal: the step stays in flight until the test releases it. The
    // wait is a timer of the object's own, so what follows runs in the object's context, not the test's.
    while (how === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    if (how === "forward") return next();
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
    return h.sim.fetch(new Request(request.url, { method: request.method, headers: request.headers, body }));
  });
  return held;
}

/**
 * Lets the runtime run the job's next step now, without the test waiting for it, with settings
 * overridden on the job's object (e.g. a provider timeout long enough that only a cancel can
 * end a held request). The job must be parked (no alarm running or about to fire).
 */
export async function stepInBackground(id: string, settings: Record<string, string> = {}): Promise<void> {
  await runInDurableObject(jobStub(id), async (instance, state) => {
    const object = jobInside(instance);
    while (object.running) await object.running;
    object.env = { ...object.env, ...settings };
    const job = (await state.storage.get<JobRecord>("job"))!;
    await writeJobRecord(instance, state, { ...job, nextAt: Date.now() });
    await state.storage.setAlarm(Date.now());
  });
}

/** Waits until no alarm runs in the job's object, and returns the job as stored then. */
export async function settled(id: string): Promise<JobRecord> {
  return runInDurableObject(jobStub(id), async (instance, state) => {
    const object = jobInside(instance);
    while (object.running) await object.running;
    return (await state.storage.get<JobRecord>("job"))!;
  });
}
