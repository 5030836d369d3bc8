// Shared by the lifecycle tests: a finished job with stored outputs, its links, and the D1 row
// a delete keeps.
import { env, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { readTombstone, type Tombstone } from "../../src/lifecycle/job-erase.ts";
import { api, createJob, download, driveJob, getJob, type Harness, jobStub, KEY_A } from "../support/harness.ts";

export const SEEDREAM = { model: "weshop/seedream", params: { textDescription: "a fox" } };
export const WIRO = { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle" } };

/** A job driven to success; its output links work. */
export async function finishedJob(
  h: Harness,
  spec: unknown = SEEDREAM,
  key = KEY_A,
): Promise<{ id: string; urls: string[] }> {
  const { id } = await createJob(spec, key);
  const job = await driveJob(h, id);
  expect(job.status).toBe("succeeded");
  const urls = (await getJob(id, key)).outputs.map((o) => o.url as string);
  expect(urls.length).toBeGreaterThan(0);
  for (const url of urls) expect((await download(url)).status).toBe(200);
  return { id, urls };
}

export const del = (path: string, key = KEY_A) => api(path, { method: "DELETE", key });

export async function indexRow(id: string) {
  return env.DB.prepare("SELECT status, deleted_at, outputs_expired_at, cost_actual FROM jobs WHERE id = ?")
    .bind(id)
    .first<{
      status: string;
      deleted_at: number | null;
      outputs_expired_at: number | null;
      cost_actual: number | null;
    }>();
}

export async function tombstone(id: string): Promise<Tombstone | undefined> {
  return runInDurableObject(jobStub(id), async (_, state) => readTombstone(state.storage));
}

export async function mediaKeys(id: string): Promise<string[]> {
  return (await env.MEDIA.list({ prefix: `jobs/${id}/` })).objects.map((o) => o.key);
}
