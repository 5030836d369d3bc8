// A job's outputs (stored copies, media players, sizes) and its webhook deliveries, as the job
// view shows them.
import { isTerminal } from "../api.js";
import { h } from "../dom.js";
import { bytes, when } from "../format.js";

export function outputs(job) {
  if (job.outputs.length === 0)
    return h("p", {
      class: "muted",
      text: isTerminal(job) ? "No outputs." : "Outputs appear here when the provider is done.",
    });
  return h(
    "ul",
    { class: "outputs" },
    job.outputs.map((o) => {
      const name = `${job.id}-${o.index}`;
      if (o.status !== "stored" || !o.url)
        return h(
          "li",
          { class: "output failed" },
          h("p", { class: "error", text: `Output ${o.index + 1}: ${o.error ?? "not stored"}` }),
        );
      const label = `Output ${o.index + 1} of ${job.id}`;
      const media =
        o.kind === "video"
          ? h("video", {
              src: o.url,
              controls: true,
              preload: "metadata",
              playsInline: true,
              poster: o.poster?.url ?? undefined,
              "aria-label": label,
            })
          : h("img", { src: o.url, alt: label, decoding: "async" });
      const extras = [o.poster && ["Poster", o.poster], o.lastFrame && ["Last frame", o.lastFrame]].filter(Boolean);
      return h(
        "li",
        { class: "output" },
        media,
        h(
          "p",
          { class: "muted" },
          `${o.contentType ?? ""} · ${bytes(o.size)} · link valid until ${when(o.expiresAt)} `,
          h("a", { class: "button", href: o.url, download: name, text: "Download" }),
        ),
        extras.map(([what, m]) =>
          m.url
            ? h(
                "p",
                {},
                h("a", {
                  href: m.url,
                  download: `${name}-${what.toLowerCase().replace(" ", "-")}`,
                  text: `${what} (${bytes(m.size)})`,
                }),
              )
            : h("p", { class: "error", text: `${what}: ${m.error ?? "not stored"}` }),
        ),
      );
    }),
  );
}

export function deliveries(webhook) {
  return [
    h("p", { class: "muted" }, `${webhook.url} · events: ${webhook.events.join(", ")}`),
    webhook.deliveries.length === 0
      ? h("p", { class: "muted", text: "Nothing sent yet." })
      : h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            {},
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                ["Event", "Status", "Attempts", "Last HTTP status", "Delivered / next attempt", "Error"].map((t) =>
                  h("th", { scope: "col", text: t }),
                ),
              ),
            ),
            h(
              "tbody",
              {},
              webhook.deliveries.map((d) =>
                h(
                  "tr",
                  {},
                  h("td", {}, h("code", { text: d.type }), h("br"), h("small", { class: "muted", text: d.id })),
                  h("td", {}, d.status),
                  h("td", {}, String(d.attempts)),
                  h("td", {}, d.lastStatus === null ? "—" : String(d.lastStatus)),
                  h(
                    "td",
                    {},
                    d.deliveredAt ? when(d.deliveredAt) : d.nextAttemptAt ? `next ${when(d.nextAttemptAt)}` : "—",
                  ),
                  h("td", {}, d.error ?? ""),
                ),
              ),
            ),
          ),
        ),
  ];
}
