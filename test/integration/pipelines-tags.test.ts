// A pipeline's `tags` and `deadline` are given to each job it creates, as a batch gives its own:
// the jobs list under the tag, carry the deadline, and a per-tag budget counts a pipeline's jobs.
import { describe, expect } from "vitest";
import { it } from "../support/fixture.ts";
import { api, getJob, KEY_B } from "../support/harness.ts";
import { CLIP, createPipeline, ended, postPipeline, runStep, STILL, waitForPipeline } from "../support/pipelines.ts";

it.afterEach(async () => {
  await api("/v1/budget", { method: "PUT", json: { limits: [] } });
});

const ids = async (path: string, key?: string) =>
  ((await (await api(path, key ? { key } : {})).json()) as { data: { id: string }[] }).data.map((j) => j.id).sort();

describe("pipeline tags and deadline", () => {
  it("each job of every step carries the pipeline's tags and deadline, and lists under its tag", async ({ h }) => {
    const deadline = new Date(Date.now() + 2 * 3600_000).toISOString();
    const p = await createPipeline({ steps: [STILL, CLIP], tags: ["campaign:summer", "team-a"], deadline });
    const jobIds = [...(await runStep(h, p.id, "still")), ...(await runStep(h, p.id, "clip"))];
    expect((await waitForPipeline(p.id, ended)).status).toBe("succeeded");
    expect(jobIds).toHaveLength(2);
    for (const id of jobIds) {
      const job = (await getJob(id)) as unknown as { tags?: string[]; deadline?: string };
      expect(job.tags).toEqual(["campaign:summer", "team-a"]);
      expect(job.deadline).toBe(deadline);
    }
    expect(await ids("/v1/jobs?tag=team-a")).toEqual([...jobIds].sort());
    expect(await ids("/v1/jobs?tag=team-a", KEY_B)).toEqual([]);
    const usage = (await (await api("/v1/usage?groupBy=tag")).json()) as { data: { key: string; jobs: number }[] };
    expect(usage.data.find((r) => r.key === "campaign:summer")?.jobs).toBe(2);
  });

  it("a pipeline without tags or deadline gives its jobs none", async ({ h }) => {
    const p = await createPipeline({ steps: [STILL] });
    const [id] = await runStep(h, p.id, "still");
    const job = (await getJob(id!)) as unknown as { tags?: string[]; deadline?: string };
    expect(job.tags ?? []).toEqual([]);
    expect(job.deadline).toBeUndefined();
  });

  it("a budget limit naming a tag refuses a pipeline carrying it (402), creating nothing", async ({ h }) => {
    const put = await api("/v1/budget", {
      method: "PUT",
      json: { limits: [{ unit: "weshop_power", period: "day", amount: 0.5, tag: "campaign:summer" }] },
    });
    expect(put.status).toBe(200);
    const listed = async () =>
      ((await (await api("/v1/pipelines?limit=100")).json()) as { data: unknown[] }).data.length;
    const before = await listed();
    const refused = await postPipeline({ steps: [STILL, CLIP], tags: ["campaign:summer"] });
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({ code: "budget_exceeded" });
    expect(await listed()).toBe(before);
    expect(h.sim.tasks()).toEqual([]);
    // another tag is not counted by that limit
    expect((await postPipeline({ steps: [STILL], tags: ["campaign:fall"] })).status).toBe(202);
  });
});
