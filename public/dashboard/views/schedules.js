// Schedules: the cron expression in words, the next run in the viewer's time zone (and the
// schedule's own), the last run and its batch, why a run was skipped, and an on/off switch.
import { ApiProblem, api } from "../api.js";
import { problemBox } from "../components.js";
import { cronInWords } from "../cron.js";
import { fill, h } from "../dom.js";
import { ago, viewerZone, whenZoned } from "../format.js";

export async function schedulesView(main, { signal }) {
  const list = h("div", { class: "schedules" });
  fill(main, h("h1", { tabindex: "-1", text: "Schedules" }), list);
  const page = await api("/v1/schedules", { signal });
  if (page.data.length === 0) {
    fill(list, h("p", { class: "muted", text: "No schedules. Create one with POST /v1/schedules (see /docs)." }));
    return;
  }
  fill(
    list,
    page.data.map((s) => {
      const card = h("article", { class: "schedule" });
      const render = (schedule) => fill(card, scheduleCard(schedule, signal, render));
      render(s);
      return card;
    }),
  );
}

function scheduleCard(s, signal, render) {
  const toggle = h("input", { type: "checkbox", role: "switch", checked: s.enabled, id: `en-${s.id}` });
  const error = h("div");
  toggle.addEventListener("change", async () => {
    toggle.disabled = true;
    try {
      const card = render(
        await api(`/v1/schedules/${s.id}`, { method: "PATCH", json: { enabled: toggle.checked }, signal }),
      );
      // the card is rebuilt: keep the keyboard where it was
      card.querySelector("[role=switch]")?.focus();
    } catch (err) {
      toggle.checked = !toggle.checked;
      toggle.disabled = false;
      fill(error, err instanceof ApiProblem ? problemBox(err) : h("p", { class: "error", text: err.message }));
    }
  });
  const sameZone = s.timezone === viewerZone;
  toggle.dataset.scope = "schedules:write";
  return [
    h("h2", { text: s.name }),
    h("p", {}, h("strong", { text: cronInWords(s.cron) }), " ", h("code", { text: s.cron }), ` in ${s.timezone}`),
    h(
      "dl",
      { class: "facts" },
      h("dt", { text: "Next run" }),
      h(
        "dd",
        {},
        s.nextRunAt
          ? [
              h("time", { datetime: s.nextRunAt, text: whenZoned(s.nextRunAt) }),
              ` (${ago(s.nextRunAt)})`,
              sameZone ? "" : ` · ${whenZoned(s.nextRunAt, s.timezone)} there`,
            ]
          : s.enabled
            ? "never again"
            : "none while disabled",
      ),
      h("dt", { text: "Last run" }),
      h(
        "dd",
        {},
        s.lastRunAt
          ? [h("time", { datetime: s.lastRunAt, text: whenZoned(s.lastRunAt) }), ` (${ago(s.lastRunAt)})`]
          : "not yet",
      ),
      h("dt", { text: "Last batch" }),
      h("dd", {}, s.lastBatchId ? h("a", { href: `#/batches/${s.lastBatchId}`, text: s.lastBatchId }) : "—"),
      s.lastSkip
        ? [
            h("dt", { text: "Last skipped" }),
            h(
              "dd",
              { class: "error" },
              h("code", { text: s.lastSkip.code }),
              ` at ${whenZoned(s.lastSkip.at)}`,
              s.lastSkip.message ? ` — ${s.lastSkip.message}` : "",
            ),
          ]
        : null,
      h("dt", { text: "Jobs per run" }),
      h("dd", {}, String(s.batch?.jobs?.length ?? 0)),
    ),
    h("p", { class: "switch" }, toggle, h("label", { for: toggle.id, text: s.enabled ? " Enabled" : " Disabled" })),
    error,
  ];
}
