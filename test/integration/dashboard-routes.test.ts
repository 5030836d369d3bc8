// What the dashboard reads besides jobs: the model catalogue with each model's params schema
// (GET /v1/models, /v1/models/{id}), the key's batches (GET /v1/batches), and the page itself
// (GET /dashboard) under a CSP that keeps everything on this origin.
import { env, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect } from "vitest";
import { openapiDocument } from "../../src/http/app.ts";
import { MODEL_IDS } from "../../src/providers/models.ts";
import { it } from "../support/fixture.ts";
import { api, BASE, KEY_B } from "../support/harness.ts";

type Json = Record<string, unknown>;

describe("GET /v1/models", () => {
  it("lists every model, and gives each one's params as the JSON Schema the OpenAPI document has", async () => {
    const list = (await (await api("/v1/models")).json()) as { data: Json[] };
    expect(list.data.map((m) => m.id)).toEqual(MODEL_IDS);
    expect(list.data.find((m) => m.id === "weshop/seedream")).toEqual({
      id: "weshop/seedream",
      provider: "weshop",
      kind: "image",
      agent: "seedream",
    });
    const components = (openapiDocument().components as { schemas: Record<string, Json> }).schemas;
    for (const id of MODEL_IDS) {
      const res = await api(`/v1/models/${encodeURIComponent(id)}`);
      expect(res.status, id).toBe(200);
      const model = (await res.json()) as Json & { paramsSchema: Json };
      const { $schema, ...schema } = model.paramsSchema;
      expect($schema).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(schema).toEqual(components[`Params.${id.replace(/[^A-Za-z0-9._-]+/g, ".")}`]);
    }
    const seedream = (await (await api("/v1/models/weshop%2Fseedream")).json()) as {
      paramsSchema: { required: string[]; properties: Json };
    };
    expect(seedream.paramsSchema.required).toEqual(["textDescription"]);
    expect(Object.keys(seedream.paramsSchema.properties)).toContain("imageSize");
  });

  it("answers 404 for an unknown model and 401 without a key", async () => {
    const unknown = await api("/v1/models/weshop%2Fnope");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: "not_found", detail: "Model weshop/nope was not found." });
    // unencoded, the id's slashes are path segments: no such route
    expect((await api("/v1/models/weshop/seedream")).status).toBe(404);
    expect((await api("/v1/models", { key: null })).status).toBe(401);
  });
});

describe("GET /v1/batches", () => {
  async function batch(n: number, key?: string): Promise<string> {
    const jobs = Array.from({ length: n }, (_, i) => ({
      model: "weshop/seedream",
      params: { textDescription: `image ${i}` },
    }));
    const res = await api("/v1/batches", { json: { jobs }, key });
    const id = ((await res.json()) as { id: string }).id;
    // the first fan-out creates the jobs that list the batch
    await runInDurableObject(env.BATCHES.get(env.BATCHES.idFromName(id)), async (instance, state) => {
      await state.storage.deleteAlarm();
      await (instance as unknown as { alarm(): Promise<void> }).alarm();
    });
    return id;
  }

  it("lists the key's batches newest first, a page at a time, each with its counts; another key sees none", async () => {
    const first = await batch(2);
    await new Promise((r) => setTimeout(r, 5));
    const second = await batch(1);
    const page1 = (await (await api("/v1/batches?limit=1")).json()) as { data: Json[]; nextCursor: string | null };
    expect(page1.data.map((b) => b.id)).toEqual([second]);
    expect(page1.data[0]).toMatchObject({ total: 1, status: "running" });
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = (await (await api(`/v1/batches?limit=1&cursor=${page1.nextCursor}`)).json()) as {
      data: Json[];
      nextCursor: string | null;
    };
    expect(page2.data.map((b) => b.id)).toEqual([first]);
    expect(page2.data[0]).toMatchObject({ total: 2 });
    expect(page2.nextCursor).toBeNull();
    expect(((await (await api("/v1/batches", { key: KEY_B })).json()) as { data: Json[] }).data).toEqual([]);
  });

  it("names a bad limit and a foreign cursor by path", async () => {
    const res = await api("/v1/batches?limit=0&cursor=nope");
    expect(res.status).toBe(400);
    const paths = ((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path);
    expect(paths).toEqual(["limit"]);
    const cursor = await api("/v1/batches?cursor=bm9wZQ");
    expect(((await cursor.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(["cursor"]);
  });
});

describe("GET /dashboard", () => {
  it("is the page with its modules and styles from this origin only, under a CSP of 'self'", async () => {
    const res = await exports.default.fetch(new Request(`${BASE}/dashboard`));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\/|\/\/[a-z0-9.-]+\.[a-z]{2,}\//i);
    expect(html).not.toMatch(/<style|\son\w+=|\sstyle=/i);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.map(([, attrs, body]) => ({ attrs, body: body!.trim() }))).toEqual([
      { attrs: ' type="module" src="/dashboard/app.js"', body: "" },
    ]);
    // the modules the page imports, one level at a time, are all files of this deployment
    const seen = new Set<string>();
    const queue = ["/dashboard/app.js"];
    while (queue.length) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const file = await env.ASSETS.fetch(new Request(`${BASE}${path}`));
      expect(file.status, path).toBe(200);
      expect(file.headers.get("Content-Type"), path).toMatch(/javascript/);
      const text = await file.text();
      expect(text, path).not.toMatch(/\bimport\s*\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
      for (const m of text.matchAll(/^import\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/gm))
        queue.push(new URL(m[1]!, `${BASE}${path}`).pathname);
    }
    expect(seen.size).toBeGreaterThan(8);
    // the page preloads exactly the modules app.js pulls in, so none waits for its importer
    const preloads = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]!);
    expect(preloads.sort()).toEqual([...seen].filter((p) => p !== "/dashboard/app.js").sort());
    expect((await env.ASSETS.fetch(new Request(`${BASE}/dashboard/style.css`))).headers.get("Content-Type")).toMatch(
      /^text\/css/,
    );

    const csp = res.headers.get("Content-Security-Policy")!;
    for (const part of [
      "default-src 'self'",
      "script-src 'self';",
      "style-src 'self';",
      "connect-src 'self';",
      "frame-ancestors 'none'",
    ])
      expect(csp).toContain(part);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });
});
