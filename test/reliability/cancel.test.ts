// RELIABILITY.md rows "client cancel while a step hangs": the cancel answers while the hung step
// is still held (it never waits for it), the step is aborted where that is safe, the job ends
// `canceled` with nothing overwritten by the step's late return, no second provider task, no
// object in R2. The figure is the cancel's latency, measured with the step held.
import { env } from "cloudflare:test";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { JobRecord } from "../../src/jobs/record.ts";
import { SIM_ORIGIN } from "../support/bindings.ts";
import { api, createJob, startHarness, type Harness } from "../support/harness.ts";
import { holdRequests, releaseAll, settled, stepInBackground } from "../support/in-flight.ts";
import { restoreProviderPace, tasksPerJob } from "./support.ts";
import { SEEDREAM, WIRO } from "../support/builders.ts";
import { firstStep, stepUntil } from "./steps.ts";

let h: Harness;
beforeEach(async () => {
  h = startHarness();
  await restoreProviderPace();
});
afterEach(async () => {
  releaseAll();
  await h.stop();
});

/** Provider and media timeouts far longer than any cancel: only the cancel can end a held step. */
const PATIENT = { PROVIDER_TIMEOUT_MS: "60000", MEDIA_TIMEOUT_MS: "60000" };
const ROUNDS = 3;
const figure = (text: string) => console.log(`[reliability figure] ${text}`);

interface Case {
  name: string;
  /** Brings a new job to just before the step that will hang, parked. */
  prepare(): Promise<string>;
  hangs(url: string, method: string): boolean;
  /** The cancel aborts the held request (every step but a Wiro Run, whose answer names the task to stop). */
  aborted: boolean;
  check(job: JobRecord): Promise<void> | void;
}

async function refusedOnce(spec: typeof SEEDREAM | typeof WIRO, target: "weshop.submit" | "wiro.run"): Promise<string> {
  h.sim.inject({ target, kind: "http500", times: 1000 });
  const { id } = await createJob(spec);
  await firstStep(id);
  h.sim.clearFaults();
  return id;
}

const CASES: Case[] = [
  {
    name: "WeShop submit",
    prepare: () => refusedOnce(SEEDREAM, "weshop.submit"),
    hangs: (url, method) => method === "POST" && url.endsWith("/agent/runs"),
    aborted: true,
    check: async (job) => {
      // the aborted submit is never sent again (that could start a run after the cancel): the
      // job says a run may exist; at most the one held submit reached WeShop
      expect(job.error?.message).toMatch(/a run may exist there .* did not ask again/);
      expect(job.task).toBeUndefined();
      expect((await tasksPerJob(h)).get(job.id) ?? 0).toBeLessThanOrEqual(1);
    },
  },
  {
    name: "Wiro Run",
    prepare: () => refusedOnce(WIRO, "wiro.run"),
    hangs: (url) => url.includes("/wiro/v1/Run/"),
    aborted: false,
    check: (job) => {
      expect(job.stop?.confirmed).toBe(true);
      expect(h.sim.tasks().filter((t) => t.id === job.task?.taskId && t.canceledAt !== undefined)).toHaveLength(1);
    },
  },
  {
    name: "Wiro Task/Detail poll",
    prepare: async () => {
      const { id } = await createJob(WIRO);
      expect((await firstStep(id)).status).toBe("running");
      return id;
    },
    hangs: (url) => url.endsWith("/Task/Detail"),
    aborted: true,
    check: (job) => {
      expect(job.stop?.confirmed).toBe(true);
      expect(job.providerStatus).toBe("task_cancel");
    },
  },
  {
    name: "output download",
    prepare: async () => {
      const { id } = await createJob(SEEDREAM);
      await stepUntil(h, id, (j) => j.status === "copying");
      return id;
    },
    hangs: (url) => url.startsWith(`${SIM_ORIGIN}/files/`),
    aborted: true,
    check: async (job) => {
      expect(job.outputs.every((o) => o.status === "failed")).toBe(true);
      expect((await env.MEDIA.list({ prefix: `jobs/${job.id}/` })).objects).toEqual([]);
    },
  },
];

describe("client cancel while a step hangs", () => {
  const latencies = new Map<string, number[]>();
  afterAll(() => {
    for (const [name, ms] of latencies) {
      const sorted = [...ms].sort((a, b) => a - b);
      figure(
        `cancel during a hung ${name}: answered in median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms over ${ms.length} cancels, each while the step was still held`,
      );
    }
  });

  it.each(CASES.map((c) => [c.name, c] as const))(
    "%s hung: the cancel answers while it is held; the job ends canceled, nothing overwritten",
    async (name, c) => {
      for (let round = 0; round < ROUNDS; round++) {
        const id = await c.prepare();
        const held = holdRequests(h, c.hangs);
        await stepInBackground(id, PATIENT);
        await vi.waitFor(() => expect(held).toHaveLength(1));
        const started = performance.now();
        const res = await api(`/v1/jobs/${id}/cancel`, { method: "POST" });
        const ms = performance.now() - started;
        latencies.set(name, [...(latencies.get(name) ?? []), ms]);
        expect(res.status).toBe(200);
        expect(((await res.json()) as { status: string }).status).toBe("canceled");
        // answered while the step is still in flight
        expect(held[0]!.released).toBe(false);
        expect(held[0]!.abortedBy()).toBe(c.aborted ? "AbortError" : undefined);
        held[0]!.release(c.aborted ? "forward" : "answer");
        const job = await settled(id);
        expect(job.status).toBe("canceled");
        expect(job.error?.code).toBe("canceled_by_client");
        expect(job.error?.message).not.toMatch(/before the run reached/);
        await c.check(job);
      }
    },
  );
});
