// What the batch tests share: a mix of job specs, the batch object's stored record and its
// fan-out alarm run on demand, and the listing index to find the jobs one test's requests made.
import { env, runInDurableObject } from "cloudflare:test";
import type { BatchRecord } from "../../src/batches/batch-client.ts";
import { storedJob } from "../support/harness.ts";

export const spec = (i: number) =>
  i % 3 === 0
    ? { model: "weshop/seedream", params: { textDescription: `image ${i}` } }
    : i % 3 === 1
      ? { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: `video ${i}` } }
      : {
          model: "weshop/seedance",
          params: { textDescription: `clip ${i}`, images: ["https://images.example.com/a.png"] },
        };

export const batchStub = (id: string) => env.BATCHES.get(env.BATCHES.idFromName(id));
export const batchRecord = (id: string) =>
  runInDurableObject(batchStub(id), async (_, state) => (await state.storage.get<BatchRecord>("batch"))!);

/** Runs one fan-out step of the batch now (its alarm), returning how many jobs exist. */
export async function fanOut(id: string): Promise<number> {
  await runInDurableObject(batchStub(id), async (instance, state) => {
    await state.storage.deleteAlarm();
    await instance.alarm();
  });
  return (await batchRecord(id)).created;
}

/** Every job id in the listing index (the D1 projection every created job writes). */
export async function indexedJobIds(): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT id FROM jobs ORDER BY id").all<{ id: string }>();
  return rows.results.map((r) => r.id);
}

/**
 * The jobs indexed since `before` whose params mention `marker`: the jobs one test's requests made,
 * whatever a batch left running by an earlier test of the file creates meanwhile.
 */
export async function newJobsMarked(before: Set<string>, marker: string): Promise<string[]> {
  const fresh = (await indexedJobIds()).filter((id) => !before.has(id));
  const marked = await Promise.all(
    fresh.map(async (id) => (JSON.stringify((await storedJob(id)).params).includes(marker) ? id : null)),
  );
  return marked.filter((id): id is string => id !== null).sort();
}

export const marked = (marker: string, i: number) =>
  JSON.parse(JSON.stringify(spec(i)).replace(/"(image|video|clip) /, `"${marker} $1 `)) as ReturnType<typeof spec>;
