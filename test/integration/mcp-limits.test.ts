// /mcp with raw JSON-RPC, as a careless or hostile client sends it: `arguments` that are not an
// object get the documented isError problem (not -32603 with a zod dump), and a batch is capped
// so a few KB cannot ask for megabytes of answer.
import { exports } from "cloudflare:workers";
import { describe, expect } from "vitest";
import { MAX_BATCH_MESSAGES } from "../../src/mcp/incoming.ts";
import { it } from "../support/fixture.ts";
import { BASE, KEY_A } from "../support/harness.ts";

const post = (body: unknown, accept = "application/json, text/event-stream") =>
  exports.default.fetch(
    new Request(`${BASE}/mcp`, {
      method: "POST",
      headers: { Authorization: `Bearer ${KEY_A}`, "Content-Type": "application/json", Accept: accept },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );

type RpcAnswer = {
  id: number | string | null;
  result?: { isError?: boolean; content: { type: string; text: string }[]; tools?: unknown[] };
  error?: { code: number; message: string };
};

/** The JSON-RPC messages of an SSE answer. */
async function answers(res: Response): Promise<RpcAnswer[]> {
  const text = await res.text();
  return text
    .split("\n")
    .filter((line) => line.startsWith("data: ") && line.length > 6)
    .map((line) => JSON.parse(line.slice(6)) as RpcAnswer);
}

const call = (id: number, args: unknown) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "get_job", arguments: args },
});

describe("/mcp tools/call with arguments that are not an object", () => {
  it.each([
    ["an array", ["job_0123456789abcdefghij"]],
    ["a string", "job_0123456789abcdefghij"],
    ["null", null],
    ["a number", 7],
  ])("%s: the isError validation problem naming `arguments`", async (what, args) => {
    const res = await post(call(1, args));
    expect(res.status).toBe(200);
    const [answer] = await answers(res);
    expect(answer!.error).toBeUndefined();
    expect(answer!.result!.isError).toBe(true);
    const problem = JSON.parse(answer!.result!.content.at(-1)!.text);
    expect(problem).toMatchObject({
      code: "validation_failed",
      status: 400,
      errors: [{ path: "arguments", message: expect.stringContaining(what) }],
    });
    expect(answer!.result!.content[0]!.text).not.toMatch(/zod|invalid_type|"expected"/i);
  });

  it("in a batch, only the bad call is refused; the others are answered as usual", async ({ h }) => {
    const res = await post([
      call(1, []),
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "list_models", arguments: {} } },
      call(3, { job_id: 7 }),
    ]);
    const byId = new Map((await answers(res)).map((a) => [a.id, a]));
    expect(JSON.parse(byId.get(1)!.result!.content.at(-1)!.text).errors).toEqual([
      { path: "arguments", message: expect.any(String) },
    ]);
    expect(byId.get(2)!.result!.isError).toBeFalsy();
    expect(JSON.parse(byId.get(3)!.result!.content.at(-1)!.text).errors).toEqual([
      { path: "job_id", message: "must be a job id" },
    ]);
    expect(h.sim.requests).toEqual([]);
  });
});

describe("/mcp JSON-RPC batches", () => {
  const list = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ jsonrpc: "2.0", id: i + 1, method: "tools/list" }));

  it(`refuses a batch of more than ${MAX_BATCH_MESSAGES} messages with one small JSON-RPC error`, async () => {
    const body = JSON.stringify(list(100));
    expect(body.length).toBeLessThan(6_000);
    const res = await post(body);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(500);
    expect(JSON.parse(text)).toMatchObject({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: expect.stringContaining(`${MAX_BATCH_MESSAGES} messages`) },
    });
  });

  it(`answers a batch of ${MAX_BATCH_MESSAGES} tools/list in well under 1 MB`, async () => {
    const res = await post(list(MAX_BATCH_MESSAGES));
    expect(res.status).toBe(200);
    const text = await res.clone().text();
    expect(text.length).toBeLessThan(1024 * 1024);
    const got = await answers(res);
    expect(got.map((a) => a.id).sort((a, b) => Number(a) - Number(b))).toEqual(
      list(MAX_BATCH_MESSAGES).map((m) => m.id),
    );
    expect(got.every((a) => (a.result?.tools?.length ?? 0) > 0)).toBe(true);
  });

  it("leaves the transport's own refusals as they were: wrong Accept is 406, bad JSON 400", async () => {
    expect((await post(list(100), "application/json")).status).toBe(406);
    const bad = await post("{");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as RpcAnswer).error!.code).toBe(-32700);
  });
});
