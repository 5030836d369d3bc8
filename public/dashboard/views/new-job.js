// A new job, from a form built out of the model's params JSON Schema (GET /v1/models/{id}, the
// same schema the API validates with). The browser checks nothing itself (novalidate): the API
// decides, and each of its problem+json errors is shown at the field its path names.
import { ApiProblem, api } from "../api.js";
import { problemBox } from "../components.js";
import { announce, fill, h } from "../dom.js";
import { uploader, words } from "./form-fields.js";

/** Fields that take image URLs: an uploaded image (POST /v1/uploads) can fill them. */
const IMAGE_FIELDS = new Set(["images", "firstFrame", "lastFrame"]);
const LONG_TEXT = 4000;

export async function newJobView(main, { query, signal, modelList }) {
  const models = await modelList();
  const chosen = models.some((m) => m.id === query.get("model")) ? query.get("model") : models[0].id;
  const picker = h(
    "select",
    { id: "model", name: "model" },
    models.map((m) => h("option", { value: m.id, text: `${m.id} (${m.kind})`, selected: m.id === chosen })),
  );
  const formHost = h("div");
  fill(
    main,
    h("h1", { tabindex: "-1", text: "New job" }),
    h("p", { class: "field" }, h("label", { for: "model", text: "Model" }), picker),
    formHost,
  );
  const show = async (id) => {
    const model = await api(`/v1/models/${encodeURIComponent(id)}`, { signal });
    // a model picked while this one's schema was loading wins, whichever answer comes last
    if (picker.value !== id) return;
    fill(formHost, jobForm(model, signal));
  };
  picker.addEventListener("change", () => {
    history.replaceState(null, "", `#/new?model=${encodeURIComponent(picker.value)}`);
    show(picker.value);
  });
  await show(chosen);
}

/** One input per property; `read` turns its value back into JSON, or undefined when left empty. */
function control(name, schema, required) {
  const id = `f-${name}`;
  const describedBy = `${id}-help ${id}-error`;
  const common = { id, name, "aria-describedby": describedBy, "aria-required": required ? "true" : undefined };
  const values = enumValues(schema);
  let input;
  let read;
  if (schema.type === "array" && schema.items?.enum) {
    const boxes = schema.items.enum.map((v) =>
      h("label", { class: "check" }, h("input", { type: "checkbox", value: v, name }), ` ${v}`),
    );
    input = h(
      "fieldset",
      { id, class: "checks", "aria-describedby": describedBy },
      h("legend", { class: "sr-only", text: name }),
      boxes,
    );
    read = () => {
      const picked = [...input.querySelectorAll("input:checked")].map((b) => b.value);
      return picked.length ? picked : undefined;
    };
  } else if (schema.type === "array") {
    input = h("textarea", { ...common, rows: "2", placeholder: "one URL per line", spellcheck: "false" });
    read = () => {
      const lines = input.value
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
      return lines.length ? lines : undefined;
    };
  } else if (values) {
    const fallback = schema.default !== undefined ? `default (${String(schema.default)})` : "not set";
    input = h(
      "select",
      common,
      h("option", { value: "", text: fallback }),
      values.map((v) => h("option", { value: JSON.stringify(v), text: String(v) })),
    );
    read = () => (input.value === "" ? undefined : JSON.parse(input.value));
  } else if (schema.type === "boolean") {
    input = h(
      "select",
      common,
      h("option", { value: "", text: "default" }),
      h("option", { value: "true", text: "true" }),
      h("option", { value: "false", text: "false" }),
    );
    read = () => (input.value === "" ? undefined : input.value === "true");
  } else if (schema.type === "integer" || schema.type === "number") {
    input = h("input", {
      ...common,
      type: "number",
      inputmode: "numeric",
      min: schema.minimum,
      max: schema.maximum,
      step: schema.type === "integer" ? "1" : "any",
      placeholder: schema.default !== undefined ? String(schema.default) : "",
    });
    read = () => (input.value.trim() === "" ? undefined : Number(input.value));
  } else {
    const long = (schema.maxLength ?? 0) >= LONG_TEXT;
    input = long
      ? h("textarea", { ...common, rows: "3" })
      : h("input", { ...common, type: "text", spellcheck: "false" });
    read = () => (input.value.trim() === "" ? undefined : input.value);
  }
  return { input, read };
}

/** Enumerated values, also from an anyOf of enums (Wiro's duration takes "5" or 5: one choice each). */
function enumValues(schema) {
  if (schema.enum) return schema.enum;
  if (!Array.isArray(schema.anyOf)) return undefined;
  const all = [];
  for (const branch of schema.anyOf) {
    const vs = branch.enum ?? (branch.type === "boolean" ? [true, false] : null);
    if (!vs) return undefined;
    for (const v of vs) if (!all.some((x) => String(x) === String(v))) all.push(v);
  }
  return all;
}

