// A cancel of a WeShop job whose submit has no confirmed answer. WeShop offers no lookup that
// cannot start a run (its only read, GET /agent/runs/{executionId}, needs the id that answer
// would have carried; docs/providers.md), so after a cancel nothing is sent to WeShop again: the job
// says what is known (a run may exist) instead of resubmitting to find out.
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { JobRecord } from "../../src/jobs/record.ts";
import { gateApi } from "../../src/jobs/gate/gate-client.ts";
import { weshopRunKey } from "../../src/providers/weshop-run.ts";
import { api, createJob, fireFollowUp, getJob, startHarness, type Harness } from "../support/harness.ts";
import { releaseAll, settled, stepInBackground } from "../support/in-flight.ts";
import { requestsTo, restoreProviderPace } from "../reliability/support.ts";
import { firstStep } from "../reliability/steps.ts";

const SEEDREAM = { model: "weshop/seedream", params: { textDescription: "a fox" } };
/** Long enough that a hung submit is ended only by the cancel. */
const PATIENT = { PROVIDER_TIMEOUT_MS: "60000", MEDIA_TIMEOUT_MS: "60000" };

let h: Harness;
beforeEach(async () => {
  h = startHarness();
  await restoreProviderPace();
});
afterEach(async () => {
  releaseAll();
  await h.stop();
});

const cancel = async (id: string) => {
  const res = await api(`/v1/jobs/${id}/cancel`, { method: "POST" });
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string; error: { code: string; message: string } };
};

/** A job whose first submit was refused (a definite answer): parked, nothing at WeShop. */
async function parked(): Promise<string> {
  h.sim.inject({ target: "weshop.submit", kind: "http500", times: 1000 });
  const { id } = await createJob(SEEDREAM);
  await firstStep(id);
  h.sim.clearFaults();
  return id;
}

describe("a cancel during a hung WeShop submit", () => {
  it("aborts it and never sends it again: no run is started after the cancel, and the job says a run may exist", async () => {
    const id = await parked();
    const before = requestsTo(h, "weshop.submit").length;
    // WeShop holds the submit without doing anything (the simulator's `hang`: no run exists)
    h.sim.inject({ target: "weshop.submit", kind: "hang" });
    await stepInBackground(id, PATIENT);
    await vi.waitFor(() => expect(requestsTo(h, "weshop.submit")).toHaveLength(before + 1));
    const answer = await cancel(id);
    expect(answer).toMatchObject({ status: "canceled", error: { code: "canceled_by_client" } });

    let job = await settled(id);
    // any follow-up work the cancel left (there should be none at WeShop) is run to its end
    for (let i = 0; i < 8 && job.providerStop; i++) job = await fireFollowUp(id);
    await fireFollowUp(id);
    expect(h.sim.tasks()).toEqual([]);
    expect(requestsTo(h, "weshop.submit")).toHaveLength(before + 1);
    expect(job.status).toBe("canceled");
    expect(job.task).toBeUndefined();
    expect(job.providerStop).toBeUndefined();
    expect(job.error?.message).toMatch(/^Canceled by the client\. A submit to WeShop had been sent without a confirmed answer, so a run may exist there/);
    expect(job.error?.message).toMatch(/did not ask again/);
    expect(job.error?.message).not.toMatch(/exists at WeShop|looking it up/);
    expect((await gateApi(env, "weshop").snapshot()).holders).not.toContain(id);
  });
});

describe("a cancel after an unconfirmed WeShop submit", () => {
  /** WeShop accepted the run but its answer was lost: the job waits with its recovery point. */
  async function unconfirmed(): Promise<JobRecord> {
    h.sim.inject({ target: "weshop.submit", kind: "accept_then_hang" });
    // a retry the runtime fires before the test parks the job hangs too
    h.sim.inject({ target: "weshop.submit", kind: "hang", times: 20 });
    const { id } = await createJob(SEEDREAM);
    const job = await firstStep(id);
    h.sim.clearFaults();
    expect(job.status).toBe("queued");
    expect(job.submitStartedAt).toBeDefined();
    expect(h.sim.tasks()).toHaveLength(1);
    return job;
  }

  it("sends nothing more to WeShop and says a run may exist and be billed", async () => {
    const { id } = await unconfirmed();
    const submitsBefore = requestsTo(h, "weshop.submit");
    const answer = await cancel(id);
    expect(answer.error.message).not.toMatch(/before the run reached|nothing was sent/);
    const job = await fireFollowUp(id);
    expect(requestsTo(h, "weshop.submit")).toHaveLength(submitsBefore.length);
    expect(h.sim.tasks()).toHaveLength(1);
    expect(job.error?.message).toBe(answer.error.message);
    expect(job.error?.message).toMatch(/^Canceled by the client\. A submit to WeShop had been sent without a confirmed answer, so a run may exist there/);
    expect(job.error?.message).toMatch(/may finish and be billed/);
    expect((await getJob(id)).provider).toMatchObject({ taskId: null, stopConfirmed: false });
    // every submit the job ever sent carried its one key: WeShop never saw two runs asked for
    expect(new Set(submitsBefore.map((r) => r.headers["idempotency-key"]))).toEqual(new Set([await weshopRunKey(id)]));
    // nothing is left to do at WeShop, so the slot goes back at once
    expect(job.slotHeld).toBeFalsy();
    expect((await gateApi(env, "weshop").snapshot()).holders).not.toContain(id);
  });
});
