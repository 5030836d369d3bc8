// Every documented operation answers (not "no such route", and only with documented statuses),
// through the built app and the worker entry; /docs is Swagger UI served from this origin.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, KEY_A } from "../../support/harness.ts";
import { doc, type Json, viaBuiltApp, viaWorker } from "./support.ts";

/** A concrete request for a documented operation: path parameters from their examples. */
function requestFor(path: string, method: string, op: Json): Request {
  let url = path;
  const query = new URLSearchParams();
  for (const p of op.parameters ?? []) {
    // a path parameter is percent-encoded, as OpenAPI clients send it (a model id's slashes stay in one segment)
    if (p.in === "path") url = url.replace(`{${p.name}}`, encodeURIComponent(String(p.example)));
    if (p.in === "query" && p.example !== undefined) query.set(p.name, String(p.example));
  }
  const headers: Record<string, string> = op.security?.length ? { Authorization: `Bearer ${KEY_A}` } : {};
  // an empty body (no fields) is invalid for every documented body, so nothing is created
  const type = Object.keys(op.requestBody?.content ?? {})[0];
  let body: BodyInit | undefined;
  if (type === "multipart/form-data")
    body = new FormData(); // fetch writes the Content-Type with its boundary
  else if (type) {
    headers["Content-Type"] = type;
    body = "{}";
  }
  return new Request(`${BASE}${url}${String(query) ? `?${query}` : ""}`, {
    method: method.toUpperCase(),
    headers,
    ...(body ? { body } : {}),
  });
}

describe.each([
  ["buildApp()", viaBuiltApp],
  ["the worker entry (exports.default)", viaWorker],
])("every documented route answers: %s", (_, fetcher) => {
  it("no documented operation is 'no such route', and /openapi.json and /docs are served", async () => {
    const missing = await fetcher(new Request(`${BASE}/no/such/route/${crypto.randomUUID()}`));
    const notFound = `${missing.status} ${await missing.text()}`.replace(/"requestId":"[^"]*"/, "");
    const d = doc();
    for (const [path, item] of Object.entries(d.paths as Json))
      for (const [method, op] of Object.entries(item as Json)) {
        const res = await fetcher(requestFor(path, method, op));
        const seen = `${res.status} ${await res.text()}`.replace(/"requestId":"[^"]*"/, "");
        expect(seen, `${method.toUpperCase()} ${path}`).not.toBe(notFound);
        expect(
          Object.keys(op.responses),
          `${method.toUpperCase()} ${path} answered an undocumented ${res.status}`,
        ).toContain(String(res.status));
      }
    expect(d.paths["/openapi.json"]).toBeDefined();
    const spec = await fetcher(new Request(`${BASE}/openapi.json`));
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as Json).openapi).toBe("3.1.1");
    expect((await fetcher(new Request(`${BASE}/docs`))).status).toBe(200);
  });
});

describe("GET /docs", () => {
  const assets = env.ASSETS;

  it("is Swagger UI loaded from this origin only, reading /openapi.json, under a CSP of 'self'", async () => {
    for (const fetcher of [viaBuiltApp, viaWorker]) {
      const res = await fetcher(new Request(`${BASE}/docs`));
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html).toMatch(/^<!doctype html>/i);
      // nothing on the page names another host, and no code or style is inline
      expect(html).not.toMatch(/https?:\/\/|\/\/[a-z0-9.-]+\.[a-z]{2,}\//i);
      expect(html).not.toMatch(/<style|\son\w+=|\sstyle=/i);
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attrs, body] of scripts)
        expect({ attrs, body: body!.trim() }).toEqual({
          attrs: expect.stringMatching(/\bsrc="\/docs\/[\w.-]+\.js"/),
          body: "",
        });
      const sheets = [...html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"/gi)].map((m) => m[1]!);
      expect(sheets.length).toBeGreaterThan(0);
      for (const link of html.match(/<link\b[^>]*>/gi) ?? [])
        expect(link).toMatch(/href="(\/docs\/[\w.-]+\.css|data:[^"]*)"/);

      // each script and stylesheet is a file of this deployment, served as what the page expects
      for (const [src, type] of [
        ...scripts.map(([, attrs]) => [/src="([^"]+)"/.exec(attrs!)![1]!, /javascript/] as const),
        ...sheets.map((h) => [h, /^text\/css/] as const),
      ]) {
        const file = await assets.fetch(new Request(`${BASE}${src}`));
        expect(file.status, src).toBe(200);
        expect(file.headers.get("Content-Type"), src).toMatch(type);
        expect((await file.text()).length, src).toBeGreaterThan(100);
      }
      // the bundle is Swagger UI's; the starter hands it this worker's document and no validator
      expect(await (await assets.fetch(new Request(`${BASE}/docs/swagger-ui-bundle.js`))).text()).toContain(
        "SwaggerUIBundle",
      );
      const init = scripts.find(([, attrs]) => /init\.js/.test(attrs!))![1]!;
      expect(init).toContain('data-openapi="/openapi.json"');
      const starter = await (await assets.fetch(new Request(`${BASE}/docs/init.js`))).text();
      expect(starter).toMatch(/url:\s*url\b/);
      expect(starter).toMatch(/getAttribute\("data-openapi"\)/);
      expect(starter).toMatch(/validatorUrl:\s*null/);

      const csp = res.headers.get("Content-Security-Policy")!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("style-src 'self';");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    }
  });
});
