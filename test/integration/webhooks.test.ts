// Outgoing webhooks: Standard Webhooks signatures (checked by the reference package), retries
// with a stable id, event filtering, and delivery that never holds up the job. How the outcome is
// reported back to the job is in webhooks-reports.test.ts.
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RETRY_SCHEDULE_MS } from "../../src/webhooks/delivery-object.ts";
import { messageId } from "../../src/webhooks/events.ts";
import { RETRY_SPAN_MS } from "../../src/webhooks/schedule.ts";
import { TEST_BINDINGS } from "../support/bindings.ts";
import {
  api,
  createJob,
  download,
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

const receiver = new Webhook(TEST_BINDINGS.WEBHOOK_SECRET);

describe("delivery", () => {
  it("a receiver using the standardwebhooks package accepts the signed event", async () => {
    const { id } = await createJob(SEEDREAM);
    await driveJob(h, id);
    await fireDelivery(messageId(id, "job.succeeded"));
    expect(h.webhooks).toHaveLength(1);
    const delivery = h.webhooks[0]!;
    const event = receiver.verify(delivery.body, delivery.headers) as {
      type: string;
      timestamp: string;
      data: { id: string; status: string; outputs: { url: string }[] };
    };
    expect(event.type).toBe("job.succeeded");
    expect(event.data).toMatchObject({ id, status: "succeeded" });
    expect(event.data.outputs[0]!.url).toMatch(/^https:\/\/seedrun\.test\/media\//);
    expect(delivery.headers["webhook-id"]).toBe(messageId(id, "job.succeeded"));
    // a tampered body is rejected by the same receiver
    expect(() => receiver.verify(delivery.body.replace("succeeded", "failed"), delivery.headers)).toThrow();
    const view = await getJob(id);
    expect(view.webhook).toMatchObject({
      url: HOOK,
      events: ["job.succeeded", "job.failed", "job.canceled"],
      lastStatus: 200,
      attempts: 1,
      deliveredAt: expect.any(String),
    });
  });

  it("a receiver that fails twice gets the event on the third try with the same webhook-id", async () => {
    const answers: (Response | "hang")[] = [
      new Response("down", { status: 500 }),
      "hang",
      new Response(null, { status: 204 }),
    ];
    h.receiver = (request) => {
      const next = answers.shift();
      if (next === "hang")
        return new Promise<Response>((_, reject) =>
          request.signal.addEventListener("abort", () => reject(request.signal.reason)),
        );
      return next!;
    };
    const { id } = await createJob(SEEDREAM);
    await driveJob(h, id);
    const msg = messageId(id, "job.succeeded");
    await fireDelivery(msg);
    let view = await getJob(id);
    expect(view.webhook).toMatchObject({ lastStatus: 500, attempts: 1 });
    expect((view.webhook as { deliveries: { status: string; nextAttemptAt: string }[] }).deliveries[0]).toMatchObject({
      status: "pending",
      nextAttemptAt: expect.any(String),
    });
    await fireDelivery(msg);
    await fireDelivery(msg);
    await fireDelivery(msg); // delivered: nothing more is sent
    expect(h.webhooks).toHaveLength(3);
    expect(new Set(h.webhooks.map((w) => w.headers["webhook-id"]))).toEqual(new Set([msg]));
    expect(new Set(h.webhooks.map((w) => w.body)).size).toBe(1);
    for (const w of h.webhooks) expect(() => receiver.verify(w.body, w.headers)).not.toThrow();
    view = await getJob(id);
    expect(view.webhook).toMatchObject({ lastStatus: 204, attempts: 3, deliveredAt: expect.any(String) });
  });

  it("retries for at least 24 hours, then gives up and records it on the job", async () => {
    expect(RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0) * 0.9).toBeGreaterThanOrEqual(24 * 3600_000);
    h.receiver = () => new Response("nope", { status: 503 });
    const { id } = await createJob(SEEDREAM);
    await driveJob(h, id);
    const msg = messageId(id, "job.succeeded");
    for (let i = 0; i < RETRY_SCHEDULE_MS.length + 3; i++) await fireDelivery(msg);
    expect(h.webhooks).toHaveLength(RETRY_SCHEDULE_MS.length + 1);
    const view = await getJob(id);
    expect((view.webhook as { deliveries: unknown[] }).deliveries).toEqual([
      expect.objectContaining({
        id: msg,
        status: "failed",
        attempts: RETRY_SCHEDULE_MS.length + 1,
        lastStatus: 503,
        error: "HTTP 503",
      }),
    ]);
  });

  it("the media links in a webhook body stay valid for the whole retry span and a day after", async () => {
    expect(RETRY_SPAN_MS).toBeGreaterThanOrEqual(RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0) * 1.1);
    const { id } = await createJob(SEEDREAM);
    await driveJob(h, id);
    await fireDelivery(messageId(id, "job.succeeded"));
    const event = JSON.parse(h.webhooks[0]!.body) as {
      timestamp: string;
      data: { outputs: { url: string; expiresAt: string }[] };
    };
    const eventAt = Date.parse(event.timestamp);
    expect(event.data.outputs.length).toBeGreaterThan(0);
    for (const output of event.data.outputs) {
      const expires = Number(new URL(output.url).searchParams.get("expires")) * 1000;
      expect(expires).toBeGreaterThanOrEqual(eventAt + RETRY_SPAN_MS + 24 * 3600_000);
      expect(Date.parse(output.expiresAt)).toBe(expires);
      expect((await download(output.url)).status).toBe(200);
    }
    // links in API responses keep their usual lifetime: a day, rounded up to the hour
    const view = await getJob(id);
    const apiExpires = Number(new URL(view.outputs[0]!.url as string).searchParams.get("expires")) * 1000;
    expect(apiExpires).toBeGreaterThanOrEqual(Date.now() + 24 * 3600_000 - 1_000);
    expect(apiExpires).toBeLessThanOrEqual(Date.now() + 25 * 3600_000);
  });

  it("delivery never holds up the job: a hanging receiver, the job still ends and hands over its event", async () => {
    h.receiver = (request) =>
      new Promise<Response>((_, reject) =>
        request.signal.addEventListener("abort", () => reject(request.signal.reason)),
      );
    const { id } = await createJob(SEEDREAM);
    const job = await driveJob(h, id);
    expect(job.status).toBe("succeeded");
    expect(job.outbox).toBeUndefined();
  });
});

