// Shared helpers of the reliability suite (matrix, fuzz, soak): random picks, a fetch layer on top
// of the harness's spy, the providers' pace, and the checks behind the promise (stored bytes equal
// the provider's, no task twice, no secret logged). Alarm steps are in steps.ts.
import { env, runInDurableObject } from "cloudflare:test";
import { vi } from "vitest";
import { jobApi } from "../../src/jobs/job-client.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { weshopRunKey } from "../../src/providers/weshop-run.ts";
import { SIM_ORIGIN, TEST_BINDINGS } from "../support/bindings.ts";
import { gateInside } from "../support/do-internals.ts";
import { type Harness, storedJob } from "../support/harness.ts";

export const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

export const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
export const intIn = (rand: () => number, min: number, max: number): number =>
  min + Math.floor(rand() * (max - min + 1));

export const requestsTo = (h: Harness, target: string) => h.sim.requests.filter((r) => r.target === target);

type Next = () => Promise<Response>;
export type Layer = (request: Request, next: Next) => Promise<Response>;

/**
 * Puts `layer` in front of the harness's fetch spy (which routes to the simulator). `next()`
 * forwards the original call unchanged, signal included. Undone by `h.stop()` (mockRestore).
 */
export function layerFetch(layer: Layer): void {
  const spy = vi.mocked(globalThis.fetch);
  const inner = spy.getMockImplementation();
  if (!inner) throw new Error("startHarness() must run before layerFetch()");
  spy.mockImplementation(async (input, init) => {
    // the layer gets its own copy, so reading it never uses up the body the next one forwards
    const view = input instanceof Request ? new Request(input.clone(), init) : new Request(input as RequestInfo, init);
    return layer(view, () => inner(input, init));
  });
}

/**
 * What workerd's fetch does with a `Content-Encoding: gzip` answer and what the in-process
 * simulator cannot: the body arrives inflated, the headers stay as sent. Without this the
 * harness would hand the worker compressed bytes that no real fetch ever would.
 */
export function emulateGzipDecoding(): void {
  layerFetch(async (request, next) => {
    const res = await next();
    if (
      !request.url.startsWith(`${SIM_ORIGIN}/files/`) ||
      res.headers.get("content-encoding")?.toLowerCase() !== "gzip" ||
      !res.body
    )
      return res;
    return new Response(res.body.pipeThrough(new DecompressionStream("gzip")), {
      status: res.status,
      headers: res.headers,
    });
  });
}

/** Every URL the worker asked fetch for (simulator, hooks and the refused rest), in order. */
export function recordFetches(): string[] {
  const seen: string[] = [];
  layerFetch(async (request, next) => {
    seen.push(request.url);
    return next();
  });
  return seen;
}

/**
 * Gives the providers' concurrency gates their full pace back: provider pushback (429, Wiro 96)
 * seen by an earlier test halves a gate's limit for a while, which would make the next test's
 * jobs wait in line. Done through the gate's own API and its clock seam.
 */
export async function restoreProviderPace(): Promise<void> {
  for (const name of ["weshop", "wiro"]) {
    await runInDurableObject(env.GATES.get(env.GATES.idFromName(name)), async (instance) => {
      const gate = gateInside(instance);
      // past the pushback hold, well short of any lease running out
      gate.now = () => Date.now() + 120_000;
      try {
        for (let i = 0; i < 80; i++) await gate.report("ok");
      } finally {
        Reflect.deleteProperty(gate, "now");
      }
    });
  }
}

/** Makes the jobs look idle to the sweeper: their objects have not written their index rows for longer than `idleMs`. */
export async function ageIndex(ids: string[], idleMs: number): Promise<void> {
  const stamp = Date.now() - idleMs - 60_000;
  for (const id of ids)
    await env.DB.prepare("UPDATE jobs SET updated_at = ?, seen_at = ? WHERE id = ?").bind(stamp, stamp, id).run();
}

