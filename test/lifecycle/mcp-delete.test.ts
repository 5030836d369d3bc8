// MCP delete_job: a finished job is deleted (get_job then finds nothing); an unfinished one is
// the API's job_unfinished problem; another tenant's is not found.
import { expect } from "vitest";
import { it } from "../support/fixture.ts";
import { driveJob, KEY_B } from "../support/harness.ts";
import { type McpSession, mcpSession, problem, SEEDREAM, structured } from "../support/mcp-client.ts";

let mcp: McpSession;
it.beforeEach(({ h }) => {
  mcp = mcpSession(h);
});
it.afterEach(async () => {
  await mcp.close();
});

it("delete_job deletes a finished job, refuses an unfinished one, and sees only the caller's", async ({ h }) => {
  const client = await mcp.connect();
  const { job } = structured(await mcp.call(client, "create_job", { ...SEEDREAM, wait_seconds: 0 }));
  expect(problem(await mcp.call(client, "delete_job", { job_id: job.id }))).toMatchObject({
    code: "job_unfinished",
    status: 409,
  });
  await driveJob(h, job.id);
  const other = await mcp.connect(KEY_B);
  expect(problem(await mcp.call(other, "delete_job", { job_id: job.id }))).toMatchObject({ status: 404 });
  expect(structured(await mcp.call(client, "delete_job", { job_id: job.id }))).toEqual({
    job_id: job.id,
    deleted: true,
  });
  expect(problem(await mcp.call(client, "get_job", { job_id: job.id }))).toMatchObject({ status: 404 });
});
