// On the usage page: spend per tag, the tenant's settings (retention, default webhook) with a
// form to change them, and failed webhook deliveries with a redeliver button (docs/lifecycle.md).
import { api, optional } from "../api.js";
import { problemBox } from "../components.js";
import { announce, fill, h } from "../dom.js";
import { amount, when } from "../format.js";

export async function lifecycleSections(signal) {
  const [byTag, settings, failed] = await Promise.all([
    optional("/v1/usage?groupBy=tag"),
    optional("/v1/settings"),
    optional("/v1/webhook-deliveries?status=failed&limit=20"),
  ]);
  if (signal.aborted) return [];
  return [
    byTag ? tagTable(byTag.data) : null,
    settings ? settingsForm(settings, signal) : null,
    failed ? deliveries(failed.data, signal) : null,
  ];
}

function tagTable(rows) {
  return h(
    "section",
    { "aria-label": "Spend per tag" },
    h("h2", { text: "Spend per tag (this month)" }),
    rows.length === 0
      ? h("p", { class: "muted", text: "No tagged job has a cost yet." })
      : h(
          "table",
          { class: "compact" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Tag", "Amount", "Jobs"].map((t) => h("th", { scope: "col", text: t })),
            ),
          ),
          h(
            "tbody",
            {},
            rows.map((r) =>
              h(
                "tr",
                {},
                h("td", {}, h("a", { href: `#/jobs?tag=${encodeURIComponent(r.key)}`, text: r.key })),
                h("td", { text: amount(r) }),
                h("td", { text: String(r.jobs) }),
              ),
            ),
          ),
        ),
  );
}

function settingsForm(settings, signal) {
  const num = (name, label, value) =>
    h(
      "label",
      {},
      label,
      h("input", { name, type: "number", min: "1", max: "3650", value: value ?? "", placeholder: "keep", size: "6" }),
    );
  const form = h(
    "form",
    {
      class: "filters",
      "aria-label": "Settings",
      onsubmit: async (event) => {
        event.preventDefault();
        const data = new FormData(form);
        const days = (k) => (data.get(k) ? Number(data.get(k)) : null);
        const url = String(data.get("webhookUrl") ?? "").trim();
        try {
          await api("/v1/settings", {
            method: "PUT",
            signal,
            json: {
              outputRetentionDays: days("outputRetentionDays"),
              jobRetentionDays: days("jobRetentionDays"),
              webhook: url ? { url } : null,
            },
          });
          announce("Settings saved");
        } catch (err) {
          form.append(problemBox(err));
        }
      },
    },
    num("outputRetentionDays", "Keep outputs (days)", settings.outputRetentionDays),
    num("jobRetentionDays", "Keep jobs (days)", settings.jobRetentionDays),
    h(
      "label",
      {},
      "Default webhook",
      h("input", {
        name: "webhookUrl",
        type: "url",
        value: settings.webhook?.url ?? "",
        placeholder: "your endpoint URL",
        size: "30",
      }),
    ),
    h("button", { type: "submit", text: "Save" }),
  );
  return h("section", { "aria-label": "Settings" }, h("h2", { text: "Settings" }), form);
}

function deliveries(rows, signal) {
  const item = (d) => {
    const li = h("li");
    const last = d.attempts.at(-1);
    fill(
      li,
      h("strong", { text: d.event }),
      ` → ${d.url} · ${d.attempts.length} attempts · last ${last ? `${last.httpStatus ?? last.error ?? "no answer"} ${when(last.at)}` : "none"} `,
      d.jobId ? h("a", { href: `#/jobs/${d.jobId}`, text: d.jobId }) : null,
      " ",
      h("button", {
        type: "button",
        text: "Redeliver",
        onclick: async (event) => {
          event.currentTarget.disabled = true;
          try {
            const again = await api(`/v1/webhook-deliveries/${d.id}/redeliver`, { method: "POST", signal });
            announce(`Redelivered: ${again.status}`);
            li.append(h("span", { text: ` → ${again.status}` }));
          } catch (err) {
            li.append(problemBox(err));
          }
        },
      }),
    );
    return li;
  };
  return h(
    "section",
    { "aria-label": "Failed webhook deliveries" },
    h("h2", { text: "Failed webhook deliveries" }),
    rows.length === 0 ? h("p", { class: "muted", text: "None in the last 30 days." }) : h("ul", {}, rows.map(item)),
  );
}
