// The quote tool through /mcp: the same answer as POST /v1/quotes, for one spec or a list, with
// nothing created and no provider task; bad specs named by path before any provider is asked.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { api, type Harness, startHarness } from "../support/harness.ts";
import { type McpSession, mcpSession, problem, SEEDREAM, structured, WIRO } from "../support/mcp-client.ts";

let h: Harness;
let mcp: McpSession;
beforeEach(() => {
  h = startHarness();
  mcp = mcpSession(h);
});
afterEach(async () => {
  await mcp.close();
  await h.stop();
});

const tasks = () => h.sim.requests.filter((r) => r.target === "weshop.submit" || r.target === "wiro.run");
const overHttp = async (body: unknown) => {
  const res = await api("/v1/quotes", { json: body });
  expect(res.status).toBe(200);
  return res.json();
};

describe("quote through /mcp", () => {
  it("quotes one spec as POST /v1/quotes does, creating nothing", async () => {
    const client = await mcp.connect();
    const quoted = structured<{ jobs: { model: string; estimate: { amount: number; source: string } | null }[] }>(
      await mcp.call(client, "quote", SEEDREAM),
    );
    expect(quoted.jobs).toHaveLength(1);
    expect(quoted.jobs[0]!.estimate).toMatchObject({ unit: "weshop_power", source: "provider" });
    expect(quoted.jobs[0]!.estimate!.amount).toBeGreaterThan(0);
    expect(quoted).toEqual(await overHttp(SEEDREAM));
    expect(structured<{ data: unknown[] }>(await mcp.call(client, "list_jobs", {})).data).toEqual([]);
    expect(tasks()).toEqual([]);
  });

  it("quotes a list of jobs with totals per unit, as POST /v1/quotes does", async () => {
    const client = await mcp.connect();
    const jobs = [SEEDREAM, WIRO, SEEDREAM];
    const quoted = structured<{ total: { unit: string }[]; jobs: unknown[] }>(
      await mcp.call(client, "quote", { jobs }),
    );
    expect(quoted.jobs).toHaveLength(3);
    expect(quoted.total.map((t) => t.unit).sort()).toEqual(["usd", "weshop_power"]);
    expect(quoted).toEqual(await overHttp({ jobs }));
    expect(tasks()).toEqual([]);
  });

  it("names every bad field, asking no provider", async () => {
    const client = await mcp.connect();
    const bad = problem(
      await mcp.call(client, "quote", {
        jobs: [
          { model: "weshop/seedream", params: {} },
          { model: "nope", params: {} },
        ],
      }),
    );
    expect(bad).toMatchObject({ code: "validation_failed", status: 400 });
    expect(bad.errors!.map((e) => e.path)).toEqual(["jobs[0].params.textDescription", "jobs[1].model"]);
    const both = problem(await mcp.call(client, "quote", { ...SEEDREAM, jobs: [SEEDREAM] }));
    expect(both.errors!.map((e) => e.path).sort()).toEqual(["model", "params"]);
    expect(h.sim.requests).toEqual([]);
  });
});
