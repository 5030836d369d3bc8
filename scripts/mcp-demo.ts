// `npm run mcp:demo`: drives a running seedrun (`npm start`, or a deployed worker) through /mcp the
// way an agent would, with the official SDK's client. It lists the tools, then for each model
// creates a job with an idempotency_key, retries that create to show it is the same job, follows
// nextAction with wait_for_job until the job ends, and downloads every resource_link without the
// API key.
//   MCP_URL (default http://127.0.0.1:8787/mcp), SEEDRUN_API_KEY (default dev-key)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

const url = new URL(process.env.MCP_URL ?? "http://127.0.0.1:8787/mcp");
const key = process.env.SEEDRUN_API_KEY ?? "dev-key";

const JOBS = [
  { model: "weshop/seedream", params: { textDescription: "a lighthouse at dawn", batchCount: 2 } },
  {
    model: "weshop/seedance",
    params: { textDescription: "a paper boat drifts", images: ["https://images.example.com/boat.png"] },
  },
  { model: "weshop/seedance-25", params: { textDescription: "a kite over a beach" } },
  { model: "wiro/ByteDance/text-to-video-seedance-v1", params: { prompt: "a bicycle at dusk" } },
];

interface JobResult {
  job: { id: string; status: string; error?: { code: string; message: string } };
  nextAction?: { tool: string; arguments: Record<string, unknown> };
}

const client = new Client({ name: "seedrun-mcp-demo", version: "1.0.0" });
await client.connect(
  new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${key}` } } }),
);
const { tools } = await client.listTools();
console.log(`${url}: ${tools.length} tools: ${tools.map((t) => t.name).join(", ")}`);

async function call(
  name: string,
  args: Record<string, unknown>,
  label: string,
): Promise<CallToolResult & { structuredContent: JobResult }> {
  const result = (await client.callTool({ name, arguments: args }, undefined, {
    onprogress: (p) => console.log(`  [${label}] ${p.message}`),
    timeout: 60_000,
  })) as CallToolResult;
  if (result.isError)
    throw new Error(`${name} failed: ${result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n")}`);
  return result as CallToolResult & { structuredContent: JobResult };
}

let failures = 0;
await Promise.all(
  JOBS.map(async (spec) => {
    const label = spec.model;
    try {
      const args = { ...spec, idempotency_key: `mcp-demo-${spec.model}-${Date.now()}`, wait_seconds: 5 };
      let result = await call("create_job", args, label);
      const again = await call("create_job", { ...args, wait_seconds: 0 }, label);
      console.log(
        `  [${label}] retried create_job with the same idempotency_key: ${again.structuredContent.job.id === result.structuredContent.job.id ? "same job ✓" : "ANOTHER JOB ✗"}`,
      );
      let calls = 1;
      while (result.structuredContent.nextAction) {
        const next = result.structuredContent.nextAction;
        result = await call(next.tool, { ...next.arguments, wait_seconds: 40 }, label);
        calls++;
      }
      const { job } = result.structuredContent;
      console.log(
        `${label}: ${job.id} ${job.status} after ${calls} call(s)${job.error ? ` (${job.error.code}: ${job.error.message})` : ""}`,
      );
      for (const link of result.content) {
        if (link.type !== "resource_link") continue;
        const res = await fetch(link.uri);
        const bytes = (await res.arrayBuffer()).byteLength;
        const ok = res.status === 200 && res.headers.get("content-type") === link.mimeType && bytes > 0;
        console.log(
          `  ${link.name} (${link.mimeType}): HTTP ${res.status}, ${bytes} bytes without the API key ${ok ? "✓" : "✗"}`,
        );
        if (!ok) failures++;
      }
      if (job.status !== "succeeded") failures++;
    } catch (err) {
      failures++;
      console.error(`${label}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }),
);
await client.close();
process.exit(failures === 0 ? 0 : 1);
