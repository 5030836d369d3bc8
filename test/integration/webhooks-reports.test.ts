// Outgoing webhooks, after the receiver has answered: the outcome is reported back to the job,
// and a report the job could not take is tried again on the delivery's alarm, with backoff, a
// bounded number of times. The deliveries themselves are in webhooks.test.ts.
import { runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPORT_RETRY_MS, RETRY_SCHEDULE_MS } from "../../src/webhooks/delivery-object.ts";
import { messageId } from "../../src/webhooks/events.ts";
import type { DeliveryState } from "../../src/webhooks/types.ts";
import { deliveryInside, fakeObjects } from "../support/do-internals.ts";
import {
  createJob,
  deliveryStub,
  driveJob,
  fireDelivery,
  getJob,
  type Harness,
  HOOK_ORIGIN,
  startHarness,
  storedJob,
} from "../support/harness.ts";

const HOOK = `${HOOK_ORIGIN}/seedrun`;
const SEEDREAM = { model: "weshop/seedream", params: { textDescription: "a fox" }, webhookUrl: HOOK };
let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  await h.stop();
});

/**
 * Runs the delivery object's alarm now, as if its time had come: the next attempt (`due:
 * "attempt"`) or the next try of its final report (`due: "report"`), optionally with every job
 * object unreachable so reporting to the job fails. Returns what it stored and the alarm it left.
 */
async function runDelivery(msg: string, due: "attempt" | "report", jobsUnreachable = false) {
  return runInDurableObject(deliveryStub(msg), async (instance, state) => {
    const object = deliveryInside(instance);
    while (object.running) await object.running;
    const delivery = (await state.storage.get<DeliveryState>("delivery"))!;
    const now = Date.now();
    await state.storage.put(
      "delivery",
      due === "attempt"
        ? { ...delivery, nextAt: now }
        : { ...delivery, finalReport: { ...delivery.finalReport!, nextAt: now } },
    );
    await state.storage.deleteAlarm();
    const real = object.env;
    if (jobsUnreachable) {
      const unreachable = { webhookReport: () => Promise.reject(new Error("object unreachable")) };
      object.env = { ...real, JOBS: fakeObjects(real.JOBS, () => unreachable) };
    }
    const started = Date.now();
    try {
      await object.alarm();
    } finally {
      object.env = real;
    }
    return {
      started,
      alarm: await state.storage.getAlarm(),
      state: (await state.storage.get<DeliveryState>("delivery"))!,
    };
  });
}

/**
 * A succeeded job whose receiver failed the first attempt (which may run on the delivery's own
 * alarm, right after the job hands the event over) and accepts the next one.
 */
async function failOnceThenDeliverUnreported(): Promise<{ id: string; msg: string }> {
  const answers = [new Response("down", { status: 503 })];
  h.receiver = () => answers.shift() ?? new Response(null, { status: 204 });
  const { id } = await createJob(SEEDREAM);
  await driveJob(h, id);
  const msg = messageId(id, "job.succeeded");
  while (h.webhooks.length < 1) await fireDelivery(msg);
  return { id, msg };
}

type Deliveries = { deliveries: { id: string; status: string; attempts: number }[] };

describe("delivery", () => {
  it("a give-up the job could not be told about is reported again on the delivery's alarm", async () => {
    h.receiver = () => new Response("nope", { status: 503 });
    const { id } = await createJob(SEEDREAM);
    await driveJob(h, id);
    const msg = messageId(id, "job.succeeded");
    while (h.webhooks.length < RETRY_SCHEDULE_MS.length) await fireDelivery(msg);
    // the last attempt fails and so does its report: the job still thinks delivery is pending
    const last = await runDelivery(msg, "attempt", true);
    expect(h.webhooks).toHaveLength(RETRY_SCHEDULE_MS.length + 1);
    expect(last.state).toMatchObject({
      gaveUpAt: expect.any(Number),
      attempts: RETRY_SCHEDULE_MS.length + 1,
      finalReport: { failures: 1 },
    });
    expect(last.alarm).not.toBeNull();
    expect(last.alarm!).toBeGreaterThanOrEqual(last.started + REPORT_RETRY_MS[0]!);
    let view = (await getJob(id)).webhook as Deliveries;
    expect(view.deliveries).toEqual([
      expect.objectContaining({ id: msg, status: "pending", attempts: RETRY_SCHEDULE_MS.length }),
    ]);
    // the alarm comes back and the job takes the report; nothing more is sent to the receiver
    const retry = await runDelivery(msg, "report");
    expect(retry.state.finalReport).toBeUndefined();
    expect(retry.alarm).toBeNull();
    expect(h.webhooks).toHaveLength(RETRY_SCHEDULE_MS.length + 1);
    view = (await getJob(id)).webhook as Deliveries;
    expect(view.deliveries).toEqual([
      expect.objectContaining({
        id: msg,
        status: "failed",
        attempts: RETRY_SCHEDULE_MS.length + 1,
        lastStatus: 503,
        error: "HTTP 503",
      }),
    ]);
    expect((await storedJob(id)).deliveries![msg]).not.toHaveProperty("finalReport");
  });

  it("a delivery the job could not be told about is reported again, with backoff, a bounded number of times", async () => {
    const { id, msg } = await failOnceThenDeliverUnreported();
    const first = await runDelivery(msg, "attempt", true);
    expect(h.webhooks).toHaveLength(2);
    expect(first.state).toMatchObject({ deliveredAt: expect.any(Number), finalReport: { failures: 1 } });
    expect((await getJob(id)).webhook).toMatchObject({ lastStatus: 503, attempts: 1 });
    // each failed try waits longer; the delivery is never attempted again
    let previousDelay = 0;
    for (let failures = 2; failures <= REPORT_RETRY_MS.length; failures++) {
      const step = await runDelivery(msg, "report", true);
      expect(step.state.finalReport).toMatchObject({ failures });
      const delay = step.alarm! - step.started;
      expect(delay).toBeGreaterThan(previousDelay);
      previousDelay = delay;
    }
    expect(h.webhooks).toHaveLength(2);
    // the job answers again before the tries run out: it records the delivery
    const accepted = await runDelivery(msg, "report");
    expect(accepted.state.finalReport).toBeUndefined();
    expect(accepted.alarm).toBeNull();
    expect((await getJob(id)).webhook).toMatchObject({ lastStatus: 204, attempts: 2, deliveredAt: expect.any(String) });
  });

  it("reporting the outcome stops after the last try even if the job never answers", async () => {
    const { msg } = await failOnceThenDeliverUnreported();
    await runDelivery(msg, "attempt", true);
    for (let i = 0; i < REPORT_RETRY_MS.length - 1; i++) await runDelivery(msg, "report", true);
    const end = await runDelivery(msg, "report", true);
    expect(end.state).toMatchObject({ deliveredAt: expect.any(Number) });
    expect(end.state.finalReport).toBeUndefined();
    expect(end.alarm).toBeNull();
  });
});
