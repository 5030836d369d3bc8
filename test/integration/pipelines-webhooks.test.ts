// Pipeline webhooks: pipeline.succeeded | failed | canceled (the default events), signed per
// Standard Webhooks and checked with the standardwebhooks package, the Pipeline view as data.
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../support/bindings.ts";
import { api, fireDelivery, type Harness, HOOK_ORIGIN, startHarness } from "../support/harness.ts";
import {
  CLIP,
  createPipeline,
  ended,
  postPipeline,
  runStep,
  STILL,
  startedJobs,
  waitForPipeline,
} from "../support/pipelines.ts";

let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  await h.stop();
});

const receiver = new Webhook(TEST_BINDINGS.WEBHOOK_SECRET);
const HOOK = `${HOOK_ORIGIN}/pipelines`;

async function delivered(
  pipelineId: string,
  status: string,
): Promise<{ type: string; data: { id: string; status: string; steps: unknown[] } }> {
  const end = Date.now() + 10_000;
  for (;;) {
    const hit = h.webhooks.find((w) => w.url === HOOK && w.body.includes(pipelineId));
    if (hit)
      return receiver.verify(hit.body, hit.headers) as {
        type: string;
        data: { id: string; status: string; steps: unknown[] };
      };
    if (Date.now() > end) throw new Error("no pipeline webhook delivered");
    await fireDelivery(`msg_${pipelineId}_${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("pipeline webhooks", () => {
  it("POSTs a verified pipeline.succeeded with the pipeline as data, once", async () => {
    const p = await createPipeline({ steps: [STILL, CLIP], webhookUrl: HOOK });
    expect(p.webhook).toEqual({ url: HOOK, events: ["pipeline.succeeded", "pipeline.failed", "pipeline.canceled"] });
    await runStep(h, p.id, "still");
    await runStep(h, p.id, "clip");
    await waitForPipeline(p.id, ended);
    const event = await delivered(p.id, "succeeded");
    expect(event).toMatchObject({ type: "pipeline.succeeded", data: { id: p.id, status: "succeeded" } });
    expect(event.data.steps).toHaveLength(2);
    expect(h.webhooks.filter((w) => w.url === HOOK)).toHaveLength(1);
  });

  it("POSTs pipeline.canceled after a cancel, and nothing for an event not asked for", async () => {
    const p = await createPipeline({ steps: [STILL, CLIP], webhookUrl: HOOK });
    await startedJobs(h, p.id, "still");
    await api(`/v1/pipelines/${p.id}/cancel`, { method: "POST" });
    await waitForPipeline(p.id, ended);
    expect((await delivered(p.id, "canceled")).type).toBe("pipeline.canceled");

    const quiet = await createPipeline({ steps: [STILL], webhookUrl: HOOK, webhookEvents: ["pipeline.failed"] });
    await runStep(h, quiet.id, "still");
    expect((await waitForPipeline(quiet.id, ended)).status).toBe("succeeded");
    await fireDelivery(`msg_${quiet.id}_succeeded`);
    expect(h.webhooks.filter((w) => w.body.includes(quiet.id))).toHaveLength(0);
  });

  it("refuses a webhookUrl the URL policy refuses", async () => {
    const { status, body } = await postPipeline({ steps: [STILL], webhookUrl: "http://10.0.0.1/hook" });
    expect(status).toBe(400);
    expect((body.errors as { path: string }[]).map((e) => e.path)).toEqual(["webhookUrl"]);
  });
});