describe("events", () => {
  it("only the requested events are sent", async () => {
    const { id } = await createJob({ ...SEEDREAM, webhookEvents: ["job.running", "job.failed"] });
    await driveJob(h, id);
    await fireDelivery(messageId(id, "job.running"));
    await fireDelivery(messageId(id, "job.succeeded"));
    expect(h.webhooks.map((w) => JSON.parse(w.body).type)).toEqual(["job.running"]);
    expect(JSON.parse(h.webhooks[0]!.body).data.status).toBe("running");
  });

  it("a failed job sends job.failed with the reason", async () => {
    h.sim.inject({ target: "weshop.submit", kind: "error_final" });
    const { id } = await createJob(SEEDREAM);
    await driveJob(h, id);
    await fireDelivery(messageId(id, "job.failed"));
    const event = receiver.verify(h.webhooks[0]!.body, h.webhooks[0]!.headers) as {
      type: string;
      data: { error: { code: string } };
    };
    expect(event.type).toBe("job.failed");
    expect(event.data.error.code).toBe("INSUFFICIENT_POWER");
  });

  it("jobs without webhookUrl send nothing", async () => {
    const { id } = await createJob({ model: "weshop/seedream", params: { textDescription: "x" } });
    const job = await driveJob(h, id);
    expect(job.webhook).toBeUndefined();
    expect(h.webhooks).toEqual([]);
  });
});

describe("webhookUrl validation", () => {
  it.each([
    ["http://hooks.example.com/x", "webhookUrl"],
    ["https://user:pw@hooks.example.com/x", "webhookUrl"],
    ["https://203.0.113.7/x", "webhookUrl"],
    ["https://[::1]/x", "webhookUrl"],
    ["https://printer.local/x", "webhookUrl"],
    ["ftp://hooks.example.com/x", "webhookUrl"],
    ["https://hooks.example.com:8443/x", "webhookUrl"],
  ])("%s is refused at creation", async (url, path) => {
    const res = await api("/v1/jobs", { json: { ...SEEDREAM, webhookUrl: url } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { path: string }[] };
    expect(body.errors.map((e) => e.path)).toEqual([path]);
    expect(h.sim.requests).toEqual([]);
  });

  it("unknown events, repeated events and events without a URL are refused", async () => {
    const bad = async (json: unknown) =>
      ((await (await api("/v1/jobs", { json })).json()) as { errors: { path: string }[] }).errors.map((e) => e.path);
    expect(await bad({ ...SEEDREAM, webhookEvents: ["job.exploded"] })).toEqual(["webhookEvents[0]"]);
    expect(await bad({ ...SEEDREAM, webhookEvents: ["job.failed", "job.failed"] })).toEqual(["webhookEvents"]);
    expect(
      await bad({ model: "weshop/seedream", params: { textDescription: "x" }, webhookEvents: ["job.failed"] }),
    ).toEqual(["webhookEvents"]);
  });
});

it("a stored job records its webhook", async () => {
  const { id } = await createJob(SEEDREAM);
  expect((await storedJob(id)).webhook).toEqual({ url: HOOK, events: ["job.succeeded", "job.failed", "job.canceled"] });
});
