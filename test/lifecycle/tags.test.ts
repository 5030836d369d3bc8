// Tags: validated, listed by (GET /v1/jobs?tag=), costs grouped by them, and budget limits that
// count only the jobs carrying one. Another tenant sees none of it.
import { describe, expect } from "vitest";
import { it } from "../support/fixture.ts";
import { api, createJob, driveJob, KEY_B } from "../support/harness.ts";
import { SEEDREAM } from "./helpers.ts";

it.afterEach(async () => {
  await api("/v1/budget", { method: "PUT", json: { limits: [] } });
});

const ids = async (path: string, key?: string) =>
  ((await (await api(path, { key })).json()) as { data: { id: string }[] }).data.map((j) => j.id);

describe("tags", () => {
  it("refuses bad tags, naming each by path", async ({ h }) => {
    const res = await api("/v1/jobs", { json: { ...SEEDREAM, tags: ["ok", "Not OK", "ok"] } });
    expect(res.status).toBe(400);
    const { errors } = (await res.json()) as { errors: { path: string }[] };
    expect(errors.map((e) => e.path).sort()).toEqual(["tags", "tags[1]"]);
    const many = await api("/v1/jobs", { json: { ...SEEDREAM, tags: Array.from({ length: 11 }, (_, i) => `t${i}`) } });
    expect(((await many.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(["tags"]);
    const batch = await api("/v1/batches", {
      json: { jobs: [{ ...SEEDREAM, tags: Array.from({ length: 10 }, (_, i) => `t${i}`) }], tags: ["extra"] },
    });
    expect(((await batch.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      "jobs[0].tags",
    ]);
    expect(h.sim.tasks()).toHaveLength(0);
  });

  it("lists jobs by tag and groups usage by tag, for the caller only", async ({ h }) => {
    const spring = await createJob({ ...SEEDREAM, tags: ["campaign:spring", "team-a"] });
    const plain = await createJob(SEEDREAM);
    const other = await createJob({ ...SEEDREAM, tags: ["campaign:spring"] }, KEY_B);
    expect(spring.body.tags).toEqual(["campaign:spring", "team-a"]);
    for (const id of [spring.id, plain.id, other.id]) await driveJob(h, id);

    expect(await ids("/v1/jobs?tag=campaign:spring")).toEqual([spring.id]);
    expect(await ids("/v1/jobs?tag=team-a")).toEqual([spring.id]);
    expect(await ids("/v1/jobs?tag=campaign:spring", KEY_B)).toEqual([other.id]);
    expect((await api("/v1/jobs?tag=Bad!")).status).toBe(400);

    const usage = (await (await api("/v1/usage?groupBy=tag")).json()) as {
      data: { key: string; jobs: number; amount: number }[];
    };
    expect(usage.data.map((r) => [r.key, r.jobs])).toEqual([
      ["campaign:spring", 1],
      ["team-a", 1],
    ]);
    expect(usage.data[0]!.amount).toBeGreaterThan(0);
  });

  it("a budget limit naming a tag refuses only the jobs carrying it (402), sending nothing", async () => {
    const put = await api("/v1/budget", {
      method: "PUT",
      json: { limits: [{ unit: "weshop_power", period: "day", amount: 0.5, tag: "campaign:summer" }] },
    });
    expect(put.status).toBe(200);
    const view = (await put.json()) as { limits: { tag?: string; remaining: number }[] };
    expect(view.limits).toEqual([expect.objectContaining({ tag: "campaign:summer", remaining: 0.5 })]);

    const refused = await api("/v1/jobs", { json: { ...SEEDREAM, tags: ["campaign:summer"] } });
    expect(refused.status).toBe(402);
    const problem = (await refused.json()) as { code: string; detail: string; tag?: string };
    expect(problem.code).toBe("budget_exceeded");
    expect(problem.detail).toMatch(/tagged campaign:summer/);
    // untagged, or another tag: not counted by that limit
    expect((await api("/v1/jobs", { json: SEEDREAM })).status).toBe(202);
    expect((await api("/v1/jobs", { json: { ...SEEDREAM, tags: ["campaign:fall"] } })).status).toBe(202);
    // another tenant's budget is its own
    expect((await api("/v1/jobs", { json: { ...SEEDREAM, tags: ["campaign:summer"] }, key: KEY_B })).status).toBe(202);
  });
});
