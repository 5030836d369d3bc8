// Keys: which key this tab is signed in with and what it may do, the tenant's keys (name, prefix,
// scopes, times; never a secret), a form to make one (only scopes this key has; optional expiry)
// whose secret is shown once with a copy button, and revoke. Needs keys:write to change anything.
import { ApiProblem, api } from "../api.js";
import { problemBox } from "../components.js";
import { fill, h } from "../dom.js";
import { ago, whenZoned } from "../format.js";

const SCOPES = ["read", "jobs:write", "schedules:write", "budget:write", "keys:write"];

export async function keysView(main, { signal, features }) {
  const me = features.caller;
  const list = h("div", { class: "keys" });
  const created = h("div", { "aria-live": "polite" });
  const canWrite = me.scopes.includes("keys:write");
  fill(
    main,
    h("h1", { tabindex: "-1", text: "Keys" }),
    h(
      "p",
      { class: "whoami" },
      "Signed in with ",
      h("strong", { text: me.root ? "a root key (API_KEYS)" : me.name }),
      me.id ? [" ", h("code", { text: me.id })] : null,
      " — scopes: ",
      me.scopes.map((s, i) => [i ? " " : "", h("code", { class: "scope", text: s })]),
    ),
    canWrite ? createForm(me, signal, created, () => load()) : null,
    created,
    list,
  );
  async function load() {
    // a list that cannot be read (a 429 under the key's rate limit, say) is said where the list
    // goes: the form and who is signed in stay usable
    const page = await api("/v1/keys", { signal }).catch((err) => {
      if (signal.aborted || (err instanceof ApiProblem && err.status === 401)) throw err;
      fill(list, problemBox(err));
      return null;
    });
    if (!page) return;
    if (page.data.length === 0)
      return fill(list, h("p", { class: "muted", text: "No keys made yet (keys of API_KEYS are not listed)." }));
    fill(
      list,
      h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["Name", "Key", "Scopes", "Created", "Expires", "Last used", ""].map((t) => h("th", { text: t })),
          ),
        ),
        h(
          "tbody",
          {},
          page.data.map((k) =>
            h(
              "tr",
              {},
              h("td", { text: k.name }),
              h("td", {}, h("code", { text: `${k.prefix}…` })),
              h("td", { text: k.scopes.join(" ") }),
              h("td", {}, h("time", { datetime: k.createdAt, text: whenZoned(k.createdAt) })),
              h("td", { text: k.expiresAt ? whenZoned(k.expiresAt) : "never" }),
              h("td", { text: k.lastUsedAt ? ago(k.lastUsedAt) : "never" }),
              h("td", {}, canWrite && k.id !== me.id ? revokeButton(k, signal, load) : null),
            ),
          ),
        ),
      ),
    );
  }
  await load();
}

function revokeButton(k, signal, reload) {
  return h("button", {
    type: "button",
    class: "danger",
    "data-scope": "keys:write",
    text: "Revoke",
    "aria-label": `Revoke ${k.name}`,
    onclick: async (e) => {
      if (!confirm(`Revoke “${k.name}”? Requests with it are refused from now on.`)) return;
      e.currentTarget.disabled = true;
      await api(`/v1/keys/${k.id}`, { method: "DELETE", signal });
      await reload();
    },
  });
}

function createForm(me, signal, created, reload) {
  const error = h("div");
  const boxes = SCOPES.filter((s) => me.scopes.includes(s)).map((s) =>
    h(
      "label",
      { class: "scope-choice" },
      h("input", { type: "checkbox", name: "scope", value: s, checked: s === "read" }),
      ` ${s}`,
    ),
  );
  const form = h(
    "form",
    { class: "new-key", "data-scope": "keys:write" },
    h("h2", { text: "New key" }),
    h(
      "label",
      {},
      "Name ",
      h("input", { name: "name", required: true, maxlength: "100", placeholder: "dashboard viewer" }),
    ),
    h("fieldset", {}, h("legend", { text: "Scopes (only those this key has)" }), boxes),
    h("label", {}, "Expires (optional) ", h("input", { name: "expires", type: "date" })),
    h("button", { type: "submit", text: "Create key" }),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    fill(error);
    const scopes = [...form.querySelectorAll("input[name=scope]:checked")].map((i) => i.value);
    const expires = form.expires.value;
    try {
      const key = await api("/v1/keys", {
        method: "POST",
        json: {
          name: form.name.value,
          scopes,
          ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}),
        },
        signal,
      });
      form.reset();
      fill(created, shownOnce(key));
      await reload();
    } catch (err) {
      fill(error, err instanceof ApiProblem ? problemBox(err) : h("p", { class: "error", text: err.message }));
    }
  });
  return form;
}

/** The secret, once: nothing keeps it after this view is left. */
function shownOnce(key) {
  const field = h("input", {
    readonly: true,
    value: key.key,
    size: "48",
    "aria-label": "The new key",
    class: "secret",
  });
  const status = h("span", { role: "status" });
  return h(
    "div",
    { class: "created-key" },
    h("p", {}, h("strong", { text: `Key “${key.name}” created.` }), " Copy it now: it is shown only this once."),
    field,
    h("button", {
      type: "button",
      text: "Copy",
      onclick: async () => {
        field.select();
        await navigator.clipboard?.writeText(key.key).catch(() => undefined);
        status.textContent = " Copied.";
      },
    }),
    status,
  );
}
