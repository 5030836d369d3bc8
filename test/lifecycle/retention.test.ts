// Settings and retention: with an injected clock (the sweep is given "now"), outputs past
// outputRetentionDays leave R2 (links 404, outputs say `expired`), jobs past jobRetentionDays are
// deleted, a bounded number per tick; the default webhook is used only when a job names none.
import { env } from "cloudflare:test";
import { describe, expect } from "vitest";
import { sweepRetention } from "../../src/lifecycle/retention.ts";
import { messageId } from "../../src/webhooks/events.ts";
import { it } from "../support/fixture.ts";
import { api, createJob, download, driveJob, fireDelivery, getJob, HOOK_ORIGIN, KEY_B } from "../support/harness.ts";
import { finishedJob, indexRow, mediaKeys, SEEDREAM } from "./helpers.ts";

const DAY = 86400_000;
it.afterEach(async () => {
  for (const key of [undefined, KEY_B]) await api("/v1/settings", { method: "PUT", json: {}, key });
});

const putSettings = (json: unknown, key?: string) => api("/v1/settings", { method: "PUT", json, key });

describe("settings", () => {
  it("are read back, validated by path, and kept per tenant", async () => {
    expect(await (await api("/v1/settings")).json()).toEqual({
      outputRetentionDays: null,
      jobRetentionDays: null,
      webhook: null,
    });
    const bad = await putSettings({
      outputRetentionDays: 0,
      jobRetentionDays: 1.5,
      webhook: { url: "http://10.0.0.1/x" },
    });
    expect(bad.status).toBe(400);
    const { errors } = (await bad.json()) as { errors: { path: string }[] };
    expect(errors.map((e) => e.path).sort()).toEqual(["jobRetentionDays", "outputRetentionDays"]);
    const ok = await putSettings({ outputRetentionDays: 7, webhook: { url: `${HOOK_ORIGIN}/default` } });
    expect(await ok.json()).toEqual({
      outputRetentionDays: 7,
      jobRetentionDays: null,
      webhook: { url: `${HOOK_ORIGIN}/default`, events: ["job.succeeded", "job.failed", "job.canceled"] },
    });
    expect(((await (await api("/v1/settings", { key: KEY_B })).json()) as { webhook: unknown }).webhook).toBeNull();
  });
});

describe("retention", () => {
  it("removes outputs past outputRetentionDays: links 404, outputs expired, the job stays", async ({ h }) => {
    const { id, urls } = await finishedJob(h);
    const { urls: otherUrls } = await finishedJob(h, SEEDREAM, KEY_B);
    expect((await putSettings({ outputRetentionDays: 1 })).status).toBe(200);
    // one day on: not yet; two days on: expired
    expect((await sweepRetention(env, Date.now() + 0.5 * DAY)).outputsExpired).toBe(0);
    expect((await sweepRetention(env, Date.now() + 2 * DAY)).outputsExpired).toBe(1);
    for (const url of urls) expect((await download(url)).status).toBe(404);
    expect(await mediaKeys(id)).toEqual([]);
    const job = await getJob(id);
    expect(job.status).toBe("succeeded");
    expect(job.outputs.map((o) => [o.status, o.url])).toEqual(urls.map(() => ["expired", null]));
    expect((await indexRow(id))?.outputs_expired_at).not.toBeNull();
    // the other tenant set no retention: its outputs stay
    expect((await download(otherUrls[0]!)).status).toBe(200);
  });

  it("deletes finished jobs past jobRetentionDays, a bounded number per tick", async ({ h }) => {
    const jobs = [await finishedJob(h), await finishedJob(h), await finishedJob(h)];
    expect((await putSettings({ jobRetentionDays: 30 })).status).toBe(200);
    const later = Date.now() + 31 * DAY;
    // this tenant's earlier tests left finished jobs too: every tick deletes at most 2, until none is left
    const ticks: number[] = [];
    for (let n = -1; n !== 0; ) {
      n = (await sweepRetention(env, later, 2)).jobsDeleted;
      ticks.push(n);
    }
    expect(Math.max(...ticks)).toBe(2);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    for (const { id, urls } of jobs) {
      expect((await api(`/v1/jobs/${id}`)).status).toBe(404);
      expect((await download(urls[0]!)).status).toBe(404);
      expect((await indexRow(id))?.deleted_at).not.toBeNull();
    }
  });
});

describe("default webhook", () => {
  it("is used only by jobs that name no webhookUrl", async ({ h }) => {
    expect((await putSettings({ webhook: { url: `${HOOK_ORIGIN}/default`, events: ["job.succeeded"] } })).status).toBe(
      200,
    );
    const plain = await createJob(SEEDREAM);
    const own = await createJob({ ...SEEDREAM, webhookUrl: `${HOOK_ORIGIN}/own` });
    const other = await createJob(SEEDREAM, KEY_B);
    expect(plain.body.webhook).toMatchObject({ url: `${HOOK_ORIGIN}/default`, events: ["job.succeeded"] });
    expect(own.body.webhook).toMatchObject({ url: `${HOOK_ORIGIN}/own` });
    expect(other.body.webhook).toBeUndefined();
    for (const { id } of [plain, own, other]) await driveJob(h, id);
    for (const { id } of [plain, own]) await fireDelivery(messageId(id, "job.succeeded"));
    const hits = h.webhooks.map((w) => [w.url, (JSON.parse(w.body) as { data: { id: string } }).data.id]);
    expect(hits).toContainEqual([`${HOOK_ORIGIN}/default`, plain.id]);
    expect(hits).toContainEqual([`${HOOK_ORIGIN}/own`, own.id]);
    expect(hits.filter(([, id]) => id === own.id).map(([url]) => url)).toEqual([`${HOOK_ORIGIN}/own`]);
    expect(hits.some(([, id]) => id === other.id)).toBe(false);
  });
});
