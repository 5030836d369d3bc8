// The webhook delivery log: each attempt recorded (HTTP status, duration, error, next attempt),
// filters, redelivery with the same webhook-id, and another tenant sees none of it.
import { describe, expect } from "vitest";
import { messageId } from "../../src/webhooks/events.ts";
import { it } from "../support/fixture.ts";
import { api, createJob, driveJob, fireDelivery, HOOK_ORIGIN, KEY_B } from "../support/harness.ts";
import { SEEDREAM } from "./helpers.ts";

interface Delivery {
  id: string;
  webhookId: string;
  status: string;
  jobId: string;
  attempts: { httpStatus: number | null; ms: number; error?: string }[];
  nextAttemptAt: string | null;
}
const list = async (query: string, key?: string) =>
  ((await (await api(`/v1/webhook-deliveries${query}`, { key })).json()) as { data: Delivery[] }).data;

describe("webhook deliveries", () => {
  it("records every attempt, and a redelivery sends the same webhook-id again", async ({ h }) => {
    let answer = 500;
    h.receiver = () => new Response("no", { status: answer });
    const { id } = await createJob({ ...SEEDREAM, webhookUrl: `${HOOK_ORIGIN}/hook` });
    await driveJob(h, id);
    const msg = messageId(id, "job.succeeded");
    await fireDelivery(msg);

    const [pending] = await list(`?jobId=${id}`);
    expect(pending).toMatchObject({ id: msg, webhookId: msg, status: "pending", jobId: id });
    expect(pending!.attempts.map((a) => [a.httpStatus, a.error])).toEqual([[500, "HTTP 500"]]);
    expect(pending!.attempts[0]!.ms).toBeGreaterThanOrEqual(0);
    expect(pending!.nextAttemptAt).not.toBeNull();
    expect(await list("?status=delivered")).not.toContainEqual(expect.objectContaining({ id: msg }));

    // another tenant sees nothing and cannot redeliver
    expect(await list(`?jobId=${id}`, KEY_B)).toEqual([]);
    expect((await api(`/v1/webhook-deliveries/${msg}/redeliver`, { method: "POST", key: KEY_B })).status).toBe(404);

    answer = 200;
    const res = await api(`/v1/webhook-deliveries/${msg}/redeliver`, { method: "POST" });
    expect(res.status).toBe(202);
    const redelivered = (await res.json()) as Delivery;
    expect(redelivered.status).toBe("delivered");
    expect(redelivered.attempts.map((a) => a.httpStatus)).toEqual([500, 200]);
    expect(redelivered.nextAttemptAt).toBeNull();
    const sent = h.webhooks.filter((w) => w.url === `${HOOK_ORIGIN}/hook`).map((w) => w.headers["webhook-id"]);
    expect(sent).toEqual([msg, msg]);
    expect((await list("?status=delivered")).map((d) => d.id)).toContain(msg);
    expect((await api("/v1/webhook-deliveries?status=nope")).status).toBe(400);
  });

  it("a deleted job's deliveries leave the log", async ({ h }) => {
    const { id } = await createJob({ ...SEEDREAM, webhookUrl: `${HOOK_ORIGIN}/hook` });
    await driveJob(h, id);
    await fireDelivery(messageId(id, "job.succeeded"));
    expect(await list(`?jobId=${id}`)).toHaveLength(1);
    expect((await api(`/v1/jobs/${id}`, { method: "DELETE" })).status).toBe(204);
    expect(await list(`?jobId=${id}`)).toEqual([]);
  });
});