function jobForm(model, signal) {
  const schema = model.paramsSchema;
  const required = new Set(schema.required ?? []);
  const fields = new Map();
  const summary = h("div", { class: "summary", tabindex: "-1" });
  const hints = [];
  const rows = Object.entries(schema.properties ?? {}).map(([name, prop]) => {
    const { input, read } = control(name, prop, required.has(name));
    const error = h("p", { id: `f-${name}-error`, class: "error field-error" });
    fields.set(`params.${name}`, { input, read, error, name });
    const upload = IMAGE_FIELDS.has(name) ? uploader(input, prop.type === "array", signal) : null;
    const help = h("p", { id: `f-${name}-help`, class: "help", text: prop.description ?? "" });
    const row = h(
      "div",
      { class: "field", "data-field": name },
      // the label is in words; the API's own name follows as a hint (both are in the accessible name)
      h(
        "label",
        { for: `f-${name}` },
        words(name),
        required.has(name) ? h("span", { class: "req", title: "required", text: " *" }) : null,
        " ",
        h("code", { class: "api-name", text: name }),
      ),
      input,
      upload,
      help,
      error,
    );
    hints.push({ name, row, help, text: prop.description ?? "" });
    return row;
  });
  const variants = schema.properties?.modelName?.enum;
  if (Array.isArray(variants) && variants.length > 1) {
    const picker = fields.get("params.modelName")?.input;
    const apply = () =>
      showVariant(hints, variants, picker?.value ? JSON.parse(picker.value) : schema.properties.modelName.default);
    picker?.addEventListener("change", apply);
    apply();
  }
  const submit = h("button", { type: "submit", text: `Start ${model.id} job` });
  const form = h(
    "form",
    { class: "job-form", novalidate: true, "aria-label": `Params for ${model.id}` },
    summary,
    rows,
    h("p", {}, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const f of fields.values()) {
      f.error.textContent = "";
      f.input.removeAttribute("aria-invalid");
    }
    fill(summary);
    const params = {};
    for (const f of fields.values()) {
      // a field the chosen variant does not take is hidden, and not sent
      if (f.input.closest(".field")?.hidden) continue;
      const value = f.read();
      if (value !== undefined) params[f.name] = value;
    }
    submit.disabled = true;
    try {
      const job = await api("/v1/jobs", { json: { model: model.id, params }, signal });
      announce(`Created ${job.id}`);
      location.hash = `#/jobs/${job.id}`;
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      showProblem(err, fields, summary);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** Each error at its field (by path; `params.images[2]` belongs to `params.images`), the rest above the form. */
function showProblem(err, fields, summary) {
  const loose = [];
  let first;
  for (const e of err.errors) {
    const key = Object.keys(Object.fromEntries(fields)).find(
      (k) => e.path === k || e.path.startsWith(`${k}[`) || e.path.startsWith(`${k}.`),
    );
    const f = key && fields.get(key);
    if (!f) {
      loose.push(e);
      continue;
    }
    f.error.append(h("span", { class: "path", text: e.path }), `: ${e.message}`, h("br"));
    f.input.setAttribute("aria-invalid", "true");
    first ??= f.input;
  }
  fill(
    summary,
    problemBox(err),
    loose.length
      ? h(
          "ul",
          { class: "error" },
          loose.map((e) => h("li", {}, h("span", { class: "path", text: e.path || "(request)" }), `: ${e.message}`)),
        )
      : null,
  );
  (first ?? summary).focus();
}

/**
 * Shows each field's hint for the chosen variant only. The API describes per-variant rules as
 * "A, B: x; C: y" (sentence by sentence): the part naming the variant is kept, the others go;
 * a field the variant does not take is hidden.
 */
function showVariant(hints, variants, chosen) {
  for (const hint of hints) {
    if (hint.name === "modelName") continue;
    // no variant chosen and none implied: every variant's hint stays
    if (chosen === undefined) {
      hint.help.textContent = hint.text;
      hint.row.hidden = false;
      continue;
    }
    const sentences = hint.text.split(/(?<=\.)\s+/);
    let taken = true;
    const kept = sentences
      .map((sentence) => {
        const prefix = /^(Default: |Without modelName: )/.exec(sentence)?.[0] ?? "";
        const parts = sentence.slice(prefix.length).replace(/\.$/, "").split("; ");
        const named = parts.map((part) => {
          const m = /^([^:]+): (.*)$/.exec(part);
          const names = m?.[1].split(", ");
          return names?.every((n) => variants.includes(n)) ? { names, text: m[2] } : null;
        });
        if (named.some((x) => x === null)) return sentence;
        const mine = named.find((x) => x.names.includes(chosen));
        if (!mine) return "";
        if (!prefix && mine.text === "not taken") taken = false;
        return `${prefix}${mine.text}.`;
      })
      .filter(Boolean);
    hint.help.textContent = kept.join(" ");
    hint.row.hidden = !taken;
  }
}
