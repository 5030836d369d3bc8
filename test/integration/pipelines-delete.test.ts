// DELETE /v1/pipelines/{id}: a finished pipeline's jobs are deleted as DELETE /v1/jobs/{id} deletes
// one (links 404), then the pipeline itself (404, gone from the list); running is 409; another
// key's is 404 and stays.
import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { api, download, getJob, type Harness, KEY_B, startHarness } from "../support/harness.ts";
import {
  CLIP,
  createPipeline,
  ended,
  type PipelineBody,
  runStep,
  STILL,
  waitForPipeline,
} from "../support/pipelines.ts";

let h: Harness;
beforeEach(() => {
  h = startHarness();
});
afterEach(async () => {
  await h.stop();
});

const del = (id: string, key?: string) => api(`/v1/pipelines/${id}`, { method: "DELETE", ...(key ? { key } : {}) });

/** A still and a clip of it, both run to success; every job's output links work. */
async function finishedPipeline(): Promise<{ p: PipelineBody; jobIds: string[]; urls: string[] }> {
  const p = await createPipeline({ steps: [STILL, CLIP] });
  const jobIds = [...(await runStep(h, p.id, "still")), ...(await runStep(h, p.id, "clip"))];
  expect((await waitForPipeline(p.id, ended)).status).toBe("succeeded");
  const urls = (
    await Promise.all(jobIds.map(async (id) => (await getJob(id)).outputs.map((o) => o.url as string)))
  ).flat();
  expect(urls.length).toBeGreaterThanOrEqual(2);
  for (const url of urls) expect((await download(url)).status).toBe(200);
  return { p, jobIds, urls };
}

describe("DELETE /v1/pipelines/{id}", () => {
  it("deletes every job (links 404) and then the pipeline (404, not listed)", async () => {
    const { p, jobIds, urls } = await finishedPipeline();
    expect((await del(p.id)).status).toBe(204);
    for (const url of urls) expect((await download(url)).status).toBe(404);
    for (const id of jobIds) {
      expect((await api(`/v1/jobs/${id}`)).status).toBe(404);
      expect((await env.MEDIA.list({ prefix: `jobs/${id}/` })).objects).toEqual([]);
    }
    expect((await api(`/v1/pipelines/${p.id}`)).status).toBe(404);
    const list = (await (await api("/v1/pipelines")).json()) as { data: { id: string }[] };
    expect(list.data.map((x) => x.id)).not.toContain(p.id);
    const jobs = (await (await api(`/v1/jobs?pipelineId=${p.id}`)).json()) as { data: unknown[] };
    expect(jobs.data).toEqual([]);
    const steps = await env.DB.prepare("SELECT COUNT(*) AS n FROM pipeline_steps WHERE pipeline_id = ?")
      .bind(p.id)
      .first<{ n: number }>();
    expect(steps?.n).toBe(0);
    // a second delete finds nothing
    expect((await del(p.id)).status).toBe(404);
  });

  it("refuses a running pipeline with 409 and leaves it and its job as they are", async () => {
    const p = await createPipeline({ steps: [STILL, CLIP] });
    const [stillJob] = await runStep(h, p.id, "still");
    const res = await del(p.id);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "pipeline_unfinished" });
    expect((await api(`/v1/pipelines/${p.id}`)).status).toBe(200);
    expect((await api(`/v1/jobs/${stillJob}`)).status).toBe(200);
    await runStep(h, p.id, "clip");
    await waitForPipeline(p.id, ended);
    expect((await del(p.id)).status).toBe(204);
  });

  it("another key gets 404 and the pipeline, its jobs and their links stay", async () => {
    const { p, jobIds, urls } = await finishedPipeline();
    expect((await del(p.id, KEY_B)).status).toBe(404);
    expect((await api(`/v1/pipelines/${p.id}`)).status).toBe(200);
    for (const id of jobIds) expect((await api(`/v1/jobs/${id}`)).status).toBe(200);
    for (const url of urls) expect((await download(url)).status).toBe(200);
  });
});
