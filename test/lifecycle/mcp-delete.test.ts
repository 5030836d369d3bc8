// MCP delete_job: a finished job is deleted (get_job then finds nothing); an unfinished one is
// the API's job_unfinished problem; another tenant's is not found.
import { afterEach, beforeEach, expect, it } from "vitest";
import { driveJob, KEY_B, startHarness, type Harness } from "../support/harness.ts";
import { mcpSession, problem, SEEDREAM, structured, type McpSession } from "../support/mcp-client.ts";

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

it("delete_job deletes a finished job, refuses an unfinished one, and sees only the caller's", async () => {
  const client = await mcp.connect();
  const { job } = structured(await mcp.call(client, "create_job", { ...SEEDREAM, wait_seconds: 0 }));
  expect(problem(await mcp.call(client, "delete_job", { job_id: job.id }))).toMatchObject({ code: "job_unfinished", status: 409 });
  await driveJob(h, job.id);
  const other = await mcp.connect(KEY_B);
  expect(problem(await mcp.call(other, "delete_job", { job_id: job.id }))).toMatchObject({ status: 404 });
  expect(structured(await mcp.call(client, "delete_job", { job_id: job.id }))).toEqual({ job_id: job.id, deleted: true });
  expect(problem(await mcp.call(client, "get_job", { job_id: job.id }))).toMatchObject({ status: 404 });
});
