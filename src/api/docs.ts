// GET /docs: an interactive API reference that needs no network beyond this worker. One HTML page
// with a small inline renderer that reads /openapi.json; the CSP allows only 'self' and, by hash,
// this page's own script and style.
import { Hono } from "hono";
import type { AppEnv } from "./context.ts";

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#fff;--panel:#f6f8fa;--line:#d0d7de;--accent:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--panel:#161b22;--line:#30363d;--accent:#4493f8}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header,main,nav{max-width:64rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem}
h1{margin:0 0 .25rem;font-size:1.75rem}
h2{font-size:1.15rem;margin:0 0 .5rem;display:flex;gap:.5rem;flex-wrap:wrap;align-items:baseline}
h3{font-size:1rem;margin:1rem 0 .25rem}
a{color:var(--accent)}
code,pre,textarea,input,select{font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.6rem;overflow:auto;max-height:28rem;margin:.25rem 0}
.op{border:1px solid var(--line);border-radius:8px;padding:1rem;margin:1rem 0}
.method{font-weight:700;border-radius:4px;padding:0 .4rem;color:#fff;background:#6e7781}
.m-get{background:#1a7f37}.m-post{background:#0969da}.m-delete{background:#cf222e}.m-patch,.m-put{background:#9a6700}
.muted,.note{color:var(--muted)}
.req{color:#cf222e;font-size:.85em}
ul.props{list-style:none;padding-left:1rem;margin:.25rem 0;border-left:2px solid var(--line)}
ul.props li{margin:.2rem 0}
details>summary{cursor:pointer}
details{margin:.35rem 0}
label{display:block;margin:.5rem 0 .15rem;font-weight:600}
input,select,textarea{width:100%;padding:.4rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
button{margin-top:.6rem;padding:.45rem 1rem;border:0;border-radius:6px;background:var(--accent);color:#fff;font-weight:600;cursor:pointer}
button:disabled{opacity:.6}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.s2{color:#1a7f37}.s4,.s5{color:#cf222e}.s3{color:#9a6700}
nav ul{columns:2;padding-left:1.2rem}
`;

const SCRIPT = String.raw`
"use strict";
var doc, keyInput = document.getElementById("key");
function h(tag, attrs) {
  var el = document.createElement(tag), kids = Array.prototype.slice.call(arguments, 2).flat(Infinity);
  Object.entries(attrs || {}).forEach(function (kv) { if (kv[1] != null && kv[1] !== false) el.setAttribute(kv[0], kv[1] === true ? "" : kv[1]); });
  kids.forEach(function (k) { if (k != null && k !== false && k !== "") el.append(k instanceof Node ? k : String(k)); });
  return el;
}
var TICK = String.fromCharCode(96);
function md(text) { return String(text || "").split(TICK).map(function (part, i) { return i % 2 ? h("code", null, part) : part; }); }
function resolve(s) {
  for (var n = 0; s && s.$ref && n < 20; n++)
    s = s.$ref.split("/").slice(1).reduce(function (o, k) { return o && o[decodeURIComponent(k).replace(/~1/g, "/").replace(/~0/g, "~")]; }, doc);
  return s || {};
}
function refName(s) { return s && s.$ref ? s.$ref.split("/").pop() : null; }
function typeOf(s0) {
  if (refName(s0)) return refName(s0);
  var s = resolve(s0);
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map(function (v) { return JSON.stringify(v); }).join(" | ");
  var alts = s.oneOf || s.anyOf;
  if (alts) return alts.map(typeOf).join(" | ");
  if (s.type === "array") { var item = typeOf(s.items || {}); return (/ \| /.test(item) ? "(" + item + ")" : item) + "[]"; }
  return [].concat(s.type || "any").join(" | ");
}
var FACTS = ["format", "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "maxProperties", "uniqueItems", "default"];
function facts(s) {
  var list = FACTS.filter(function (k) { return s[k] !== undefined && !(k === "maximum" && s[k] === 9007199254740991); });
  return list.length ? " (" + list.map(function (k) { return k + ": " + (k === "pattern" ? s[k] : JSON.stringify(s[k])); }).join(", ") + ")" : "";
}
function expandable(s) { s = resolve(s); return !!(s.properties || s.oneOf || (s.type === "array" && s.items && resolve(s.items).properties)); }
function prop(name, p, required, depth) {
  var r = resolve(p);
  var head = [h("code", null, name), " ", h("span", { class: "muted" }, typeOf(p)), required && h("span", { class: "req" }, " required"),
    r.description && [" — ", md(r.description)], h("span", { class: "muted" }, facts(r))];
  if (depth < 6 && expandable(p)) return h("li", null, h("details", null, h("summary", null, head), schemaView(p, depth + 1)));
  return h("li", null, head);
}
function schemaView(s0, depth) {
  var s = resolve(s0), box = h("div");
  if (s.description && !depth) box.append(h("p", null, md(s.description)));
  if (s.oneOf || (s.anyOf && s.anyOf.some(expandable))) {
    box.append(h("p", null, "One of:"), h("ul", { class: "props" }, (s.oneOf || s.anyOf).map(function (a) {
      return h("li", null, h("details", null, h("summary", null, resolve(a).title || typeOf(a)), schemaView(a, depth + 1)));
    })));
  } else if (s.properties) {
    var req = s.required || [];
    box.append(h("ul", { class: "props" }, Object.keys(s.properties).map(function (k) { return prop(k, s.properties[k], req.indexOf(k) >= 0, depth); })));
    if (s.additionalProperties === false) box.append(h("p", { class: "note" }, "No other fields."));
  } else if (s.type === "array" && s.items) {
    box.append(h("p", null, "Array of ", h("code", null, typeOf(s.items))), schemaView(s.items, depth + 1));
  } else box.append(h("p", null, h("code", null, typeOf(s0)), h("span", { class: "muted" }, facts(s))));
  var rules = (s.allOf || []).map(rule).concat(Object.keys(s.dependentRequired || {}).map(function (k) { return [h("code", null, k), " needs ", s.dependentRequired[k].map(function (n) { return h("code", null, n); })]; }));
  if (rules.length) box.append(h("p", null, "Rules between fields:"), h("ul", null, rules.map(function (r) { return h("li", null, r); })));
  return box;
}
function rule(r) {
  if (!r.if || !r.then || !r.if.properties || !r.then.properties) return h("code", null, JSON.stringify(r));
  var when = Object.keys(r.if.properties).map(function (k) { return [h("code", null, k), " is ", JSON.stringify(r.if.properties[k].const), (r.if.required || []).indexOf(k) < 0 ? " or absent" : ""]; });
  var then = Object.keys(r.then.properties).map(function (k) {
    var c = r.then.properties[k];
    return [h("code", null, k), c.not && c.not.enum ? " must not be " + c.not.enum.map(function (v) { return JSON.stringify(v); }).join(" or ") : facts(c)];
  });
  return ["When ", when, ": ", then.map(function (t, i) { return [i ? "; " : "", t]; })];
}
function examplesView(media) {
  var ex = media.examples || {};
  return Object.keys(ex).map(function (k) { return h("details", null, h("summary", null, "Example: " + (ex[k].summary || k)), h("pre", null, JSON.stringify(ex[k].value, null, 2))); });
}
function bodyMedia(op) {
  var content = (op.requestBody && op.requestBody.content) || {}, type = Object.keys(content)[0];
  return type ? { type: type, media: content[type] } : null;
}
function isFile(s) { s = resolve(s); return s.type === "string" && (s.format === "binary" || s.contentMediaType !== undefined); }
function tryIt(path, method, op) {
  var id = op.operationId, fields = [], form = h("form", { "aria-label": "Try " + op.summary }), body = null, parts = null, sent = bodyMedia(op);
  (op.parameters || []).forEach(function (p) {
    // headers such as Idempotency-Key or Prefer change what a request does: suggested, not sent by default
    var input = h("input", { id: id + "-" + p.name, name: p.name, autocomplete: "off", placeholder: p.example != null ? p.example : null });
    input.value = p.example != null && p.in !== "header" ? p.example : "";
    fields.push([p, input]);
    form.append(h("label", { for: input.id }, p.name + " ", h("span", { class: "muted" }, "(" + p.in + (p.required ? ", required" : "") + ")")), input);
  });
  if (sent && sent.type === "multipart/form-data") {
    // one input per part; the browser writes the multipart body and its boundary
    var schema = resolve(sent.media.schema), props = schema.properties || {}, required = schema.required || [];
    parts = Object.keys(props).map(function (name) {
      var file = isFile(props[name]), input = h("input", { id: id + "-part-" + name, name: name, type: file ? "file" : "text", autocomplete: "off" });
      var accept = ((sent.media.encoding || {})[name] || {}).contentType;
      if (file && accept) input.setAttribute("accept", accept.split(/\s*,\s*/).join(","));
      form.append(h("label", { for: input.id }, name + " ", h("span", { class: "muted" }, "(" + (file ? "file" : "form field") + (required.indexOf(name) >= 0 ? ", required" : "") + ")")), input);
      return [name, input, file];
    });
  } else if (sent) {
    var ex = sent.media.examples || {}, names = Object.keys(ex);
    body = h("textarea", { id: id + "-body", rows: 12, spellcheck: "false" });
    body.value = names.length ? JSON.stringify(ex[names[0]].value, null, 2) : "{}";
    if (names.length > 1) {
      var sel = h("select", { id: id + "-example" }, names.map(function (n) { return h("option", { value: n }, ex[n].summary || n); }));
      sel.addEventListener("change", function () { body.value = JSON.stringify(ex[sel.value].value, null, 2); });
      form.append(h("label", { for: sel.id }, "Example"), sel);
    }
    form.append(h("label", { for: body.id }, "Body (JSON)"), body);
  }
  var button = h("button", { type: "submit" }, "Send " + method.toUpperCase() + " " + path), out = h("div", { role: "status", "aria-live": "polite" });
  form.append(button, out);
  form.addEventListener("submit", async function (e) {
    e.preventDefault();
    var url = path, query = new URLSearchParams(), headers = {};
    fields.forEach(function (f) {
      var p = f[0], v = f[1].value;
      if (p.in === "path") url = url.replace("{" + p.name + "}", v.split("/").map(encodeURIComponent).join("/"));
      else if (v && p.in === "query") query.set(p.name, v);
      else if (v && p.in === "header") headers[p.name] = v;
    });
    if (String(query)) url += "?" + query;
    if (op.security && keyInput.value) headers.Authorization = "Bearer " + keyInput.value;
    var payload;
    if (body) { headers["Content-Type"] = sent.type; payload = body.value; }
    if (parts) {
      payload = new FormData();
      parts.forEach(function (part) {
        if (part[2]) Array.prototype.forEach.call(part[1].files, function (f) { payload.append(part[0], f, f.name); });
        else if (part[1].value) payload.append(part[0], part[1].value);
      });
    }
    button.disabled = true;
    out.replaceChildren("Sending…");
    try {
      var res = await fetch(url, { method: method.toUpperCase(), headers: headers, body: payload });
      var type = res.headers.get("Content-Type") || "", text;
      if (/json/.test(type)) { text = await res.text(); try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (_) {} }
      else if (/^text\//.test(type)) text = await res.text();
      else text = (await res.arrayBuffer()).byteLength + " bytes" + (type ? " of " + type : "");
      out.replaceChildren(h("p", { class: "s" + String(res.status)[0] }, h("strong", null, res.status + " " + res.statusText)),
        h("pre", { "aria-label": "Response headers" }, Array.from(res.headers).map(function (kv) { return kv[0] + ": " + kv[1]; }).join("\n")),
        h("pre", { "aria-label": "Response body" }, text));
    } catch (err) { out.replaceChildren("Request failed: " + err.message); }
    button.disabled = false;
  });
  return h("details", null, h("summary", null, h("strong", null, "Try it")), form);
}
function operation(path, method, op, live) {
  var id = op.operationId || method + path, sec = h("section", { class: "op", id: id, "aria-labelledby": id + "-h" });
  sec.append(h("h2", { id: id + "-h" }, h("span", { class: "method m-" + method }, method.toUpperCase()), h("code", null, path), h("span", null, op.summary)));
  if (op.description) sec.append(h("p", null, md(op.description)));
  if (op.security) sec.append(h("p", { class: "note" }, "Needs ", h("code", null, "Authorization: Bearer <API key>"), "."));
  if (op.parameters) sec.append(h("h3", null, "Parameters"), h("ul", { class: "props" }, op.parameters.map(function (p) {
    return h("li", null, h("code", null, p.name), " ", h("span", { class: "muted" }, p.in + ", " + typeOf(p.schema)), p.required && h("span", { class: "req" }, " required"), " — ", md(p.description), h("span", { class: "muted" }, facts(p.schema)));
  })));
  var sent = bodyMedia(op);
  if (sent) {
    var media = sent.media, encoding = media.encoding || {};
    sec.append(h("h3", null, "Request body"), h("p", { class: "muted" }, sent.type), op.requestBody.description && h("p", null, md(op.requestBody.description)),
      h("details", null, h("summary", null, "Schema: " + typeOf(media.schema)), schemaView(media.schema, 0)),
      Object.keys(encoding).map(function (k) { return h("p", null, "Part ", h("code", null, k), ": ", encoding[k].contentType); }), ...examplesView(media));
  }
  sec.append(h("h3", null, "Responses"));
  Object.keys(op.responses).forEach(function (status) {
    var r = op.responses[status], content = r.content || {};
    sec.append(h("details", null, h("summary", null, h("strong", { class: "s" + status[0] }, status), " ", md(r.description)),
      Object.keys(content).map(function (type) { return [h("p", { class: "muted" }, type), content[type].schema && schemaView(content[type].schema, 0), examplesView(content[type])]; })));
  });
  if (live) sec.append(tryIt(path, method, op));
  return sec;
}
async function main() {
  var root = document.getElementById("ops"), toc = document.getElementById("toc");
  try {
    var res = await fetch("/openapi.json");
    if (!res.ok) throw new Error("HTTP " + res.status);
    doc = await res.json();
  } catch (err) { root.replaceChildren(h("p", { role: "alert" }, "Could not load /openapi.json: " + err.message)); return; }
  document.getElementById("summary").replaceChildren(...md(doc.info.description || doc.info.summary));
  var nodes = [];
  Object.keys(doc.paths).forEach(function (path) {
    Object.keys(doc.paths[path]).forEach(function (method) {
      var op = doc.paths[path][method];
      nodes.push(operation(path, method, op, true));
      toc.append(h("li", null, h("a", { href: "#" + op.operationId }, method.toUpperCase() + " " + path), " ", h("span", { class: "muted" }, op.summary)));
    });
  });
  Object.keys(doc.webhooks || {}).forEach(function (name) {
    Object.keys(doc.webhooks[name]).forEach(function (method) { nodes.push(operation("webhook: " + name, method, doc.webhooks[name][method], false)); });
  });
  var schemas = doc.components.schemas;
  nodes.push(h("section", { class: "op", "aria-labelledby": "schemas-h" }, h("h2", { id: "schemas-h" }, "Schemas"), Object.keys(schemas).map(function (k) {
    return h("details", { id: "schema-" + k }, h("summary", null, h("code", null, k)), schemaView(schemas[k], 0), h("details", null, h("summary", null, "JSON Schema"), h("pre", null, JSON.stringify(schemas[k], null, 2))));
  })));
  root.replaceChildren.apply(root, nodes);
}
main();
`;

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>seedrun API reference</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>seedrun API reference</h1>
<p id="summary" class="muted">Generated from <a href="/openapi.json">/openapi.json</a>.</p>
<label for="key">API key <span class="muted">(used by “Try it” on /v1 routes; kept in this page only)</span></label>
<input id="key" type="password" autocomplete="off" placeholder="Bearer token">
</header>
<nav aria-label="Routes"><ul id="toc"></ul></nav>
<main id="ops"><p>Loading <a href="/openapi.json">/openapi.json</a>…</p>
<noscript><p>This page needs JavaScript; the raw description is at <a href="/openapi.json">/openapi.json</a>.</p></noscript></main>
<script>${SCRIPT}</script>
</body>
</html>
`;

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return `'sha256-${btoa(String.fromCharCode(...digest))}'`;
}

let csp: Promise<string> | undefined;

/** Only this worker, and only this page's own inline script and style (by hash). */
export function docsPolicy(): Promise<string> {
  csp ??= Promise.all([sha256(SCRIPT), sha256(STYLE)]).then(
    ([script, style]) =>
      `default-src 'none'; script-src ${script}; style-src ${style}; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
  return csp;
}

export const docsRoutes = new Hono<AppEnv>().get("/docs", async (c) =>
  c.html(HTML, 200, {
    "Content-Security-Policy": await docsPolicy(),
    "Cache-Control": "public, max-age=300",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
  }),
);