export async function sha256Hex(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

export interface StoredCheck {
  /** Objects in R2 under the jobs' prefixes. */
  objects: number;
  /** Outputs the jobs say are stored. */
  stored: number;
  /** Objects whose size or sha256 differs from the provider's bytes, or that no stored output claims. */
  bad: string[];
}

/**
 * Compares every R2 object of the jobs with the simulator's bytes for that output: size and
 * sha256 must match, and objects and stored outputs must pair up one to one.
 */
export async function checkStored(h: Harness, jobs: JobRecord[]): Promise<StoredCheck> {
  const bad: string[] = [];
  let objects = 0;
  let stored = 0;
  for (const job of jobs) {
    const byKey = new Map(job.outputs.filter((o) => o.status === "stored" && o.key).map((o) => [o.key!, o]));
    stored += byKey.size;
    const listed = await env.MEDIA.list({ prefix: `jobs/${job.id}/` });
    objects += listed.objects.length;
    for (const object of listed.objects) {
      const output = byKey.get(object.key);
      if (!output) {
        bad.push(`${object.key}: no stored output claims it`);
        continue;
      }
      const source = await h.sim.mediaBytes(output.sourceUrl!);
      const body = await env.MEDIA.get(object.key);
      const bytes = new Uint8Array(await body!.arrayBuffer());
      if (!source) bad.push(`${object.key}: the simulator serves nothing at the source URL`);
      else if (bytes.byteLength !== source.byteLength)
        bad.push(`${object.key}: ${bytes.byteLength} bytes stored, source has ${source.byteLength}`);
      else if ((await sha256Hex(bytes)) !== (await sha256Hex(source)))
        bad.push(`${object.key}: sha256 differs from the source`);
      else if (output.size !== source.byteLength || output.sha256 !== (await sha256Hex(source)))
        bad.push(`${object.key}: the job reports a wrong size or sha256`);
    }
    for (const key of byKey.keys())
      if (!listed.objects.some((o) => o.key === key)) bad.push(`${key}: stored output without an object`);
  }
  return { objects, stored, bad };
}

/** Provider tasks per job: WeShop tasks carry the job id as idempotency key, Wiro tasks in the callback URL. */
export async function tasksPerJob(h: Harness): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  // a WeShop run's Idempotency-Key is derived from its job id
  const jobOfKey = new Map(
    await Promise.all([...new Set(h.jobs)].map(async (id) => [await weshopRunKey(id), id] as const)),
  );
  for (const task of h.sim.tasks()) {
    // a key of a job the harness did not create (a batch's) still groups that job's tasks
    const id =
      task.provider === "weshop"
        ? task.idempotencyKey && (jobOfKey.get(task.idempotencyKey) ?? task.idempotencyKey)
        : task.callbackUrl?.match(/\/callbacks\/wiro\/(job_\w+)\//)?.[1];
    const key = id ?? `unattributed:${task.id}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Ends every job of the test that is still open, so no later alarm reaches for a stopped simulator. */
export async function cancelOpenJobs(h: Harness): Promise<void> {
  for (const id of new Set(h.jobs)) {
    const job = await storedJob(id).catch(() => undefined);
    if (!job || TERMINAL.has(job.status)) continue;
    await jobApi(env, id)
      .cancel(job.tenant)
      .catch(() => undefined);
  }
}

/** The values that must never appear in a log line. */
export function secretValues(): string[] {
  const whsec = TEST_BINDINGS.WEBHOOK_SECRET;
  return [
    TEST_BINDINGS.WESHOP_API_KEY,
    TEST_BINDINGS.WIRO_API_KEY,
    TEST_BINDINGS.WIRO_API_SECRET,
    TEST_BINDINGS.SIGNING_SECRET,
    whsec,
    whsec.slice("whsec_".length),
    ...TEST_BINDINGS.API_KEYS.split(","),
  ];
}

/** Captures console output (silencing it) until `restore()`. */
export function captureLogs(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : safeStringify(a))).join(" "));
    }),
  );
  return {
    lines,
    restore() {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

function safeStringify(value: unknown): string {
  try {
    return value instanceof Error
      ? `${value.name}: ${value.message}\n${value.stack ?? ""}`
      : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
