// The MCP pipeline tools: create_pipeline and get_pipeline with the create_job shape (bounded wait,
// progress, nextAction while running; the last steps' outputs as resource links once ended).
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect } from "vitest";
import { it } from "../support/fixture.ts";
import { type McpSession, mcpSession, structured } from "../support/mcp-client.ts";
import { CLIP, runStep, STILL } from "../support/pipelines.ts";

let mcp: McpSession;
it.beforeEach(({ h }) => {
  mcp = mcpSession(h);
});
it.afterEach(async () => {
  await mcp.close();
});

type Result = {
  pipeline: { id: string; status: string; steps: { id: string; status: string }[] };
  nextAction?: { tool: string; arguments: { pipeline_id: string } };
};

describe("MCP pipeline tools", () => {
  it("creates a pipeline, points at get_pipeline while it runs, and links the final outputs", async ({ h }) => {
    const client = await mcp.connect();
    const seen: Progress[] = [];
    const first = structured<Result>(
      await mcp.call(
        client,
        "create_pipeline",
        { steps: [STILL, CLIP], idempotency_key: "mcp-pipe-1", wait_seconds: 1 },
        (p) => seen.push(p),
      ),
    );
    expect(first.pipeline.status).toBe("running");
    expect(first.nextAction).toEqual({ tool: "get_pipeline", arguments: { pipeline_id: first.pipeline.id } });
    expect(seen.length).toBeGreaterThan(0);
    await runStep(h, first.pipeline.id, "still");
    await runStep(h, first.pipeline.id, "clip");
    const done = await mcp.call(client, "get_pipeline", { pipeline_id: first.pipeline.id, wait_seconds: 20 });
    const result = structured<Result>(done);
    expect(result.pipeline.status).toBe("succeeded");
    expect(result.nextAction).toBeUndefined();
    // the clip's video (and its poster): the last step's outputs, not the still it was made from
    const links = done.content.filter((c) => c.type === "resource_link") as { name: string; mimeType?: string }[];
    expect(links.map((l) => l.mimeType)).toContain("video/mp4");
    const [clipJob] = await runStep(h, first.pipeline.id, "clip");
    expect(links.every((l) => l.name.startsWith(clipJob!))).toBe(true);
  });

  it("refuses bad steps naming every path, before anything is created", async ({ h }) => {
    const client = await mcp.connect();
    const res = await mcp.call(client, "create_pipeline", {
      steps: [
        {
          id: "clip",
          model: "weshop/seedance",
          params: { textDescription: "x", images: ["{{steps.nope.outputs.0.url}}"] },
        },
      ],
    });
    expect(res.isError).toBe(true);
    expect(JSON.stringify(res.content)).toContain("steps[0].params.images[0]");
    expect(h.sim.tasks()).toHaveLength(0);
  });
});
