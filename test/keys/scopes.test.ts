// Every scope on every route: the matrix is generated from the route table (/openapi.json's
// operations and their `x-scopes`), a key per scope is made through the API, and each key either
// gets past the scope check (any answer but 403 insufficient_scope) or is refused naming the scope.
// Also: routes that declare nothing get their method's default, keys cannot escalate, MCP tools
// follow the same scopes.

import { exports } from "cloudflare:workers";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { openapiDocument } from "../../src/http/app.ts";
import { authenticated } from "../../src/http/openapi/problems.ts";
import { registerRouteScopes, scopeOf } from "../../src/http/route-scopes.ts";
import { SCOPES } from "../../src/schemas/scopes.ts";
import { api, KEY_A, startHarness } from "../support/harness.ts";
import { mcpSession, problem } from "../support/mcp-client.ts";
import { type Json, type MadeKey, makeKey, requestFor } from "./support.ts";

const doc = () => JSON.parse(JSON.stringify(openapiDocument())) as Json;

/** [METHOD path, scope, operation] for every operation behind a tenant's key. */
function routeTable(): [string, string, string, Json][] {
  const out: [string, string, string, Json][] = [];
  for (const [path, item] of Object.entries(doc().paths as Json))
    for (const [method, op] of Object.entries(item as Json))
      if ((op.security as Json[] | undefined)?.some((s) => "bearerAuth" in s))
        out.push([method, path, op["x-scopes"]?.[0], op]);
  return out;
}

describe("the scope matrix, from the route table", () => {
  it("every tenant route declares exactly one known scope, and the contract's scopes are where docs/keys.md puts them", () => {
    const table = routeTable();
    expect(table.length).toBeGreaterThan(25);
    for (const [method, path, scope, op] of table) {
      expect(SCOPES, `${method} ${path}`).toContain(scope);
      expect(op["x-scopes"], `${method} ${path}`).toHaveLength(1);
      expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(["401", "403", "429"]));
    }
    const scope = (m: string, p: string) => table.find(([method, path]) => method === m && path === p)?.[2];
    expect(scope("get", "/v1/jobs")).toBe("read");
    expect(scope("post", "/v1/quotes")).toBe("read");
    expect(scope("post", "/v1/jobs")).toBe("jobs:write");
    expect(scope("post", "/v1/jobs/{id}/cancel")).toBe("jobs:write");
    expect(scope("post", "/v1/uploads")).toBe("jobs:write");
    expect(scope("post", "/v1/schedules")).toBe("schedules:write");
    expect(scope("patch", "/v1/schedules/{id}")).toBe("schedules:write");
    expect(scope("put", "/v1/budget")).toBe("budget:write");
    expect(scope("post", "/v1/keys")).toBe("keys:write");
    expect(scope("delete", "/v1/keys/{id}")).toBe("keys:write");
  });

  it("each key gets exactly the routes of its scope; the others answer 403 insufficient_scope naming the scope", async () => {
    const h = startHarness();
    try {
      const keys: Record<string, MadeKey> = {};
      for (const s of SCOPES) keys[s] = await makeKey([s]);
      let cells = 0;
      for (const [method, path, scope, op] of routeTable())
        for (const held of SCOPES) {
          const res = await exports.default.fetch(requestFor(path, method, op, keys[held]!.key));
          const text = await res.text();
          const refused = res.status === 403 && text.includes('"insufficient_scope"');
          const cell = `${held} key, ${method.toUpperCase()} ${path} (${res.status} ${text.slice(0, 200)})`;
          expect(refused, cell).toBe(held !== scope);
          if (refused) {
            const body = JSON.parse(text) as Json;
            expect(body.scope, cell).toBe(scope);
            expect(body.detail, cell).toContain(scope);
          }
          cells++;
        }
      // the matrix's size, for the issue note
      console.info(`scope matrix: ${cells} cells`);
    } finally {
      await h.stop();
    }
  });
});

describe("routes that declare no scope", () => {
  it("get their method's default: read for GET/HEAD, jobs:write for anything else, in the document and the check", () => {
    const app = new OpenAPIHono();
    const route = (method: "get" | "post" | "delete", path: string) =>
      createRoute({ method, path, ...authenticated, responses: { 200: { description: "ok" } } });
    for (const r of [
      route("get", "/v1/new-thing/{id}"),
      route("post", "/v1/new-thing"),
      route("delete", "/v1/new-thing/{id}"),
    ])
      app.openapi(r, (c) => c.json({}, 200));
    // biome-ignore lint/suspicious/noExplicitAny: a bare app stands in for the app's env types
    registerRouteScopes(app as any);
    expect(scopeOf("GET", "/v1/new-thing/:id")).toBe("read");
    expect(scopeOf("HEAD", "/v1/new-thing/:id")).toBe("read");
    expect(scopeOf("POST", "/v1/new-thing")).toBe("jobs:write");
    expect(scopeOf("DELETE", "/v1/new-thing/:id")).toBe("jobs:write");
    // a plain Hono route outside the registry, and no route at all
    expect(scopeOf("PUT", "/v1/never-declared")).toBe("jobs:write");
    expect(scopeOf("GET", undefined)).toBe("read");
    const paths = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } }).paths as Json;
    expect(paths["/v1/new-thing"].post["x-scopes"]).toEqual(["jobs:write"]);
    expect(paths["/v1/new-thing/{id}"].get["x-scopes"]).toEqual(["read"]);
  });
});

describe("escalation", () => {
  it("a key grants only scopes it has: a keys:write key cannot make a jobs:write key, a root key can make any", async () => {
    const keysOnly = await makeKey(["keys:write"]);
    const res = await api("/v1/keys", {
      key: keysOnly.key,
      json: { name: "more", scopes: ["keys:write", "jobs:write"] },
    });
    expect(res.status).toBe(403);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ code: "insufficient_scope", scope: "jobs:write" });
    // what it has, it may hand on
    expect((await api("/v1/keys", { key: keysOnly.key, json: { name: "same", scopes: ["keys:write"] } })).status).toBe(
      201,
    );
    // a read key cannot make keys at all
    const reader = await makeKey(["read"]);
    const refused = await api("/v1/keys", { key: reader.key, json: { name: "x", scopes: ["read"] } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as Json).scope).toBe("keys:write");
    expect((await makeKey([...SCOPES])).body.scopes).toEqual([...SCOPES]);
  });
});

describe("MCP tools honour scopes", () => {
  it("a read key lists and uses only read tools; create_job is refused with insufficient_scope", async () => {
    const h = startHarness();
    const mcp = mcpSession(h);
    try {
      const reader = await makeKey(["read"]);
      const client = await mcp.connect(reader.key);
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain("list_jobs");
      expect(names).not.toContain("create_job");
      expect(names).not.toContain("cancel_job");
      const refused = problem(
        await mcp.call(client, "create_job", { model: "weshop/seedream", params: { textDescription: "x" } }),
      );
      expect(refused.code).toBe("insufficient_scope");
      expect(refused.detail).toContain("jobs:write");
      expect((await mcp.call(client, "list_models", {})).isError).toBeFalsy();
      const root = await mcp.connect(KEY_A);
      expect((await root.listTools()).tools.map((t) => t.name)).toContain("create_job");
    } finally {
      await mcp.close();
      await h.stop();
    }
  });
});
