// Follow-up steps offer their own next wake time: nothing left means no wake-up, a stop due
// later is come back for when it is due, and a submit whose answer can no longer come is marked
// lost. Only paths that need no bindings are driven here; the I/O is covered by the job tests.
import { describe, expect, it } from "vitest";
import type { StepHost } from "../../src/jobs/hand-overs/hand-overs.ts";
import { giveBackSlot, handOverOutbox, notifyBatch } from "../../src/jobs/hand-overs/hand-overs-io.ts";
import type { JobRecord } from "../../src/jobs/record.ts";
import { stopProviderTask } from "../../src/jobs/stop/stop-io.ts";
import { jobRecord, ON_WIRO } from "../support/builders.ts";

const T0 = Date.now();

function ended(over: Partial<JobRecord> = {}): JobRecord {
  return jobRecord({
    ...ON_WIRO,
    status: "canceled",
    createdAt: T0 - 60_000,
    updatedAt: T0 - 1,
    completedAt: T0 - 1,
    submitAttempts: 1,
    deadlineAt: T0 + 15 * 60_000,
    nextAt: Number.POSITIVE_INFINITY,
    indexedStatus: "canceled",
    ...over,
  });
}

/** Stands in for the job object: applies patches, and fails the test if a step reaches a binding. */
function host(): StepHost & { patches: Partial<JobRecord>[] } {
  const patches: Partial<JobRecord>[] = [];
  return {
    patches,
    env: new Proxy({} as Env, {
      get: (_, name) => {
        throw new Error(`step used binding ${String(name)}`);
      },
    }),
    patch: (seen, fields) => {
      patches.push(fields);
      return { ...seen, ...fields };
    },
    renewSlot: async () => {
      throw new Error("step renewed a slot");
    },
  };
}

describe("follow-up steps", () => {
  it.each([
    { name: "no messages to hand over", step: handOverOutbox },
    { name: "the batch already told", step: notifyBatch, over: { batchId: "bat_1", batchNotified: true } },
    { name: "no slot or place in line to give back", step: giveBackSlot },
    { name: "no provider task to stop", step: stopProviderTask },
  ])("$name: nothing is done and no wake-up is asked for", async ({ step, over }) => {
    const h = host();
    const done = await step(h, ended(over));
    expect(done.nextWakeAt).toBe(Number.POSITIVE_INFINITY);
    expect(h.patches).toEqual([]);
  });

  it("a provider stop due later asks nothing now and is come back for when it is due", async () => {
    const due = T0 + 10 * 60_000;
    const h = host();
    const done = await stopProviderTask(
      h,
      ended({ task: { taskId: "2221" }, providerStop: { attempts: 1, tries: 1, nextAt: due, since: T0 } }),
    );
    expect(done.nextWakeAt).toBe(due);
    expect(h.patches).toEqual([]);
  });

  it("a submit whose answer can no longer come is marked lost, and nothing is left to wake for", async () => {
    const h = host();
    const done = await stopProviderTask(
      h,
      ended({ stop: { headline: "Canceled by the client.", note: "…", confirmed: false, awaitingSubmit: true } }),
    );
    expect(done.job.stop?.awaitingSubmit).toBeFalsy();
    expect(done.job.stop?.note).toMatch(/cannot be stopped because Wiro never said which task it is/);
    expect(done.nextWakeAt).toBe(Number.POSITIVE_INFINITY);
  });

  it("an unconfirmed WeShop submit is never looked up after the end, so its slot goes back at once", async () => {
    const h = host();
    const job = ended({
      provider: "weshop",
      model: "weshop/seedream",
      slotHeld: true,
      stop: { headline: "h", note: "n", confirmed: false, resolve: true },
      providerStop: { attempts: 0, tries: 0, nextAt: T0 + 60_000, since: T0 },
    });
    const done = await giveBackSlot(h, job);
    expect(done.job.slotHeld).toBe(false);
  });
});
